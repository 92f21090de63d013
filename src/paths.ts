// Where the project's files are at run time. The same code runs from src/ (tsx, tests)
// and from dist/src/ (npm start, Docker), so look for package.json instead of counting ../
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the project root (package.json)');
    dir = up;
  }
}

export const ROOT = findRoot();
export const VIEWS_DIR = join(ROOT, 'views');
export const PUBLIC_DIR = join(ROOT, 'public');
export const AGENT_BUNDLE = join(ROOT, 'dist', 'agent', 'tokenboard-agent.mjs');
