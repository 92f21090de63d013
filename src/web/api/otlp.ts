// OTLP/HTTP JSON receiver: POST /v1/metrics and /v1/logs from the CLIs' own telemetry,
// authenticated with `Authorization: Bearer <agent token>` (or the token in the path for
// exporters that cannot set headers: Gemini CLI's /otlp/<token>/v1/logs). The chain reads
// the JSON body (gzip accepted, capped once unzipped) and checks its top-level shape;
// bodies are never logged, and only counts and model names are read from them.
import type { Context, Middleware } from 'koa';
import * as v from 'valibot';
import type { Services } from '../../services.ts';
import { findByBearer } from '../../users/tokens.ts';
import { receiveLogs, receiveMetrics } from '../../otlp/receive.ts';
import { AppError, Unauthorized } from '../../errors.ts';
import { open } from '../access.ts';
import { route } from '../route.ts';
import { request } from '../schema.ts';

const BODY = {
  kind: 'json' as const, limit: 16 * 1024 * 1024,
  wrongType: 'content-type must be application/json: export OTLP/HTTP JSON (OTEL_EXPORTER_OTLP_PROTOCOL=http/json); protobuf is not supported',
};

const exportOf = (top: 'resourceMetrics' | 'resourceLogs', name: string) => request({
  body: { [top]: v.array(v.unknown(), `body must be an OTLP ${name} with a "${top}" array`) },
});

export function otlpRoutes(s: Services) {
  // Who sends it, before a byte of the body is read: anonymous senders get their 401 at once.
  const authenticate: Middleware = async (ctx, next) => {
    const m = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'));
    const bearer = m?.[1] ?? (typeof ctx.params?.token === 'string' ? ctx.params.token : null);
    const who = bearer ? await findByBearer(s.db, s.sealer, bearer) : null;
    if (!who) throw new Unauthorized('send a live agent token: Authorization: Bearer <token> (OTEL_EXPORTER_OTLP_HEADERS)', 'bad_token');
    ctx.state.otlpSender = who;
    await next();
  };
  const handle = (signal: 'metrics' | 'logs') => async (ctx: Context, input: { body: Record<string, unknown[]> }) => {
    const who = ctx.state.otlpSender as { id: number; user_id: number };
    const r = signal === 'metrics' ? await receiveMetrics(s, who, input.body) : await receiveLogs(s, who, input.body);
    s.metrics.eventsAccepted.inc(r.accepted);
    ctx.status = 200;
    ctx.body = r.rejected > 0
      ? { partialSuccess: { [signal === 'metrics' ? 'rejectedDataPoints' : 'rejectedLogRecords']: String(r.rejected), errorMessage: `${r.rejected} usage record(s) without a model, time or valid counts were dropped` } }
      : {};
  };
  const metrics = exportOf('resourceMetrics', 'ExportMetricsServiceRequest');
  const logs = exportOf('resourceLogs', 'ExportLogsServiceRequest');
  const count: Middleware = (_ctx, next) => next().catch((err: unknown) => {
    if (err instanceof AppError) s.metrics.batchesRejected.inc({ reason: `otlp_${err.status}` });
    throw err;
  });
  return [
    route({ method: 'POST', path: '/v1/metrics', access: open, before: [count, authenticate], body: BODY, input: metrics, handler: handle('metrics') }),
    route({ method: 'POST', path: '/v1/logs', access: open, before: [count, authenticate], body: BODY, input: logs, handler: handle('logs') }),
    route({ method: 'POST', path: '/otlp/:token/v1/metrics', access: open, before: [count, authenticate], body: BODY, input: metrics, handler: handle('metrics') }),
    route({ method: 'POST', path: '/otlp/:token/v1/logs', access: open, before: [count, authenticate], body: BODY, input: logs, handler: handle('logs') }),
  ];
}
