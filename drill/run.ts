// `npm run drill -- NAME` runs drill/NAME.ts (load, kill, disk-full, fuzz); `npm run drill`
// runs them all; `--db postgres` runs those with a database on a throwaway PostgreSQL
// server. Each drill prints one JSON line per figure on stdout and fails (exit code 1)
// when its invariant does not hold. DRILL_SECONDS shortens the traffic of a drill.
import { fileURLToPath } from 'node:url';
import { runModules } from '../bench/_lib.ts';

await runModules(fileURLToPath(new URL('.', import.meta.url)), 'drill');
