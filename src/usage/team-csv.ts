// GET /team.csv: the per-person table for spreadsheets, guarded against CSV injection as
// OWASP advises: every cell is quoted (so a `;` or `,` inside a name never splits it into a
// new cell, whatever the spreadsheet's separator), inner quotes doubled, and a text cell
// that starts like a formula (=, +, -, @, tab, CR, LF) gets a leading ' so it stays text.
import type { Db } from '../db/connect.ts';
import { csvSums, firstDays } from '../ledger/read.ts';
import { members } from './team.ts';
import type { TeamQuery } from './team.ts';

export const CSV_COLUMNS = ['login', 'name', 'teams', 'active_days', 'sessions', 'messages', 'input_tokens', 'output_tokens',
  'cache_read_tokens', 'cache_write_tokens', 'total_tokens', 'estimated_cost_usd', 'cost_partial', 'last_active'] as const;

export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r\n]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export function toCsv(rows: Record<string, unknown>[], columns: readonly string[]): string {
  return [columns.map(csvCell).join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\r\n') + '\r\n';
}

export async function teamCsv(db: Db, query: TeamQuery): Promise<string> {
  const { range } = query;
  const people = await members(db, query.team ?? null);
  const byUser = new Map((await csvSums(db, range)).map((r) => [r.user_id, r]));
  const lastEver = new Map((await firstDays(db)).map((r) => [r.user_id, r.last_day]));
  const out = people.map((m) => {
    const s = byUser.get(m.id);
    const n = (k: 'active_days' | 'sessions' | 'events' | 'input_tokens' | 'output_tokens' | 'cache_read_tokens' | 'cache_write_tokens' | 'cost_usd' | 'unpriced_tokens') => s?.[k] ?? 0;
    return {
      login: m.login, name: m.name ?? '', teams: m.teams.join(' '),
      active_days: n('active_days'), sessions: n('sessions'), messages: n('events'),
      input_tokens: n('input_tokens'), output_tokens: n('output_tokens'), cache_read_tokens: n('cache_read_tokens'), cache_write_tokens: n('cache_write_tokens'),
      total_tokens: n('input_tokens') + n('output_tokens') + n('cache_read_tokens') + n('cache_write_tokens'),
      estimated_cost_usd: (Math.round(n('cost_usd') * 100) / 100).toFixed(2),
      cost_partial: n('unpriced_tokens') > 0 ? 'yes' : 'no',
      last_active: lastEver.get(m.id) ?? '',
    };
  });
  return toCsv(out, CSV_COLUMNS);
}
