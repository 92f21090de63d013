// Bundles agent/ into the one self-contained file the server serves at
// GET /agent/tokenboard-agent.mjs. No runtime dependencies may end up outside it.
// `node scripts/build-agent.js OUTFILE` builds the same file elsewhere (the benches run it).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(`${root}agent/main.ts`)) {
  // Until the agent exists the server answers 503 for the bundle; nothing else depends on it.
  console.warn('build-agent: agent/main.ts not found, no agent bundle built');
  process.exit(0);
}
await build({
  entryPoints: [`${root}agent/main.ts`],
  outfile: process.argv[2] ?? `${root}dist/agent/tokenboard-agent.mjs`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
  legalComments: 'none',
  logLevel: 'warning',
});
