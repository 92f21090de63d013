// CSRF: every state-changing request from the pages carries the session's token, as the
// `_csrf` field of a urlencoded form or the `x-csrf-token` header (htmx, from <body
// hx-headers>), or the `_csrf` field of a multipart upload form. Open routes (signed ingest,
// OTLP with a Bearer token) and Bearer-authenticated API calls are exempt: no ambient cookie
// authenticates them. Urlencoded bodies are parsed here once and left on ctx.state.form
// (URLSearchParams) and ctx.request.body (an object); multipart bodies too, their text
// fields on ctx.state.form and their files on ctx.state.files.
import { timingSafeEqual } from 'node:crypto';
import getRawBody from 'raw-body';
import type { Context, Next } from 'koa';
import { AppError } from '../../errors.ts';
import type { SessionData } from '../../auth/session-policy.ts';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MAX_FORM_BYTES = 256 * 1024;
// File uploads (the admin's LiteLLM price file, ~1-2 MB; the domain refuses over 20 MB).
const MAX_MULTIPART_BYTES = 21 * 1024 * 1024;

export class CsrfError extends AppError {
  constructor() { super(403, 'csrf', 'This form has expired or did not come from this TokenBoard. Reload the page and try again.'); }
}

async function readForm(ctx: Context): Promise<URLSearchParams> {
  let raw: string;
  try {
    raw = await getRawBody(ctx.req, { limit: MAX_FORM_BYTES, length: ctx.get('content-length') || undefined, encoding: 'utf8' });
  } catch (err) {
    if ((err as { type?: string }).type === 'entity.too.large') throw new AppError(413, 'too_large', `form: more than ${MAX_FORM_BYTES} bytes`);
    throw new AppError(400, 'bad_body', 'form: could not be read completely');
  }
  return new URLSearchParams(raw);
}

/** A multipart/form-data body: its text fields as a form, its files by field name. */
async function readMultipart(ctx: Context): Promise<{ form: URLSearchParams; files: Record<string, File> }> {
  let raw: Buffer;
  try {
    raw = await getRawBody(ctx.req, { limit: MAX_MULTIPART_BYTES, length: ctx.get('content-length') || undefined });
  } catch (err) {
    if ((err as { type?: string }).type === 'entity.too.large') throw new AppError(413, 'too_large', `upload: more than ${MAX_MULTIPART_BYTES / 1024 / 1024} MB`);
    throw new AppError(400, 'bad_body', 'upload: could not be read completely');
  }
  let data: FormData;
  try {
    // The platform's own multipart parser (undici), so no dependency for one upload form.
    data = await new Response(new Uint8Array(raw), { headers: { 'content-type': ctx.get('content-type') } }).formData();
  } catch {
    throw new AppError(400, 'bad_body', 'upload: not a valid multipart/form-data body');
  }
  const form = new URLSearchParams();
  const files: Record<string, File> = {};
  for (const [k, v] of data.entries()) {
    if (typeof v === 'string') form.append(k, v);
    else files[k] = v;
  }
  return { form, files };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export function csrfProtection() {
  return async function csrf(ctx: Context, next: Next): Promise<void> {
    const rule = ctx.state.rule;
    if (!rule || rule.kind === 'open' || !UNSAFE.has(ctx.method) || ctx.state.authVia === 'bearer') return next();
    if (ctx.is('application/x-www-form-urlencoded')) {
      const form = await readForm(ctx);
      ctx.state.form = form;
      (ctx.request as { body?: unknown }).body = Object.fromEntries(form);
    } else if (ctx.is('multipart/form-data')) {
      const { form, files } = await readMultipart(ctx);
      ctx.state.form = form;
      ctx.state.files = files;
    }
    const sent = ctx.get('x-csrf-token') || ctx.state.form?.get('_csrf') || '';
    const expected = ((ctx.session ?? {}) as SessionData).csrf ?? '';
    if (!same(sent, expected)) throw new CsrfError();
    await next();
  };
}
