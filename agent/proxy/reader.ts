// Feeds the bytes of one response, as they pass through, to a usage extractor. The bytes
// given to the client are never touched; this only reads a copy. Framing comes from the
// response content type: SSE, NDJSON (Ollama streams) or one JSON document. A compressed
// body is inflated on the side (the client still gets the compressed bytes).
import { zlibModule } from '../lazy.ts';
import type { Transform } from 'node:stream';
import type { Usage, UsageExtractor } from './usage.ts';

export type Framing = 'sse' | 'ndjson' | 'json';

/** Whole JSON bodies larger than this are not parsed (usage is never worth holding more). */
const MAX_JSON_BYTES = 32 * 1024 * 1024;

export function framingOf(contentType: string | undefined): Framing {
  const ct = (contentType ?? '').toLowerCase();
  if (ct.includes('text/event-stream')) return 'sse';
  if (ct.includes('ndjson') || ct.includes('jsonl')) return 'ndjson';
  return 'json';
}

export class UsageReader {
  private readonly decoder = new TextDecoder();
  private pending = '';
  private dataLines: string[] = [];
  private jsonParts: string[] = [];
  private jsonBytes = 0;
  private inflater: Transform | null = null;
  private inflated: Promise<void> | null = null;
  private failed = false;

  constructor(private readonly extractor: UsageExtractor, private readonly framing: Framing, contentEncoding?: string) {
    const enc = (contentEncoding ?? '').trim().toLowerCase();
    const zlib = enc === 'gzip' || enc === 'x-gzip' || enc === 'deflate' || enc === 'br' ? zlibModule() : null;
    const z = !zlib ? null : enc === 'br' ? zlib.createBrotliDecompress() : enc === 'deflate' ? zlib.createInflate() : zlib.createGunzip();
    if (enc && enc !== 'identity' && !z) this.failed = true; // an encoding we cannot read (zstd on Node 20): no usage, bytes still pass
    if (z) {
      this.inflater = z;
      z.on('data', (b: Buffer) => this.text(b));
      this.inflated = new Promise((resolve) => {
        z.on('end', resolve);
        z.on('error', () => { this.failed = true; resolve(); });
      });
    }
  }

  /** One chunk of the response body, exactly as it came from upstream. */
  feed(chunk: Uint8Array): void {
    if (this.failed) return;
    if (this.inflater) this.inflater.write(chunk);
    else this.text(chunk);
  }

  /** Call once the body has ended; resolves to the response's usage (null when none). */
  async finish(): Promise<Usage | null> {
    if (this.inflater) {
      this.inflater.end();
      await this.inflated;
    }
    if (this.failed) return null;
    this.flushText(this.decoder.decode());
    if (this.framing === 'sse') {
      this.line(this.pending);
      this.line('');
    } else if (this.framing === 'ndjson') {
      this.message(this.pending);
    } else {
      this.wholeJson(this.jsonParts.join(''));
    }
    this.pending = '';
    try {
      return this.extractor.result();
    } catch {
      return null;
    }
  }

  private text(bytes: Uint8Array): void {
    this.flushText(this.decoder.decode(bytes, { stream: true }));
  }

  private flushText(s: string): void {
    if (!s || this.failed) return;
    if (this.framing === 'json') {
      this.jsonBytes += s.length;
      if (this.jsonBytes > MAX_JSON_BYTES) {
        this.failed = true;
        this.jsonParts = [];
      } else this.jsonParts.push(s);
      return;
    }
    let buf = this.pending + s;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.charCodeAt(nl - 1) === 13 ? buf.slice(0, nl - 1) : buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (this.framing === 'sse') this.line(line);
      else this.message(line);
    }
    this.pending = buf;
  }

  /** One SSE line: `data:` lines accumulate until the blank line that ends the event. */
  private line(line: string): void {
    if (line === '') {
      if (this.dataLines.length) {
        const payload = this.dataLines.join('\n');
        this.dataLines = [];
        if (payload !== '[DONE]') this.message(payload);
      }
    } else if (line.startsWith('data:')) {
      this.dataLines.push(line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5));
    }
  }

  private message(text: string): void {
    if (!text.trim() || !this.extractor.wants(text)) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    try {
      this.extractor.take(parsed);
    } catch {
      // An extractor bug must never break the response; the event is simply lost.
    }
  }

  private wholeJson(text: string): void {
    const t = text.trim();
    if (!t) return;
    try {
      this.extractor.take(JSON.parse(t));
      return;
    } catch {
      // Not one document: a stream sent with a JSON content type (some Ollama builds). Read it as lines.
    }
    const sse = /^(data|event|id):/m.test(t.slice(0, 200));
    for (const line of t.split('\n')) {
      if (sse) this.line(line.replace(/\r$/, ''));
      else this.message(line);
    }
    if (sse) this.line('');
  }
}
