// OTLP/HTTP JSON receiver: POST /v1/metrics and /v1/logs from the CLIs' own telemetry,
// authenticated with `Authorization: Bearer <agent token>`. gzip accepted. Bodies are
// never logged; only counts and model names are read from them.
import Router from '@koa/router';
import getRawBody from 'raw-body';
import { gunzipSync } from 'node:zlib';
import type { Context } from 'koa';
import type { Services } from '../../services.ts';
import { findByBearer } from '../../users/tokens.ts';
import { receiveLogs, receiveMetrics } from '../../otlp/receive.ts';

const MAX_WIRE_BYTES = 4 * 1024 * 1024;
const MAX_JSON_BYTES = 16 * 1024 * 1024;

class OtlpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

async function readJson(ctx: Context): Promise<unknown> {
  const type = (ctx.get('content-type') || '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-protobuf') throw new OtlpError(415, 'OTLP protobuf is not supported; export OTLP/HTTP JSON (OTEL_EXPORTER_OTLP_PROTOCOL=http/json)');
  if (type !== 'application/json') throw new OtlpError(415, 'content-type must be application/json (OTLP/HTTP JSON)');
  let raw: Buffer;
  try {
    raw = await getRawBody(ctx.req, { limit: MAX_WIRE_BYTES, length: ctx.get('content-length') || undefined });
  } catch (err) {
    if ((err as { type?: string }).type === 'entity.too.large') throw new OtlpError(413, `body over ${MAX_WIRE_BYTES} bytes; lower the exporter's batch size`);
    throw new OtlpError(400, 'body could not be read');
  }
  const encoding = (ctx.get('content-encoding') || 'identity').toLowerCase();
  if (encoding === 'gzip') {
    try {
      raw = gunzipSync(raw, { maxOutputLength: MAX_JSON_BYTES });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new OtlpError(413, `body over ${MAX_JSON_BYTES} bytes once unzipped`);
      throw new OtlpError(400, 'content-encoding is gzip but the body is not valid gzip');
    }
  } else if (encoding !== 'identity') {
    throw new OtlpError(415, `content-encoding ${encoding} is not supported; use gzip or none`);
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new OtlpError(400, 'body is not valid JSON');
  }
}

export function otlpRouter(s: Services): Router {
  const router = new Router();
  const handle = (signal: 'metrics' | 'logs') => async (ctx: Context) => {
    try {
      // Bearer header (Claude Code, Codex), or the token in the path for exporters that
      // cannot set headers (Gemini CLI: /otlp/<token>/v1/logs).
      const m = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'));
      const bearer = m?.[1] ?? (typeof ctx.params?.token === 'string' ? ctx.params.token : null);
      const who = bearer ? await findByBearer(s.db, s.sealer, bearer) : null;
      if (!who) throw new OtlpError(401, 'send a live agent token: Authorization: Bearer <token> (OTEL_EXPORTER_OTLP_HEADERS)');
      const body = await readJson(ctx);
      const top = signal === 'metrics' ? 'resourceMetrics' : 'resourceLogs';
      if (!body || typeof body !== 'object' || Array.isArray(body) || !Array.isArray((body as Record<string, unknown>)[top])) {
        throw new OtlpError(400, `body must be an OTLP Export${signal === 'metrics' ? 'Metrics' : 'Logs'}ServiceRequest with a "${top}" array`);
      }
      const r = signal === 'metrics' ? await receiveMetrics(s, who, body) : await receiveLogs(s, who, body);
      s.metrics.eventsAccepted.inc(r.accepted);
      ctx.status = 200;
      ctx.body = r.rejected > 0
        ? { partialSuccess: { [signal === 'metrics' ? 'rejectedDataPoints' : 'rejectedLogRecords']: String(r.rejected), errorMessage: `${r.rejected} usage record(s) without a model, time or valid counts were dropped` } }
        : {};
    } catch (err) {
      if (!(err instanceof OtlpError)) throw err;
      s.metrics.batchesRejected.inc({ reason: `otlp_${err.status}` });
      ctx.status = err.status;
      ctx.body = { error: err.message };
    }
  };
  router.post('/v1/metrics', handle('metrics'));
  router.post('/v1/logs', handle('logs'));
  router.post('/otlp/:token/v1/metrics', handle('metrics'));
  router.post('/otlp/:token/v1/logs', handle('logs'));
  return router;
}
