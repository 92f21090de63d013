// POST /api/ingest: read the body within the size limit (before any parsing), hand it to
// the ingest steps, map the outcome to the contract's status codes.
import Router from '@koa/router';
import getRawBody from 'raw-body';
import type { Context } from 'koa';
import { MAX_BODY_BYTES } from '../../../agent/wire.ts';
import { ingest } from '../../ingest/ingest.ts';
import type { Services } from '../../services.ts';

export function ingestRouter(s: Services): Router {
  const router = new Router();
  router.post('/api/ingest', async (ctx: Context) => {
    const end = s.metrics.ingestSeconds.startTimer();
    const reject = (status: number, reason: string, error: string) => {
      s.metrics.batchesRejected.inc({ reason });
      ctx.status = status;
      ctx.body = { error };
    };
    try {
      const declared = Number(ctx.get('content-length') || 0);
      if (declared > MAX_BODY_BYTES) {
        await discard(ctx);
        return reject(413, 'too_large', `body: ${declared} bytes, at most ${MAX_BODY_BYTES} allowed`);
      }
      let body: Buffer;
      try {
        body = await getRawBody(ctx.req, { limit: MAX_BODY_BYTES, length: ctx.get('content-length') || undefined });
      } catch (err) {
        const e = err as { type?: string; status?: number };
        if (e.type === 'entity.too.large') {
          await discard(ctx);
          return reject(413, 'too_large', `body: more than ${MAX_BODY_BYTES} bytes`);
        }
        return reject(400, 'bad_body', 'body: could not be read completely (length mismatch or aborted)');
      }
      const out = await ingest(s, (name) => ctx.get(name) || undefined, body);
      if (out.status !== 200) return reject(out.status, out.reason, out.error);
      s.metrics.eventsAccepted.inc(out.accepted);
      s.metrics.eventsDuplicate.inc(out.duplicates);
      ctx.body = { accepted: out.accepted, duplicates: out.duplicates };
    } finally {
      end({ status: String(ctx.status) });
    }
  });
  return router;
}

// Reading (and dropping) the rest of an oversized body lets the client see the 413
// instead of a reset connection; past a bound the connection is simply closed.
const DISCARD_LIMIT = 16 * 1024 * 1024;
function discard(ctx: Context): Promise<void> {
  const req = ctx.req;
  ctx.set('Connection', 'close');
  if (req.readableEnded || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    req.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DISCARD_LIMIT) { req.destroy(); resolve(); }
    });
    req.once('end', () => resolve());
    req.once('error', () => resolve());
    req.once('close', () => resolve());
    req.resume();
  });
}
