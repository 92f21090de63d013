// `npm run drill -- kill [--db postgres]`: the server (the built one, its own process) is
// SIGKILLed 5 times while batches are in flight, and restarted each time on the same data
// dir (same database) and port. Throughout, 5 real agents (the bundle, `agent run`, each
// in a HOME of its own, flushing every 500 ms) count the requests a driver sends through
// their proxies to a fake provider, and 40 simulated agents post signed batches of up to
// 200 events about every 500 ms, resending (signed afresh) what got no answer, as the
// agent's outbox does. Traffic lasts DRILL_SECONDS (40) in all. A restart that does not
// come up within 60 s counts as failed (the drill fails) and is tried again. Afterwards every event is stored
// exactly once: each person's raw events, daily rollups and read model hold exactly what
// was sent (the proxied requests × the provider's usage, the simulated batches' sums).
import http from 'node:http';
import { accounts, cores, ensureBuilt, figure, freePort, newStore, rng, startServerProcess, type ServerProcess } from '../bench/_lib.ts';
import { compare, drainedAgents, drillSeconds, Latencies, progress, serverLog, SimAgent, sleep, startRealAgents, storedTotals } from './_common.ts';

const KILLS = 5;
const REAL_AGENTS = 5;
const SIM_AGENTS = 40;
const FLUSH_MS = 500;
const SECONDS = drillSeconds(40);
// A simulated agent pauses about this long between batches (as a busy agent flushing every
// 500 ms). DRILL_BACK_TO_BACK=1: no pause, the writer saturated for the whole drill.
const PAUSE_MS = process.env.DRILL_BACK_TO_BACK === '1' ? 0 : 500;
/** How long a restart may take before it counts as failed (and the server is started again, as a supervisor would). */
const START_TIMEOUT_MS = 60_000;

export default async function killDrill(): Promise<boolean> {
  ensureBuilt();
  const store = await newStore();
  const env = store.env();
  const simAccts = await accounts(env, Array.from({ length: SIM_AGENTS }, (_, i) => `sim${String(i).padStart(2, '0')}`));
  const realAccts = await accounts(env, Array.from({ length: REAL_AGENTS }, (_, i) => `real${i}`));
  const port = await freePort();
  const log = serverLog();
  let starts = 0;
  const failedStarts: string[] = [];
  const start = async (): Promise<ServerProcess> => {
    for (;;) {
      const n = ++starts;
      // What the server said besides its access log: why a start failed.
      const said: string[] = [];
      try {
        return await startServerProcess(env, port, {
          onLine: (l) => { log.onLine(`[server ${n}] ${l}`); if (!/ http method=/.test(l)) said.push(l); },
          timeoutMs: START_TIMEOUT_MS,
        });
      } catch (err) {
        const why = (said.length ? said : [String((err as Error).message).split('\n')[0]]).slice(-2).join(' | ').slice(0, 300);
        failedStarts.push(why);
        progress(`start ${n} failed: ${why}`);
        if (failedStarts.length >= 5) throw err;
      }
    }
  };
  let server: ServerProcess = await start();
  const url = server.url;
  const real = await startRealAgents(realAccts, url, FLUSH_MS);
  const sims = simAccts.map((a, i) => new SimAgent(a, 2000 + i, 200));
  const lat = new Latencies();
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: SIM_AGENTS });
  const proxyAgent = new http.Agent({ keepAlive: true, maxSockets: REAL_AGENTS });
  const random = rng(7);

  let running = true;
  const traffic = [
    ...sims.map(async (sim) => {
      while (running) {
        await sim.deliver(() => url, httpAgent, () => lat);
        await sleep(PAUSE_MS * (0.5 + random()));
      }
    }),
    (async () => {
      while (running) {
        await real.round(proxyAgent);
        await sleep(20);
      }
    })(),
  ];

  const gapMs = (SECONDS * 1000) / (KILLS + 1);
  const kills: { in_flight: number; restart_ms: number }[] = [];
  for (let k = 0; k < KILLS; k++) {
    await sleep(gapMs);
    // Mid-batch: wait for a batch on the wire, then a little longer so some die inside
    // their transaction and some before it — but a batch is answered in a few ms, so if
    // none is on the wire any more after the wait, wait for the next one.
    let inFlight = 0;
    for (const until = Date.now() + 5000; inFlight === 0 && Date.now() < until;) {
      while (lat.inFlight === 0 && Date.now() < until) await sleep(1);
      await sleep(random() * 4);
      inFlight = lat.inFlight;
    }
    progress(`kill ${k + 1}/${KILLS}: SIGKILL with ${inFlight} batch(es) in flight`);
    await server.kill();
    const t0 = performance.now();
    server = await start();
    kills.push({ in_flight: inFlight, restart_ms: Math.round(performance.now() - t0) });
    progress(`kill ${k + 1}/${KILLS}: restarted in ${kills[k].restart_ms} ms`);
  }
  await sleep(gapMs);
  running = false;
  await Promise.all(traffic);
  progress(`traffic stopped (${real.agents.reduce((n, a) => n + a.proxied, 0)} proxied requests); waiting for the agents' queues`);
  // Everything the real agents counted reaches the server (their queues empty), then
  // they stop (SIGTERM: an agent sends what it still holds first).
  const drained = await drainedAgents(real, 180_000);
  const statuses = await Promise.all(real.agents.map((a) => real.status(a)));
  const expected = new Map([...sims.map((s) => [s.acct.user_id, s.sent] as const), ...real.expected()]);
  const proxied = real.agents.reduce((n, a) => n + a.proxied, 0);
  await real.stop();
  httpAgent.destroy();
  proxyAgent.destroy();
  await server.stop();

  const c = compare(expected, await storedTotals(env));
  store.remove();
  const rejected = statuses.reduce((n, s) => n + s.rejected, 0);
  const midBatch = kills.filter((k) => k.in_flight > 0).length;
  const ok = c.lost === 0 && c.doubled === 0 && c.token_mismatches.length === 0 && drained && rejected === 0 && midBatch === KILLS && failedStarts.length === 0;
  const common = { db: store.engine, seconds: SECONDS, cores: cores() };
  figure('kill', 'kills', {
    value: kills.length, mid_batch: midBatch, in_flight_at_kill: kills.map((k) => k.in_flight), restart_ms: kills.map((k) => k.restart_ms),
    failed_starts: failedStarts.length, failed_start_errors: failedStarts.slice(0, 3), ok: midBatch === KILLS && failedStarts.length === 0, ...common,
  });
  figure('kill', 'lost', { value: c.lost, target: 0, ok: c.lost === 0, expected_events: c.expected_events, stored_events: c.stored_events, ...common });
  figure('kill', 'doubled', { value: c.doubled, target: 0, ok: c.doubled === 0 && c.token_mismatches.length === 0, token_mismatches: c.token_mismatches, ...common });
  figure('kill', 'real_agents', {
    agents: REAL_AGENTS, flush_ms: FLUSH_MS, proxied_events: proxied, queues_drained: drained, queue_left: statuses.map((s) => s.queue),
    set_aside: rejected, delivered: statuses.reduce((n, s) => n + s.delivered, 0), ok: drained && rejected === 0, ...common,
  });
  figure('kill', 'simulated_agents', {
    agents: SIM_AGENTS, pause_ms: PAUSE_MS, max_events: 200, answers: lat.statuses, resent_events_answered_as_duplicates: lat.duplicates, server_error_lines: log.errors.length, first_errors: log.errors.slice(0, 3), ...common,
  });
  return ok;
}
