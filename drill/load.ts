// `npm run drill -- load [--db postgres]`: one server (the built one, its own process)
// under 200 simulated agents, each posting a signed batch (1-20 events, ids of their own)
// every 3 s, and 50 signed-in viewers polling the live leaderboard table (the htmx
// fragment the page swaps every 3 s) for DRILL_SECONDS (60). Afterwards the server's raw
// events, daily rollups and read model are compared with what the agents were told was
// stored. Invariants: 0 errors (no answer but 200, no error line in the server's log),
// 0 lost, 0 doubled, every token sum equal. Figures: p50/p99 of ingest and of the table
// (from the client: queueing on this machine's 2 cores included), the server's RSS.
import http from 'node:http';
import { accounts, cores, ensureBuilt, figure, freePort, loginLinks, newStore, rssMb, signInWithLink, startServerProcess, type HttpSession } from '../bench/_lib.ts';
import { compare, drillSeconds, Latencies, serverLog, SimAgent, sleep, storedTotals } from './_common.ts';

const AGENTS = 200;
const VIEWERS = 50;
const EVERY_MS = 3000;
const SECONDS = drillSeconds(60);

/** Runs `fn` every EVERY_MS from `offset` until the deadline, on a fixed schedule (a slow answer does not push the next one back). */
async function every(start: number, offset: number, deadline: number, fn: () => Promise<void>): Promise<void> {
  for (let k = 0; ; k++) {
    const at = start + offset + k * EVERY_MS;
    if (at >= deadline) return;
    const wait = at - performance.now();
    if (wait > 0) await sleep(wait);
    await fn();
  }
}

/** The URL the live table polls, as the page names it (hx-get of #lb-table). */
async function liveTableUrl(s: HttpSession): Promise<string> {
  const page = await (await s.fetch('/', { headers: { accept: 'text/html' } })).text();
  const m = /<div id="lb-table"[^>]*hx-get="([^"]+)"/.exec(page);
  if (!m) throw new Error('load drill: the leaderboard has no live table');
  return m[1].replace(/&amp;/g, '&');
}

export default async function loadDrill(): Promise<boolean> {
  ensureBuilt();
  const store = await newStore();
  const env = store.env();
  const agentAccts = await accounts(env, Array.from({ length: AGENTS }, (_, i) => `agent${String(i).padStart(3, '0')}`));
  const viewerLogins = Array.from({ length: VIEWERS }, (_, i) => `viewer${String(i).padStart(2, '0')}`);
  await accounts(env, viewerLogins);
  const port = await freePort();
  const log = serverLog();
  const server = await startServerProcess(env, port, { onLine: log.onLine });
  const links = await loginLinks(env, viewerLogins, server.url);
  const viewers: { session: HttpSession; url: string }[] = [];
  for (const link of links) {
    const { session } = await signInWithLink(link);
    viewers.push({ session, url: await liveTableUrl(session) });
  }

  const sims = agentAccts.map((a, i) => new SimAgent(a, 1000 + i));
  const ingest = new Latencies();
  const table = new Latencies();
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: AGENTS });
  const rss: number[] = [];
  const sampler = setInterval(() => { const r = rssMb(server.child.pid); if (r !== null) rss.push(r); }, 1000);
  const rssStart = rssMb(server.child.pid);

  const start = performance.now();
  const deadline = start + SECONDS * 1000;
  await Promise.all([
    ...sims.map((sim, i) => every(start, (i * EVERY_MS) / AGENTS, deadline, async () => { await sim.post(server.url, sim.make(), httpAgent, ingest); })),
    ...viewers.map((v, i) => every(start, (i * EVERY_MS) / VIEWERS, deadline, async () => {
      const t0 = performance.now();
      try {
        const res = await v.session.fetch(v.url, { headers: { accept: 'text/html', 'HX-Request': 'true', 'HX-Target': 'lb-table' } });
        const body = await res.text();
        // A 200 that is not the table (a sign-in page, an error fragment) is an error too.
        table.note(res.status === 200 && body.trimStart().startsWith('<div id="lb-table"') ? 200 : `${res.status}-not-the-table`, performance.now() - t0);
      } catch (err) {
        table.note((err as NodeJS.ErrnoException).code ?? 'network');
      }
    })),
  ]);
  const secs = (performance.now() - start) / 1000;
  clearInterval(sampler);
  const rssEnd = rssMb(server.child.pid);
  httpAgent.destroy();
  await server.stop();

  const expected = new Map(sims.map((s) => [s.acct.user_id, s.sent]));
  const c = compare(expected, await storedTotals(env));
  store.remove();

  const bad = (l: Latencies) => Object.entries(l.statuses).filter(([k]) => k !== '200').reduce((n, [, v]) => n + v, 0);
  const errors = bad(ingest) + bad(table) + log.errors.length;
  const common = { db: store.engine, seconds: Math.round(secs), cores: cores() };
  const batches = Object.values(ingest.statuses).reduce((a, b) => a + b, 0);
  figure('load', 'errors', { value: errors, target: 0, ok: errors === 0, ingest_answers: ingest.statuses, table_answers: table.statuses, server_log_errors: log.errors.slice(0, 5), ...common });
  figure('load', 'lost', { value: c.lost, target: 0, ok: c.lost === 0, expected_events: c.expected_events, stored_events: c.stored_events, ...common });
  figure('load', 'doubled', { value: c.doubled, target: 0, ok: c.doubled === 0 && c.token_mismatches.length === 0, token_mismatches: c.token_mismatches, ...common });
  figure('load', 'ingest_ms', { ...ingest.summary(), agents: AGENTS, every_ms: EVERY_MS, batches, events: c.expected_events, ...common });
  figure('load', 'live_table_ms', { ...table.summary(), viewers: VIEWERS, every_ms: EVERY_MS, ...common });
  figure('load', 'server_rss_mb', { value: Math.max(...rss, rssEnd ?? 0), start: rssStart, end: rssEnd, unit: 'MB (peak of 1 s samples)', ...common });
  return errors === 0 && c.lost === 0 && c.doubled === 0 && c.token_mismatches.length === 0;
}
