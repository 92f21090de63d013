// Key/value settings (settings): org settings from the admin panel and a few markers.
import type { Sql } from '../sql.ts';
import { bumpVersion } from './versions.ts';

export async function all(q: Sql): Promise<Map<string, string>> {
  return new Map((await q.all<{ key: string; value: string }>('SELECT key, value FROM settings')).map((r) => [r.key, r.value]));
}

export async function get(q: Sql, key: string): Promise<string | null> {
  return (await q.all<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]))[0]?.value ?? null;
}

export async function put(q: Sql, key: string, value: string, now = new Date()): Promise<void> {
  await q.run(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
               ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, [key, value, now]);
  await bumpVersion(q, 'settings');
}

/** Stores the value only if the key has none yet; true when this call stored it. */
export async function putIfAbsent(q: Sql, key: string, value: string, now = new Date()): Promise<boolean> {
  return (await q.run('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING', [key, value, now])) > 0;
}

export async function remove(q: Sql, key: string): Promise<void> {
  await q.run('DELETE FROM settings WHERE key = ?', [key]);
}
