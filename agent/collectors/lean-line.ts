// Most of a Claude Code assistant line is its `message.content` (the answer's text, tool
// inputs), which the collector never reads except for Skill tool uses. Decoding and
// parsing those bytes was most of a scan's time and garbage, so a line is decoded with
// every `"content":[...]` array emptied, unless the array may hold a Skill use.
//
// Only the value of a "content" key changes, so every other field parses as it would
// from the whole line. The skipped bytes are checked just enough to keep the answer the
// same as parsing the whole line: strings are jumped over (escapes respected), brackets
// must nest, and between strings only JSON's punctuation, numbers and literals may
// appear. A line that fails (cut short, two writes run together) is decoded whole, and
// JSON.parse decides, as before.

const KEY = Buffer.from('"content":[');

const BAD = 0;
const OPEN = 1;
const CLOSE = 2;
const QUOTE = 3;
const FINE = 4;
const CLASS = new Uint8Array(256);
for (const c of ',: \t\r\n0123456789-+.eEtruefalsn') CLASS[c.charCodeAt(0)] = FINE;
CLASS[0x5b] = OPEN; // [
CLASS[0x7b] = OPEN; // {
CLASS[0x5d] = CLOSE; // ]
CLASS[0x7d] = CLOSE; // }
CLASS[0x22] = QUOTE;

/**
 * The index of the `]` closing the array that opens at `b[i]`, or -1 when the bytes up
 * to `end` are not a well-nested run of JSON tokens, or when a string in it may read
 * "Skill" (raw `Skill`, or a short string with \u escapes that could spell it).
 */
export function skippableArrayEnd(b: Buffer, i: number, end: number): number {
  const stack: number[] = [];
  for (; i < end; i++) {
    const c = b[i];
    const k = CLASS[c];
    if (k === QUOTE) {
      const open = i;
      let q: number;
      for (;;) {
        q = b.indexOf(0x22, i + 1);
        if (q < 0 || q >= end) return -1;
        i = q;
        let bs = 0;
        while (b[q - 1 - bs] === 0x5c) bs++;
        if ((bs & 1) === 0) break;
      }
      const len = q - open - 1;
      if (len === 5) {
        if (b[open + 1] === 0x53 && b[open + 2] === 0x6b && b[open + 3] === 0x69 && b[open + 4] === 0x6c && b[open + 5] === 0x6c) return -1;
      } else if (len > 5 && len <= 30) {
        // Only \uXXXX escapes can spell letters: "\u0053kill" … "\u0053\u006b\u0069\u006c\u006c".
        for (let j = open + 1; j < q; j++) if (b[j] === 0x5c && b[j + 1] === 0x75) return -1;
      }
    } else if (k === OPEN) {
      stack.push(c + 2); // `[`+2 is `]`, `{`+2 is `}`
    } else if (k === CLOSE) {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i;
    } else if (k === BAD) {
      return -1;
    }
  }
  return -1;
}

// The kept bytes are gathered here and decoded once: one string per line instead of a
// piece per cut, their concatenation and its flattened copy (scavenges were a fifth of a scan).
let scratch = Buffer.allocUnsafe(64 * 1024);

/** The line `b[from, to)` as text, with every skippable `"content":[...]` array emptied. */
export function leanLine(b: Buffer, from: number, to: number): string {
  const line = b.subarray(from, to);
  let kept = 0; // bytes gathered in `scratch`
  let done = 0; // bytes of `line` already gathered
  let at = line.indexOf(KEY);
  while (at >= 0) {
    const open = at + KEY.length - 1;
    const close = skippableArrayEnd(line, open, line.length);
    if (close < 0) break; // from here on the line is decoded as it is
    if (scratch.length < line.length) scratch = Buffer.allocUnsafe(Math.max(line.length, scratch.length * 2));
    kept += line.copy(scratch, kept, done, open + 1);
    done = close;
    at = line.indexOf(KEY, close);
  }
  if (done === 0) return line.toString('utf8');
  kept += line.copy(scratch, kept, done);
  return scratch.toString('utf8', 0, kept);
}
