// `npm run bench` runs every benchmark; `npm run bench -- NAME` runs bench/NAME.ts;
// `--db postgres` runs those that have a database on a throwaway PostgreSQL server.
// Each benchmark prints one JSON line per figure on stdout.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchArgs } from './_lib.ts';

const dir = fileURLToPath(new URL('.', import.meta.url));
const all = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_')).map((f) => f.slice(0, -3)).sort();
const wanted = benchArgs().names;
const names = wanted.length ? wanted : all;
for (const name of names) {
  if (!all.includes(name)) {
    console.error(`bench: no benchmark named "${name}"; available: ${all.join(', ')}`);
    process.exit(2);
  }
}
for (const name of names) {
  const mod = await import(pathToFileURL(`${dir}${name}.ts`).href);
  if (typeof mod.default === 'function') await mod.default();
}
