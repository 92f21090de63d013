// Provider imports: sealed admin keys (admin_keys), the identity map (identity_map), usage
// waiting for an owner (unmapped_usage), resumable jobs (import_jobs) and Claude Code
// activity (claude_code_activity).
import { date, num } from '../dialect.ts';
import { one, type Sql } from '../sql.ts';

// ---- admin keys

export async function saveKey(q: Sql, provider: string, sealed: string, last4: string, by: string, now = new Date()): Promise<void> {
  await q.run(`INSERT INTO admin_keys (provider, key_enc, last4, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (provider) DO UPDATE SET key_enc = excluded.key_enc, last4 = excluded.last4, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
  [provider, sealed, last4, by, now]);
}

export async function sealedKey(q: Sql, provider: string): Promise<string | null> {
  return (await one<{ key_enc: string }>(q, 'SELECT key_enc FROM admin_keys WHERE provider = ?', [provider]))?.key_enc ?? null;
}

export async function removeKey(q: Sql, provider: string): Promise<number> {
  return q.run('DELETE FROM admin_keys WHERE provider = ?', [provider]);
}

export async function keyHints(q: Sql): Promise<{ provider: string; last4: string; updated_at: Date }[]> {
  return (await q.all<{ provider: string; last4: string; updated_at: unknown }>('SELECT provider, last4, updated_at FROM admin_keys ORDER BY provider'))
    .map((r) => ({ provider: r.provider, last4: r.last4, updated_at: date(r.updated_at) }));
}

// ---- identities

export async function identityMap(q: Sql): Promise<{ kind: string; external_id: string; user_id: number }[]> {
  return (await q.all<{ kind: string; external_id: string; user_id: number }>('SELECT kind, external_id, user_id FROM identity_map'))
    .map((r) => ({ ...r, user_id: num(r.user_id) }));
}

export async function mapIdentity(q: Sql, kind: string, externalId: string, userId: number, now = new Date()): Promise<void> {
  await q.run(`INSERT INTO identity_map (kind, external_id, user_id, created_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (kind, external_id) DO UPDATE SET user_id = excluded.user_id`, [kind, externalId, userId, now]);
}

// ---- unmapped usage

export interface UnmappedRow { id: number; identities: string; event: string }

export async function setAside(q: Sql, u: { provider: string; identities: string; label: string; event_id: string; event: string; tokens: number; day: string }, now = new Date()): Promise<number> {
  return q.run(`INSERT INTO unmapped_usage (provider, identities, label, event_id, event, tokens, day, created_at) VALUES (?,?,?,?,?,?,?,?)
                ON CONFLICT (event_id) DO NOTHING`, [u.provider, u.identities, u.label, u.event_id, u.event, u.tokens, u.day, now]);
}

export async function unmappedRows(q: Sql): Promise<UnmappedRow[]> {
  return (await q.all<UnmappedRow>('SELECT id, identities, event FROM unmapped_usage')).map((r) => ({ ...r, id: num(r.id) }));
}

export async function removeUnmapped(q: Sql, ids: number[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    await q.run(`DELETE FROM unmapped_usage WHERE id IN (${part.map(() => '?').join(',')})`, part);
  }
}

export interface UnmappedGroupRow { provider: string; label: string; identities: string; tokens: number; events: number; first_day: string; last_day: string }

export async function unmappedGroups(q: Sql): Promise<UnmappedGroupRow[]> {
  return (await q.all<UnmappedGroupRow>(
    `SELECT provider, label, identities, SUM(tokens) AS tokens, COUNT(*) AS events, MIN(day) AS first_day, MAX(day) AS last_day
       FROM unmapped_usage GROUP BY provider, label, identities ORDER BY tokens DESC`)).map((r) => ({ ...r, tokens: num(r.tokens), events: num(r.events) }));
}

export async function unmappedGroupCount(q: Sql): Promise<number> {
  return num((await one<{ n: number }>(q, 'SELECT COUNT(*) AS n FROM (SELECT DISTINCT provider, label, identities FROM unmapped_usage) x'))?.n);
}

// ---- Claude Code activity

export async function putActivity(q: Sql, userId: number, a: { day: string; sessions: number; lines_added: number; lines_removed: number; commits: number; pull_requests: number }): Promise<void> {
  // The API reports a whole day per actor: a re-import replaces, never adds.
  await q.run(`INSERT INTO claude_code_activity (user_id, day, sessions, lines_added, lines_removed, commits, pull_requests) VALUES (?,?,?,?,?,?,?)
               ON CONFLICT (user_id, day) DO UPDATE SET sessions = excluded.sessions, lines_added = excluded.lines_added,
                 lines_removed = excluded.lines_removed, commits = excluded.commits, pull_requests = excluded.pull_requests`,
  [userId, a.day, a.sessions, a.lines_added, a.lines_removed, a.commits, a.pull_requests]);
}

export async function activityOf(q: Sql, userId?: number): Promise<{ user_id: number; day: string; sessions: number; lines_added: number; lines_removed: number; commits: number; pull_requests: number }[]> {
  const rows = await q.all<Record<string, unknown>>(
    `SELECT user_id, day, sessions, lines_added, lines_removed, commits, pull_requests FROM claude_code_activity${userId === undefined ? '' : ' WHERE user_id = ?'} ORDER BY user_id, day`,
    userId === undefined ? [] : [userId]);
  return rows.map((r) => ({ user_id: num(r.user_id), day: String(r.day), sessions: num(r.sessions), lines_added: num(r.lines_added), lines_removed: num(r.lines_removed), commits: num(r.commits), pull_requests: num(r.pull_requests) }));
}

// ---- jobs

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface JobRow {
  id: number;
  provider: string;
  kind: string;
  from_day: string;
  to_day: string;
  status: JobStatus;
  cursor: string | null;
  pages: number;
  events: number;
  unmapped: number;
  error: string | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  /** The process running it, and until when its lease holds (ms), or null. */
  lease_owner: string | null;
  lease_until: number | null;
}

const JOB_COLUMNS = 'id, provider, kind, from_day, to_day, status, cursor, pages, events, unmapped, error, created_by, created_at, updated_at, lease_owner, lease_until';

function toJob(r: Record<string, unknown>): JobRow {
  return {
    id: num(r.id), provider: String(r.provider), kind: String(r.kind), from_day: String(r.from_day), to_day: String(r.to_day),
    status: String(r.status) as JobStatus, cursor: (r.cursor as string | null) ?? null, pages: num(r.pages), events: num(r.events),
    unmapped: num(r.unmapped), error: (r.error as string | null) ?? null, created_by: String(r.created_by),
    created_at: date(r.created_at), updated_at: date(r.updated_at),
    lease_owner: (r.lease_owner as string | null) ?? null, lease_until: r.lease_until === null || r.lease_until === undefined ? null : num(r.lease_until),
  };
}

/** A new queued job, leased at once by the process that will run it (so nobody else "resumes" it). */
export async function createJob(q: Sql, j: { provider: string; kind: string; from_day: string; to_day: string; created_by: string }, lease: { owner: string; until: number }, now = new Date()): Promise<number> {
  const [r] = await q.all<{ id: number }>(
    `INSERT INTO import_jobs (provider, kind, from_day, to_day, status, pages, events, unmapped, created_by, created_at, updated_at, lease_owner, lease_until)
     VALUES (?, ?, ?, ?, 'queued', 0, 0, 0, ?, ?, ?, ?, ?) RETURNING id`, [j.provider, j.kind, j.from_day, j.to_day, j.created_by, now, now, lease.owner, lease.until]);
  return num(r.id);
}

export async function job(q: Sql, id: number): Promise<JobRow | null> {
  const r = await one<Record<string, unknown>>(q, `SELECT ${JOB_COLUMNS} FROM import_jobs WHERE id = ?`, [id]);
  return r ? toJob(r) : null;
}

export async function jobs(q: Sql, limit: number): Promise<JobRow[]> {
  return (await q.all<Record<string, unknown>>(`SELECT ${JOB_COLUMNS} FROM import_jobs ORDER BY id DESC LIMIT ?`, [limit])).map(toJob);
}

export type JobFields = Partial<Pick<JobRow, 'status' | 'cursor' | 'pages' | 'events' | 'unmapped' | 'error'>>;

/**
 * Updates a job, but only while `owner` holds its lease (null: whoever holds it); false
 * when the lease was lost to another process.
 */
export async function updateJob(q: Sql, id: number, fields: JobFields, owner: string | null, now = new Date()): Promise<boolean> {
  const keys = Object.keys(fields) as (keyof JobFields)[];
  const n = await q.run(`UPDATE import_jobs SET ${[...keys.map((k) => `${k} = ?`), 'updated_at = ?'].join(', ')} WHERE id = ?${owner === null ? '' : ' AND lease_owner = ?'}`,
    [...keys.map((k) => fields[k]), now, id, ...(owner === null ? [] : [owner])]);
  return n === 1;
}

/**
 * Takes (or renews) a job's lease: only one process runs a job at a time, and a job whose
 * process died is taken over once its lease has run out. True when `owner` holds it now.
 */
export async function leaseJob(q: Sql, id: number, owner: string, now: number, until: number): Promise<boolean> {
  const n = await q.run(
    `UPDATE import_jobs SET lease_owner = ?, lease_until = ?
      WHERE id = ? AND status IN ('queued', 'running', 'failed') AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < ?)`,
    [owner, until, id, owner, now]);
  return n === 1;
}

export async function releaseJob(q: Sql, id: number, owner: string): Promise<void> {
  await q.run('UPDATE import_jobs SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?', [id, owner]);
}

/** Jobs left running or queued whose lease has run out (their process died): to resume. */
export async function orphanedJobs(q: Sql, now: number): Promise<JobRow[]> {
  return (await q.all<Record<string, unknown>>(
    `SELECT ${JOB_COLUMNS} FROM import_jobs WHERE status IN ('queued', 'running') AND (lease_until IS NULL OR lease_until < ?) ORDER BY id`, [now])).map(toJob);
}
