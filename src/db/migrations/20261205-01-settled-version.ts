// The `settled` data version: bumped by every change that may touch a person's figures of a
// day before yesterday (ledger/read.ts keeps sums of those days until it moves). Ingest of
// today's and yesterday's usage bumps only `usage`.
import type { QueryInterface } from 'sequelize';

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.bulkInsert('data_versions', [{ name: 'settled', version: 0 }]);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.bulkDelete('data_versions', { name: 'settled' });
}
