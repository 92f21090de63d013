// Node built-ins that only some commands use, loaded on first use. An ES module's imports
// all load when the file starts, and in the one-file bundle that means every command
// paid for the proxy's http/https/zlib, the service's child_process and the worker
// threads (about 10 ms of a `collect` that has nothing new to read).
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/** A getter for built-in module `id` that loads it the first time it is called. */
export function lazy<T>(id: string): () => T {
  let mod: T | undefined;
  // `id` is a variable, so the bundler leaves the call alone.
  return () => (mod ??= load(id) as T);
}

export const httpModule = lazy<typeof import('node:http')>('node:http');
export const httpsModule = lazy<typeof import('node:https')>('node:https');
export const zlibModule = lazy<typeof import('node:zlib')>('node:zlib');
export const childProcessModule = lazy<typeof import('node:child_process')>('node:child_process');
export const workerThreadsModule = lazy<typeof import('node:worker_threads')>('node:worker_threads');
