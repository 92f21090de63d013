#!/usr/bin/env node
// The installed `tokenboard` command: runs the compiled CLI (npm run build makes it).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('tokenboard: the server is not built yet; run `npm run build` first');
  process.exit(1);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
