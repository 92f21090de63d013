// Headers on every answer: a Content-Security-Policy that allows only this origin (htmx is
// served from /static, there is no inline script or style), no framing, no referrer to
// other sites (a one-time sign-in link must not leak through it), no MIME sniffing.
// Avatars come from GitHub, so images may also come from its avatar host.
import type { Context, Next } from 'koa';
import type { Config } from '../../config.ts';

export function contentSecurityPolicy(cfg: Config): string {
  const web = new URL(cfg.github.web_url);
  const avatars = web.hostname === 'github.com' ? 'https://avatars.githubusercontent.com' : web.origin;
  return [
    "default-src 'self'",
    `img-src 'self' data: ${avatars}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(cfg: Config) {
  const csp = contentSecurityPolicy(cfg);
  return async function headers(ctx: Context, next: Next): Promise<void> {
    ctx.set('Content-Security-Policy', csp);
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'same-origin');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    await next();
  };
}
