// `tokenboard budget …`, `tokenboard alert …` and `tokenboard digest`: thin shells over the
// budget and alert domain functions. cli.ts hands in its argument parser and services.
import type { ParseArgsConfig } from 'node:util';
import type { Services } from '../services.ts';
import { CLI_ACTOR } from '../admin/audit.ts';
import { listBudgets, removeBudget, setBudget, subjectText } from '../budgets/budgets.ts';
import { budgetStatuses } from '../budgets/spend.ts';
import { PERIOD_WORDS } from '../budgets/period.ts';
import { addDestination, listDestinations, testDestination } from './destinations.ts';
import { sendNow, type Attempted } from './deliver.ts';
import { sendDigest, weeklyDigest } from './digest.ts';

export interface CliTools {
  parse(args: string[], options: ParseArgsConfig['options'], positionals: number): { values: Record<string, string | boolean | undefined>; positionals: string[] };
  services<T>(fn: (s: Services) => Promise<T>): Promise<T>;
  usage(message: string): Error;
  out(s: string): void;
  err(s: string): void;
}

const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);

function idOf(t: CliTools, raw: string, what: string): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id < 1) throw t.usage(`${what}: "${raw}" is not an id (see "tokenboard ${what} list")`);
  return id;
}

export async function budgetCommand(sub: string | undefined, rest: string[], t: CliTools): Promise<number> {
  if (sub === 'set') {
    const { values } = t.parse(rest, {
      user: { type: 'string' }, team: { type: 'string' }, org: { type: 'boolean' }, period: { type: 'string' },
      'limit-usd': { type: 'string' }, 'limit-tokens': { type: 'string' }, thresholds: { type: 'string' },
    }, 0);
    const scopes = [values.user !== undefined && 'user', values.team !== undefined && 'team', values.org && 'org'].filter(Boolean) as string[];
    if (scopes.length !== 1) throw t.usage('budget set: give exactly one of --user LOGIN, --team SLUG or --org');
    if (!values.period) throw t.usage('budget set: --period week|month is required');
    const { budget, created } = await t.services((s) => setBudget(s.db, {
      scope: scopes[0], subject: str(values.user) ?? str(values.team) ?? null, period: String(values.period),
      limit_usd: str(values['limit-usd']) ?? null, limit_tokens: str(values['limit-tokens']) ?? null, thresholds: str(values.thresholds) ?? null,
    }, CLI_ACTOR));
    t.out(JSON.stringify({
      id: budget.id, scope: budget.scope, subject: budget.scope === 'user' ? budget.login : budget.team, period: budget.period,
      limit_usd: budget.limit_usd, limit_tokens: budget.limit_tokens, thresholds: budget.thresholds, created,
    }));
    return 0;
  }
  if (sub === 'list') {
    const { values } = t.parse(rest, { json: { type: 'boolean' } }, 0);
    const statuses = await t.services(async (s) => budgetStatuses(s.db, await listBudgets(s.db), s.calendar().dayOf(Date.now())));
    const rows = statuses.map((st) => ({
      id: st.budget.id, scope: st.budget.scope, subject: st.budget.scope === 'user' ? st.budget.login : st.budget.team, period: st.budget.period,
      limit_usd: st.budget.limit_usd, limit_tokens: st.budget.limit_tokens, thresholds: st.budget.thresholds,
      period_start: st.period.start, period_end: st.period.end, spent_usd: Math.round(st.spend.spent_usd * 100) / 100, tokens: st.spend.tokens,
      unpriced_tokens: st.spend.unpriced_tokens, percent: Math.floor(st.fraction * 100 + 1e-9),
    }));
    if (values.json) t.out(JSON.stringify(rows));
    else {
      t.out(['id', 'for', 'period', 'limit', 'thresholds', 'used'].join('\t'));
      for (const r of rows) {
        const limit = r.limit_usd !== null ? `$${r.limit_usd}` : `${r.limit_tokens} tokens`;
        const used = r.limit_usd !== null ? `$${r.spent_usd.toFixed(2)}` : `${r.tokens} tokens`;
        t.out([r.id, subjectText(statuses.find((st) => st.budget.id === r.id)!.budget), r.period, limit, r.thresholds.join(','),
          `${used} (${r.percent}%) since ${r.period_start}${r.unpriced_tokens ? `; ${r.unpriced_tokens} tokens of models without a price not in the cost` : ''}`].join('\t'));
      }
    }
    return 0;
  }
  if (sub === 'remove') {
    const { positionals } = t.parse(rest, {}, 1);
    const b = await t.services((s) => removeBudget(s.db, idOf(t, positionals[0], 'budget'), CLI_ACTOR));
    t.out(`removed budget ${b.id} (${subjectText(b)}, ${PERIOD_WORDS[b.period].adjective})`);
    return 0;
  }
  throw t.usage(`unknown command "budget ${sub ?? ''}"; use "budget set", "budget list" or "budget remove ID"`);
}

function attemptLine(a: Attempted): string {
  if (a.outcome === 'delivered') return `delivered (HTTP ${a.http_status})`;
  return `${a.outcome === 'retry' ? 'not delivered yet, will retry' : 'failed'}: ${a.error}`;
}

export async function alertCommand(sub: string | undefined, rest: string[], t: CliTools): Promise<number> {
  if (sub === 'add') {
    const { values } = t.parse(rest, { kind: { type: 'string' }, url: { type: 'string' }, secret: { type: 'string' }, events: { type: 'string' } }, 0);
    if (!values.kind || !values.url) throw t.usage('alert add: --kind slack|webhook and --url URL are required');
    const { destination: d, generated_secret } = await t.services((s) => addDestination(s, { kind: String(values.kind), url: String(values.url), secret: str(values.secret), events: str(values.events) }, CLI_ACTOR));
    t.out(JSON.stringify({ id: d.id, kind: d.kind, url: d.url_hint, events: d.events, signed: d.signed, ...(generated_secret ? { secret: generated_secret } : {}) }));
    if (generated_secret) t.err('the signing secret above is shown only this once: give it to the receiver (see README, "Budgets and alerts")');
    return 0;
  }
  if (sub === 'list') {
    const { values } = t.parse(rest, { json: { type: 'boolean' } }, 0);
    const list = await t.services((s) => listDestinations(s));
    if (values.json) t.out(JSON.stringify(list));
    else {
      t.out(['id', 'kind', 'url', 'events', 'status'].join('\t'));
      for (const d of list) t.out([d.id, d.kind, d.url_hint, d.events.join(','), d.failing ? `failing: ${d.last_error}` : d.pending ? `ok, ${d.pending} waiting` : 'ok'].join('\t'));
    }
    return 0;
  }
  if (sub === 'test') {
    const { positionals } = t.parse(rest, {}, 1);
    const a = await t.services((s) => testDestination(s, idOf(t, positionals[0], 'alert'), CLI_ACTOR));
    (a.outcome === 'delivered' ? t.out : t.err)(`test alert ${attemptLine(a)}`);
    return a.outcome === 'delivered' ? 0 : 1;
  }
  throw t.usage(`unknown command "alert ${sub ?? ''}"; use "alert add", "alert list" or "alert test ID"`);
}

/** `digest` prints the digest as JSON; `digest --send` sends it to the destinations subscribed to digests, now. */
export async function digestCommand(args: string[], t: CliTools): Promise<number> {
  const { values } = t.parse(args, { send: { type: 'boolean' } }, 0);
  if (!values.send) {
    t.out(JSON.stringify(await t.services((s) => weeklyDigest(s))));
    return 0;
  }
  const results = await t.services(async (s) => {
    const { sent } = await sendDigest(s);
    return sent && sent.deliveries.length ? sendNow(s, sent.deliveries.map((id) => ({ id, attempts: 0 }))) : [];
  });
  if (results.length === 0) {
    t.err('no destination is subscribed to digests: add one with "tokenboard alert add … --events digest"');
    return 1;
  }
  for (const r of results) t.out(`digest: delivery ${r.delivery} ${attemptLine(r)}`);
  return results.every((r) => r.outcome === 'delivered') ? 0 : 1;
}
