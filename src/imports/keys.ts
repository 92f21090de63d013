// Provider Admin keys kept for imports: sealed with the server's secret key, shown only
// by their last four characters.
import { QueryTypes } from 'sequelize';
import type { Db } from '../db/connect.ts';
import { BadInput } from '../errors.ts';
import type { Sealer } from '../secrets.ts';
import { audit, type Actor } from '../admin/audit.ts';
import type { Provider } from './run.ts';

export async function saveAdminKey(db: Db, sealer: Sealer, provider: Provider, key: string, actor: Actor): Promise<string> {
  const k = key.trim();
  if (k.length < 16 || k.length > 400 || /\s/.test(k)) throw new BadInput('key: paste the whole Admin key (no spaces)');
  const last4 = k.slice(-4);
  await db.sequelize.query(
    `INSERT INTO admin_keys (provider, key_enc, last4, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (provider) DO UPDATE SET key_enc = excluded.key_enc, last4 = excluded.last4, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    { replacements: [provider, sealer.seal(k), last4, actor.login, new Date().toISOString()] });
  await audit(db, actor, 'import.key', provider, { last4 });
  return last4;
}

export async function loadAdminKey(db: Db, sealer: Sealer, provider: Provider): Promise<string | null> {
  const rows = await db.sequelize.query<{ key_enc: string }>('SELECT key_enc FROM admin_keys WHERE provider = ?', { replacements: [provider], type: QueryTypes.SELECT });
  return rows[0] ? sealer.open(rows[0].key_enc) : null;
}

export async function adminKeyHints(db: Db): Promise<{ provider: string; last4: string; updated_at: string }[]> {
  return db.sequelize.query('SELECT provider, last4, updated_at FROM admin_keys ORDER BY provider', { type: QueryTypes.SELECT });
}
