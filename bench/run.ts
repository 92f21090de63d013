// `npm run bench` runs every benchmark; `npm run bench -- NAME` runs bench/NAME.ts;
// `--db postgres` runs those that have a database on a throwaway PostgreSQL server.
// Each benchmark prints one JSON line per figure on stdout.
import { fileURLToPath } from 'node:url';
import { runModules } from './_lib.ts';

await runModules(fileURLToPath(new URL('.', import.meta.url)), 'bench');
