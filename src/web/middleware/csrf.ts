// CSRF: every state-changing request from the pages carries the session's token, as the
// `_csrf` field of a urlencoded form or the `x-csrf-token` header (htmx, from <body
// hx-headers>). Open routes (signed ingest, OTLP with a Bearer token) and Bearer-authenticated
// API calls are exempt: no ambient cookie authenticates them. Urlencoded bodies are parsed
// here once and left on ctx.state.form (URLSearchParams) and ctx.request.body (an object).
import { timingSafeEqual } from 'node:crypto';
import getRawBody from 'raw-body';
import type { Context, Next } from 'koa';
import { AppError } from '../../errors.ts';
import type { SessionData } from '../../auth/session-policy.ts';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MAX_FORM_BYTES = 256 * 1024;

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
    }
    const sent = ctx.get('x-csrf-token') || ctx.state.form?.get('_csrf') || '';
    const expected = ((ctx.session ?? {}) as SessionData).csrf ?? '';
    if (!same(sent, expected)) throw new CsrfError();
    await next();
  };
}
