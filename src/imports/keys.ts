// Provider Admin keys kept for imports: sealed with the server's secret key, shown only
// by their last four characters.
import type { Db } from '../db/connect.ts';
import * as imports from '../db/repos/imports.ts';
import { BadInput } from '../errors.ts';
import type { Sealer } from '../secrets.ts';
import { audit, type Actor } from '../admin/audit.ts';
import type { Provider } from './run.ts';

export async function saveAdminKey(db: Db, sealer: Sealer, provider: Provider, key: string, actor: Actor): Promise<string> {
  const k = key.trim();
  if (k.length < 16 || k.length > 400 || /\s/.test(k)) throw new BadInput('key: paste the whole Admin key (no spaces)');
  const last4 = k.slice(-4);
  await db.transaction(async (tx) => {
    await imports.saveKey(tx, provider, sealer.seal(k), last4, actor.login);
    await audit(tx, actor, 'import.key', provider, { last4 });
  });
  return last4;
}

export async function loadAdminKey(db: Db, sealer: Sealer, provider: Provider): Promise<string | null> {
  const sealed = await imports.sealedKey(db.sql, provider);
  return sealed ? sealer.open(sealed) : null;
}

export function adminKeyHints(db: Db): Promise<{ provider: string; last4: string; updated_at: Date }[]> {
  return imports.keyHints(db.sql);
}
