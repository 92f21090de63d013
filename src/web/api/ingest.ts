// POST /api/ingest: the chain reads the body within the contract's limit (no parsing yet);
// the ingest steps check the signature over those exact bytes, then the batch; the outcome's
// reason becomes the contract's status code here.
import type { Context, Middleware } from 'koa';
import { MAX_BODY_BYTES } from '../../../agent/wire.ts';
import { ingest } from '../../ingest/ingest.ts';
import type { RejectReason } from '../../ingest/verify.ts';
import type { Services } from '../../services.ts';
import { AppError } from '../../errors.ts';
import { open } from '../access.ts';
import { route } from '../route.ts';
import { countFailure, rateLimit } from '../middleware/rate-limit.ts';

const STATUS: Record<RejectReason, number> = {
  unsigned: 401, bad_signature: 401, unknown_user_or_token: 401, clock_drift: 401, rate_limited: 429,
  replay: 409, too_many_events: 413, bad_json: 400, bad_field: 400, storage_full: 503,
};

export function ingestRoutes(s: Services) {
  // Timing and rejection counts for /metrics, whichever step of the chain answers.
  const measure: Middleware = async (ctx, next) => {
    const end = s.metrics.ingestSeconds.startTimer();
    try {
      await next();
    } catch (err) {
      if (err instanceof AppError) s.metrics.batchesRejected.inc({ reason: err.code === 'too_large' ? 'too_large' : err.code });
      throw err;
    } finally {
      end({ status: String(ctx.status) });
    }
  };
  return [
    route({
      method: 'POST', path: '/api/ingest', access: open,
      before: [measure, rateLimit(s, 'ingest')],
      body: { kind: 'raw', limit: MAX_BODY_BYTES },
      async handler(ctx: Context) {
        const out = await ingest(s, (name) => ctx.get(name) || undefined, ctx.state.body!.raw!);
        if (!out.ok) {
          s.metrics.batchesRejected.inc({ reason: out.reason });
          if (out.reason === 'bad_signature' || out.reason === 'unknown_user_or_token') await countFailure(s, ctx, 'ingest');
          ctx.status = STATUS[out.reason];
          if (out.reason === 'storage_full') {
            // The operator's problem, not the agent's: said in the log, and by a stable code.
            s.log.error('ingest refused: the database storage is full (free disk space; agents keep their batches and resend)');
            ctx.body = { error: out.error, code: out.reason };
          } else {
            ctx.body = { error: out.error };
          }
          return;
        }
        s.metrics.eventsAccepted.inc(out.accepted);
        s.metrics.eventsDuplicate.inc(out.duplicates);
        ctx.body = { accepted: out.accepted, duplicates: out.duplicates };
      },
    }),
  ];
}
