// Fake Anthropic APIs on 127.0.0.1 for the replica test: the Admin API's usage report for
// one person, with a page the test can hold so a replica dies mid-job, and the Messages
// API behind the agent's proxy, with usage the test can add up by hand.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface FakeAdminApi {
  url: string;
  /** messages:first, messages:p2, ... in the order asked. */
  hits: string[];
  /** Resolves when the second page of the usage report is first asked for (its answer is held). */
  secondPageAsked: Promise<void>;
  release(): void;
  close(): Promise<void>;
}

/**
 * Anthropic's Admin API for one person over 2026-10-01..04: one usage-report page per day
 * (day d: 1000·d input and 10·d output tokens), each answered after a short delay; the
 * first request for page 2 is held until release().
 */
export async function fakeAdminApi(key: string): Promise<FakeAdminApi> {
  const hits: string[] = [];
  let asked!: () => void;
  const secondPageAsked = new Promise<void>((r) => { asked = r; });
  let release!: () => void;
  const released = new Promise<void>((r) => { release = r; });
  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url!, 'http://x');
    const send = (status: number, body: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
    if (req.headers['x-api-key'] !== key) return send(401, { error: { message: 'invalid x-api-key' } });
    if (u.pathname === '/v1/organizations/users') return send(200, { data: [{ id: 'user_ana', email: 'ana@acme.dev' }], has_more: false });
    if (u.pathname === '/v1/organizations/usage_report/claude_code') return send(200, { data: [], has_more: false, next_page: null });
    if (u.pathname !== '/v1/organizations/usage_report/messages') return send(404, { error: { message: 'no such route' } });
    const page = u.searchParams.get('page') ?? 'first';
    hits.push(`messages:${page}`);
    if (page === 'p2' && hits.filter((h) => h === 'messages:p2').length === 1) {
      asked();
      await released;
    }
    await sleep(100);
    const d = page === 'first' ? 1 : Number(page.slice(1));
    send(200, {
      data: [{ starting_at: `2026-10-0${d}T00:00:00Z`, ending_at: `2026-10-0${d + 1}T00:00:00Z`, results: [
        { uncached_input_tokens: 1000 * d, output_tokens: 10 * d, cache_read_input_tokens: 0, cache_creation: {}, account_id: 'user_ana', api_key_id: 'apikey_1', model: 'claude-haiku-4-5' },
      ] }],
      has_more: d < 4, next_page: d < 4 ? `p${d + 1}` : null,
    });
  });
  server.on('clientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, secondPageAsked, release,
    close: () => new Promise<void>((r) => { release(); server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** Anthropic's Messages API: the request's `question N` is answered with N input and 2 output tokens. */
export async function fakeAnthropic(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = Number(/question (\d+)/.exec(Buffer.concat(chunks).toString())?.[1]);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        id: `msg_replica_${n}`, type: 'message', role: 'assistant', model: 'claude-haiku-4-5', content: [{ type: 'text', text: 'ok' }],
        stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: n, output_tokens: 2, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}
