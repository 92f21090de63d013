// OTLP receiver state (otlp_state): the last value of each cumulative metric series per
// person, and flags (a person whose Claude Code sends api_request log events).
import { num } from '../dialect.ts';
import type { Sql } from '../sql.ts';

export async function setFlag(q: Sql, userId: number, flag: string): Promise<void> {
  await q.run("INSERT INTO otlp_state (user_id, series, start_ns, value) VALUES (?, ?, '', 1) ON CONFLICT DO NOTHING", [userId, flag]);
}

export async function hasFlag(q: Sql, userId: number, flag: string): Promise<boolean> {
  return (await q.all('SELECT 1 AS x FROM otlp_state WHERE user_id = ? AND series = ?', [userId, flag])).length > 0;
}

export async function series(q: Sql, userId: number, names: string[]): Promise<Map<string, { start_ns: string; value: number }>> {
  const out = new Map<string, { start_ns: string; value: number }>();
  for (let i = 0; i < names.length; i += 500) {
    const part = names.slice(i, i + 500);
    const rows = await q.all<{ series: string; start_ns: string; value: number }>(
      `SELECT series, start_ns, value FROM otlp_state WHERE user_id = ? AND series IN (${part.map(() => '?').join(',')})`, [userId, ...part]);
    for (const r of rows) out.set(r.series, { start_ns: r.start_ns, value: num(r.value) });
  }
  return out;
}

export async function putSeries(q: Sql, userId: number, name: string, startNs: string, value: number): Promise<void> {
  await q.run(`INSERT INTO otlp_state (user_id, series, start_ns, value) VALUES (?, ?, ?, ?)
               ON CONFLICT (user_id, series) DO UPDATE SET start_ns = excluded.start_ns, value = excluded.value`, [userId, name, startNs, value]);
}
