// Reading a request body, for a route that declared which kind it takes and how much: the
// route chain (route.ts) calls this only after the route, its access rule and the session
// are known, so nobody can make the server read (or hold) a large body they may not send.
// co-body reads forms and JSON (gzip and deflate included), busboy streams multipart
// uploads, raw-body gives the exact bytes (the ingest signature is over them).
import type { Context } from 'koa';
import parse from 'co-body';
import getRawBody from 'raw-body';
import Busboy from 'busboy';
import { AppError } from '../errors.ts';

export type BodyKind = 'form' | 'multipart' | 'json' | 'raw';

export interface BodySpec {
  kind: BodyKind;
  /** Bytes (after decompression for JSON). */
  limit: number;
  /** What to tell a client that sent another content type (415), when the route knows better. */
  wrongType?: string;
}

/** Forms on the pages: a few fields. */
export const FORM: BodySpec = { kind: 'form', limit: 16 * 1024 };

/** A pasted list of people (admins only): a few thousand lines. */
export const LIST_FORM: BodySpec = { kind: 'form', limit: 1024 * 1024 };

/** LiteLLM's price file, uploaded or carried back by the preview's apply form (admins only). */
export const PRICE_UPLOAD: BodySpec = { kind: 'multipart', limit: 21 * 1024 * 1024 };

export interface Body {
  /** Form fields (form and multipart); a name sent more than once (checkboxes) keeps all its values. */
  fields: Record<string, string | string[]>;
  /** Uploaded files of a multipart body, by field name. */
  files: Record<string, { name: string; type: string; data: Buffer }>;
  /** A JSON body, parsed. */
  json?: unknown;
  /** The exact bytes (raw). */
  raw?: Buffer;
}

// raw: any type (the ingest signature covers the bytes, whatever the client called them).
const TYPES: Record<BodyKind, string[]> = {
  form: ['application/x-www-form-urlencoded'],
  multipart: ['multipart/form-data'],
  json: ['application/json'],
  raw: [],
};

const tooLarge = (limit: number) => new AppError(413, 'too_large', `body: more than ${limit} bytes (${limit >= 1024 * 1024 ? `${Math.round(limit / 1024 / 1024)} MB` : `${Math.round(limit / 1024)} KB`})`);

function declaredLength(ctx: Context): number | null {
  const raw = ctx.get('content-length');
  return raw && /^\d+$/.test(raw) ? Number(raw) : null;
}

export async function readBody(ctx: Context, spec: BodySpec): Promise<Body> {
  const out: Body = { fields: {}, files: {} };
  const length = declaredLength(ctx);
  if (!ctx.request.type && (length === 0 || (length === null && !ctx.get('transfer-encoding')))) return out;
  if (TYPES[spec.kind].length && !ctx.is(TYPES[spec.kind])) {
    discard(ctx);
    throw new AppError(415, 'unsupported_type', spec.wrongType ?? `body: send ${TYPES[spec.kind].join(' or ')}${ctx.request.type ? `, not ${ctx.request.type}` : ''}`);
  }
  // A declared size over the cap is refused before a byte is read; a body without one is
  // cut off at the cap as it streams. (A compressed JSON body's cap is on what it unpacks to.)
  const compressed = !['', 'identity'].includes(ctx.get('content-encoding').toLowerCase());
  if (length !== null && length > spec.limit && !(spec.kind === 'json' && compressed)) {
    discard(ctx);
    throw tooLarge(spec.limit);
  }
  try {
    switch (spec.kind) {
      case 'form': {
        const parsed = await parse.form(ctx, { limit: spec.limit, queryString: { depth: 0, parameterLimit: 200, allowPrototypes: false } });
        for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
          if (typeof v === 'string') out.fields[k] = v;
          else if (Array.isArray(v)) out.fields[k] = v.filter((x): x is string => typeof x === 'string');
        }
        return out;
      }
      case 'json':
        out.json = await parse.json(ctx, { limit: spec.limit, strict: false });
        return out;
      case 'raw':
        out.raw = await getRawBody(ctx.req, { limit: spec.limit, length: length ?? undefined });
        return out;
      case 'multipart':
        return await readMultipart(ctx, spec.limit, out);
    }
  } catch (err) {
    const e = err as { type?: string; status?: number; message?: string };
    if (err instanceof AppError) {
      discard(ctx);
      throw err;
    }
    if (e.type === 'entity.too.large' || e.status === 413) {
      discard(ctx);
      throw tooLarge(spec.limit);
    }
    // co-body's JSON errors are SyntaxErrors carrying the text (never logged or echoed).
    if (e.type === 'entity.parse.failed' || err instanceof SyntaxError) throw new AppError(400, 'bad_json', 'body: not valid JSON');
    if (e.status === 415 || e.type === 'encoding.unsupported') throw new AppError(415, 'unsupported_encoding', 'body: content-encoding must be gzip, deflate or none');
    throw new AppError(400, 'bad_body', 'body: could not be read completely');
  }
}

function readMultipart(ctx: Context, limit: number, out: Body): Promise<Body> {
  return new Promise((resolve, reject) => {
    let bb: Busboy.Busboy;
    try {
      // A field may be as large as the route allows (the price import's apply form carries
      // the previewed file as a field); the whole body is counted too.
      bb = Busboy({ headers: ctx.req.headers as Record<string, string>, limits: { fileSize: limit, files: 2, fields: 20, fieldSize: limit, parts: 30 } });
    } catch {
      reject(new AppError(400, 'bad_body', 'upload: not a valid multipart/form-data body'));
      return;
    }
    let failed = false;
    const fail = (e: Error) => { if (!failed) { failed = true; ctx.req.unpipe(bb); reject(e); } };
    let seen = 0;
    ctx.req.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limit) fail(tooLarge(limit));
    });
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(tooLarge(limit));
      else out.fields[name] = value;
    });
    bb.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => fail(tooLarge(limit)));
      stream.on('end', () => { out.files[name] = { name: info.filename ?? '', type: info.mimeType, data: Buffer.concat(chunks) }; });
    });
    bb.on('filesLimit', () => fail(new AppError(400, 'bad_body', 'upload: one file at a time')));
    bb.on('fieldsLimit', () => fail(new AppError(400, 'bad_body', 'upload: too many fields')));
    bb.on('partsLimit', () => fail(new AppError(400, 'bad_body', 'upload: too many parts')));
    bb.on('error', () => fail(new AppError(400, 'bad_body', 'upload: not a valid multipart/form-data body')));
    bb.on('close', () => { if (!failed) resolve(out); });
    ctx.req.pipe(bb);
  });
}

// A refused body is never waited for: the answer goes out at once. Meanwhile what the
// client keeps sending is dropped, so it sees the 413 or 415 rather than a reset
// connection; past a bound (and once the answer is out) the connection is closed.
const DRAIN_LIMIT = 1024 * 1024;
function discard(ctx: Context): void {
  const req = ctx.req;
  ctx.set('Connection', 'close');
  if (req.readableEnded || req.destroyed) return;
  let seen = 0;
  const close = () => { if (!req.destroyed) req.destroy(); };
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen <= DRAIN_LIMIT) return;
    req.pause();
    if (ctx.res.writableFinished) close(); else ctx.res.once('finish', close);
  });
  req.once('error', () => {});
  req.resume();
}
