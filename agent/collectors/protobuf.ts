// A minimal protobuf wire-format reader (varints and length-delimited fields are all the
// Antigravity blobs use): enough to pick a few numbered fields out of a message without
// its .proto. Corrupt input ends the walk instead of throwing.
export type Field = { n: number; varint: bigint } | { n: number; bytes: Uint8Array };

function varint(buf: Uint8Array, at: number): [bigint, number] | null {
  let v = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length && shift < 70n; i++) {
    const b = buf[i];
    v |= BigInt(b & 0x7f) << shift;
    if (!(b & 0x80)) return [v, i + 1];
    shift += 7n;
  }
  return null;
}

/** The top-level fields of one message, in order. */
export function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const key = varint(buf, at);
    if (!key) break;
    const n = Number(key[0] >> 3n);
    const wire = Number(key[0] & 7n);
    at = key[1];
    if (n === 0) break;
    if (wire === 0) {
      const v = varint(buf, at);
      if (!v) break;
      out.push({ n, varint: v[0] });
      at = v[1];
    } else if (wire === 2) {
      const len = varint(buf, at);
      if (!len || len[1] + Number(len[0]) > buf.length) break;
      out.push({ n, bytes: buf.subarray(len[1], len[1] + Number(len[0])) });
      at = len[1] + Number(len[0]);
    } else if (wire === 1) {
      at += 8;
    } else if (wire === 5) {
      at += 4;
    } else {
      break; // groups and unknown wire types: not in these blobs
    }
  }
  return out;
}

/** The first length-delimited field `n`, or null. */
export function sub(buf: Uint8Array, n: number): Uint8Array | null {
  for (const f of fields(buf)) if (f.n === n && 'bytes' in f) return f.bytes;
  return null;
}

/** The first varint field `n` as a safe integer (0 when absent). */
export function int(buf: Uint8Array, n: number): number {
  for (const f of fields(buf)) {
    if (f.n === n && 'varint' in f) return f.varint > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(f.varint);
  }
  return 0;
}

export function text(buf: Uint8Array | null): string | undefined {
  if (!buf || !buf.length) return undefined;
  return new TextDecoder('utf-8', { fatal: false }).decode(buf);
}
