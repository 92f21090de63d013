// Bundles agent/ into the one self-contained file the server serves at
// GET /agent/tokenboard-agent.mjs. No runtime dependencies may end up outside it.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  entryPoints: [`${root}agent/main.ts`],
  outfile: `${root}dist/agent/tokenboard-agent.mjs`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
  legalComments: 'none',
  logLevel: 'warning',
});
