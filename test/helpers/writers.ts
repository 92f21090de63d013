// Signed ingest writers for load tests: each sends batches of events with ids of its own
// until told to stop, and delivers every batch it started before it stops, as the agent
// would: no answer (or 502/503/504) → the same signed request once more, then a freshly
// signed one. The tally is what the database must hold afterwards.
import { signedHeaders } from '../../agent/wire.ts';
import type { Agent } from './app.ts';
import { event } from './app.ts';

export interface Tally {
  batches: number;
  /** Events sent, each id once; their token sums. */
  events: number;
  input_tokens: number;
  output_tokens: number;
  /** From 200 answers. */
  accepted: number;
  duplicates: number;
  /** 409 answers: that exact request was stored by an earlier attempt (ours, or nginx's retry). */
  replays: number;
  /** Attempts that got no answer from a replica (connection lost, 502/503/504). */
  unanswered: number;
}

export const newTally = (): Tally => ({ batches: 0, events: 0, input_tokens: 0, output_tokens: 0, accepted: 0, duplicates: 0, replays: 0, unanswered: 0 });

const RETRY = new Set([0, 502, 503, 504]);

async function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  try {
    const res = await fetch(`${url}/api/ingest`, { method: 'POST', headers, body });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try { json = JSON.parse(text); } catch { json = { raw: text.slice(0, 200) }; }
    return { status: res.status, json };
  } catch {
    return { status: 0, json: {} };
  }
}

/** Delivers one batch: resolves once a 200 or 409 said it is stored. */
async function deliver(url: string, agent: Agent, size: number, body: string, tally: Tally): Promise<void> {
  for (;;) {
    const headers = signedHeaders(agent.user_id, agent.token, body, Date.now());
    for (let same = 0; same < 2; same++) {
      const r = await post(url, headers, body);
      if (r.status === 200) {
        const accepted = Number(r.json.accepted);
        const duplicates = Number(r.json.duplicates);
        if (accepted + duplicates !== size) throw new Error(`200 with accepted ${accepted} + duplicates ${duplicates} for a batch of ${size}`);
        tally.accepted += accepted;
        tally.duplicates += duplicates;
        return;
      }
      if (r.status === 409) { tally.replays++; return; }
      if (!RETRY.has(r.status)) throw new Error(`ingest answered ${r.status}: ${JSON.stringify(r.json)}`);
      tally.unanswered++;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Sends batches of `size` events until `stop()` is true. Event k (1, 2, ...) of the writer
 * has input_tokens k % 7 + 1 and output_tokens k % 3; the tally adds them up as it goes.
 */
export async function writer(url: string, agent: Agent, name: string, size: number, stop: () => boolean, tally: Tally): Promise<void> {
  let k = 0;
  while (!stop()) {
    const events = Array.from({ length: size }, () => {
      k++;
      return event({ id: `${name}-${k}`, input_tokens: k % 7 + 1, output_tokens: k % 3, ts: Date.now() - 1000 });
    });
    tally.batches++;
    tally.events += size;
    for (const e of events) { tally.input_tokens += e.input_tokens; tally.output_tokens += e.output_tokens; }
    await deliver(url, agent, size, JSON.stringify({ events }), tally);
  }
}
