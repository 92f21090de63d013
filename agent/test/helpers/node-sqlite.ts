// OpenCode's SQLite store is read with node:sqlite, which Node 20 (this project's floor and
// the test runner's Node) does not have. The tests that read a real store run the agent
// under a Node that does: this one if it has node:sqlite, TOKENBOARD_TEST_NODE if set, else a
// pinned Node 22 fetched once from the npm registry into .bench/ (see scripts/cached-install.ts).
import { spawnSync } from 'node:child_process';
import { cachedInstall } from '../../../scripts/cached-install.ts';

const NODE22 = '22.23.5';

function hasSqlite(node: string): boolean {
  const r = spawnSync(node, ['-e', "require('node:sqlite')"], { stdio: 'ignore' });
  return r.status === 0;
}

export function nodeWithSqlite(): string {
  if (hasSqlite(process.execPath)) return process.execPath;
  const given = process.env.TOKENBOARD_TEST_NODE;
  if (given) {
    if (!hasSqlite(given)) throw new Error(`TOKENBOARD_TEST_NODE=${given} has no node:sqlite`);
    return given;
  }
  const pkg = `node-${process.platform}-${process.arch}`;
  const node = cachedInstall(`node${NODE22}`, `${pkg}@${NODE22}`, `node_modules/${pkg}/bin/node`);
  if (!node || !hasSqlite(node)) throw new Error(`could not install ${pkg}@${NODE22} from the npm registry for the node:sqlite tests`);
  return node;
}
