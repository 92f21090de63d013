// The vendors' records as our events, as pure functions: Cursor's model names, usage events
// and date chunks; Copilot's per-user daily records, NDJSON and rate-limit waits.
import test from 'ava';
import { chunksOf, cursorEvent, cursorModel } from '../src/imports/cursor.ts';
import { copilotRecord, githubRetryDelay, parseNdjson } from '../src/imports/copilot.ts';
import type { RetryObject } from 'got';
import { dayFigures, meterOf, reconcileSlices } from '../src/ledger/rules.ts';
import { PriceTable } from '../src/pricing/table.ts';

test('Cursor model names become price-table ids; unknown ones stay visible', (t) => {
  t.is(cursorModel('claude-4.5-sonnet'), 'claude-sonnet-4-5');
  t.is(cursorModel('claude-4-sonnet-thinking'), 'claude-sonnet-4');
  t.is(cursorModel('claude-4.5-opus-high-thinking'), 'claude-opus-4-5');
  t.is(cursorModel('claude-3.7-sonnet'), 'claude-3.7-sonnet', 'Claude 3 ids already put the version first');
  t.is(cursorModel('gpt-5-high'), 'gpt-5');
  t.is(cursorModel('GPT-5'), 'gpt-5');
  t.is(cursorModel('gpt-5-mini'), 'gpt-5-mini');
  t.is(cursorModel('default'), 'cursor-auto');
  t.is(cursorModel(''), 'cursor-auto');
  t.is(cursorModel('composer-1'), 'composer-1');
});

test('a Cursor usage event: tokens as counted here, billed cents apart, an id from its own fields', (t) => {
  const e = {
    timestamp: '1750979225854', userEmail: 'Developer@Company.com', model: 'claude-4.5-sonnet', kind: 'Usage-based', maxMode: true,
    requestsCosts: 5, isTokenBasedCall: true, isChargeable: true, isHeadless: false,
    tokenUsage: { inputTokens: 126, outputTokens: 450, cacheWriteTokens: 6112, cacheReadTokens: 11964, totalCents: 20.18232 },
    chargedCents: 21.36232, cursorTokenFee: 1.18, isFreeBugbot: false,
  };
  const it = cursorEvent(e)!;
  t.like(it.event, {
    ts: 1750979225854, provider: 'cursor', model: 'claude-sonnet-4-5', source: 'cursor-admin', is_local: false,
    input_tokens: 126, output_tokens: 450, cache_write_tokens: 6112, cache_read_tokens: 11964, billed_cents: 21.36232,
  });
  t.is(it.event.messages, undefined, 'one event is one message');
  t.deepEqual(it.identities, [['email', 'developer@company.com']]);
  t.regex(it.event.id!, /^cu:[0-9a-f]{40}$/);
  // The same request billed differently later keeps its id; another person at the same millisecond does not.
  t.is(cursorEvent({ ...e, chargedCents: 30, kind: 'Included in Business' })!.event.id, it.event.id);
  t.not(cursorEvent({ ...e, userEmail: 'other@company.com' })!.event.id, it.event.id);
  // A request-based call has no tokenUsage: a message without tokens.
  const req = cursorEvent({ timestamp: '1750978339901', userEmail: 'a@b.c', model: 'claude-4-sonnet-thinking', kind: 'Included in Business', maxMode: true, isTokenBasedCall: false, chargedCents: 8 })!;
  t.like(req.event, { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, model: 'claude-sonnet-4', billed_cents: 8 });
  t.is(cursorEvent({ ...e, kind: 'Errored, Not Charged' }), null, 'a failed request makes no event');
  t.is(cursorEvent({ ...e, timestamp: 'soon' }), null);
});

test('Cursor ranges are read in chunks of at most 30 days', (t) => {
  t.deepEqual(chunksOf('2026-09-01', '2026-10-05'), [['2026-09-01', '2026-09-30'], ['2026-10-01', '2026-10-05']]);
  t.deepEqual(chunksOf('2026-10-01', '2026-10-01'), [['2026-10-01', '2026-10-01']]);
  t.is(chunksOf('2026-01-01', '2026-12-31').length, 13, '365 days: 12 × 30 + 5');
});

const record = {
  user_id: 1, user_login: 'OctoCat', day: '2026-10-01', organization_id: '9',
  user_initiated_interaction_count: 4, code_generation_activity_count: 12, code_acceptance_activity_count: 5,
  loc_suggested_to_add_sum: 40, loc_suggested_to_delete_sum: 0, loc_added_sum: 30, loc_deleted_sum: 2,
  totals_by_ide: [{ ide: 'vscode', code_generation_activity_count: 12 }],
  totals_by_feature: [{ feature: 'code_completion', code_generation_activity_count: 10 }, { feature: 'chat_panel_agent_mode', user_initiated_interaction_count: 4, code_generation_activity_count: 2 }, { feature: 'chat_inline' }],
  totals_by_model_feature: [{ model: 'claude-sonnet-4.5', feature: 'chat_panel_agent_mode', code_generation_activity_count: 2 }],
  totals_by_cli: { session_count: 1, request_count: 3, prompt_count: 2, token_usage: { avg_tokens_per_request: 2933.3, output_tokens_sum: 5000, prompt_tokens_sum: 3800 } },
  used_agent: true, used_chat: false, used_cli: true, etl_id: 'green', brand_new_field: { x: 1 },
};

test('a Copilot person-day: IDE activity as messages without tokens, CLI tokens as input and output', (t) => {
  const { items, activity } = copilotRecord(record, '2026-10-01')!;
  t.is(items.length, 2);
  const [ide, cli] = items;
  t.like(ide.event, { provider: 'github-copilot', source: 'github-copilot', model: 'copilot', messages: 12, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, ts: Date.parse('2026-10-01T12:00:00Z') });
  t.like(cli.event, { model: 'copilot-cli', messages: 3, input_tokens: 3800, output_tokens: 5000, cache_read_tokens: 0 });
  t.deepEqual(ide.identities, [['github_id', '1'], ['github_login', 'octocat']]);
  t.is(ide.label, 'OctoCat');
  t.like(activity, { day: '2026-10-01', interactions: 4, code_generations: 12, code_acceptances: 5, lines_added: 30, lines_removed: 2, cli_requests: 3, cli_prompt_tokens: 3800, cli_output_tokens: 5000 });
  t.deepEqual(activity.features, ['agent', 'chat_panel_agent_mode', 'cli', 'code_completion'], 'features with counts, and the day\'s flags');
  t.deepEqual(activity.ides, ['vscode']);
  t.deepEqual(activity.models, ['claude-sonnet-4.5']);
  // The same record gives the same ids (a re-import changes nothing).
  t.deepEqual(copilotRecord(record, '2026-10-01')!.items.map((i) => i.event.id), items.map((i) => i.event.id));
});

test('a Copilot record without CLI use, or with every count 0, invents nothing', (t) => {
  const { totals_by_cli: _cli, ...noCli } = record;
  t.deepEqual(copilotRecord({ ...noCli, used_cli: false }, '2026-10-01')!.items.map((i) => i.event.model), ['copilot']);
  const idle = copilotRecord({ user_id: 7, user_login: 'quiet', day: '2026-10-01', code_generation_activity_count: 0, totals_by_ide: [], totals_by_feature: [] }, '2026-10-01')!;
  t.deepEqual(idle.items, []);
  t.like(idle.activity, { interactions: 0, code_generations: 0, cli_requests: 0 });
  t.is(copilotRecord({ day: '2026-10-01', code_generation_activity_count: 3 }, '2026-10-01'), null, 'nobody to map it to');
});

test('NDJSON: one record a line, blank lines ignored, a broken line counted and skipped', (t) => {
  t.deepEqual(parseNdjson('{"a":1}\n\n{"a":2}\r\nnot json\n[1]\n'), { records: [{ a: 1 }, { a: 2 }], bad: 2 });
  t.deepEqual(parseNdjson('[{"a":1},{"a":2}]'), { records: [{ a: 1 }, { a: 2 }], bad: 0 });
});

const retry = (status: number, headers: Record<string, string>, body: unknown, computedValue = 1000, retryAfter?: number) =>
  ({ attemptCount: 1, computedValue, retryAfter, error: { response: { statusCode: status, headers, body } } } as unknown as RetryObject);

test('GitHub rate limits: wait for the reset or a minute; a refused token is not retried', (t) => {
  const now = 1_000_000_000_000;
  t.is(githubRetryDelay(retry(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 5) }, {}), now), 6000);
  t.is(githubRetryDelay(retry(429, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 3600) }, {}), now), 0, 'an hour away: stop, resume later');
  t.is(githubRetryDelay(retry(403, {}, { message: 'You have exceeded a secondary rate limit.' }), now), 60_000);
  t.is(githubRetryDelay(retry(403, {}, { message: 'Resource not accessible by personal access token' }), now), 0);
  t.is(githubRetryDelay(retry(403, { 'retry-after': '2' }, {}, 2000, 2000), now), 2000);
  t.is(githubRetryDelay(retry(502, {}, {}), now), 1000);
  t.is(githubRetryDelay(retry(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 5) }, {}, 0), now), 0, 'past the retry limit');
});

test("the reconciliation rule's meters: Copilot's report replaces the Copilot CLI's own export, nothing else of Copilot's", (t) => {
  const row = (provider: string, source: string, model: string, input: number, events: number) => ({ provider, model, source, is_local: false, tier: 0, input_tokens: input, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0, events });
  const slices = reconcileSlices([
    row('anthropic', 'claude-code', 'claude-sonnet-4-5', 1000, 2),
    row('anthropic', 'anthropic-admin', 'claude-sonnet-4-5', 1500, 1),
    row('anthropic', 'copilot-cli', 'claude-sonnet-4.5', 5000, 4),
    row('github-copilot', 'github-copilot', 'copilot-cli', 8800, 3),
    row('github-copilot', 'github-copilot', 'copilot', 0, 12),
    row('anthropic', 'copilot-vscode', 'claude-sonnet-4.5', 700, 2),
    row('cursor', 'cursor-admin', 'claude-sonnet-4-5', 300, 1),
  ], new PriceTable([]));
  const of = (source: string) => slices.find((s) => s.source === source)!;
  // Anthropic's report replaces Claude Code's logs, not Copilot's (GitHub served those).
  t.like(of('claude-code'), { tokens: 0, replaced_tokens: 1000, events: 2 });
  t.like(of('anthropic-admin'), { tokens: 1500, events: 0 });
  // Copilot's two rows are one slice (same provider and source): the CLI's 8,800 tokens
  // with the IDE's 12 messages (the CLI's 3 left out, the export counted them).
  t.like(of('github-copilot'), { tokens: 8800, events: 12 });
  // GitHub's CLI totals replace the CLI's own export; the export's 4 messages count, the report's 3 do not.
  t.like(of('copilot-cli'), { tokens: 0, replaced_tokens: 5000, events: 4 });
  // VS Code chat logs have no counterpart in the report (it has no IDE tokens): kept whole.
  t.like(of('copilot-vscode'), { tokens: 700, replaced_tokens: 0, events: 2 });
  t.like(of('cursor-admin'), { tokens: 300, events: 1 });
  // 1,500 + 8,800 + 0 + 700 + 300 tokens; 2 + 4 + 12 + 2 + 1 messages; 1,000 + 5,000 replaced.
  t.like(dayFigures(slices), { input_tokens: 11_300, events: 21, replaced_tokens: 6000 });
  t.is(meterOf({ provider: 'github-copilot', source: 'github-copilot', model: 'copilot' }), 'github-copilot');
  t.is(meterOf({ provider: 'openai', source: 'codex', model: 'gpt-5' }), 'openai');
});
