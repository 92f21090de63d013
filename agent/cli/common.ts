// Shared by the commands: output helpers and the sender's view of the queue.
import { loadConfig, type AgentConfig } from '../config.ts';

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
  /** Resolves once `out`'s writes have left the process (a pipe's reader may be slower than us). */
  drained?: () => Promise<void>;
}

export const processIo: Io = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  env: process.env,
  drained: () => (process.stdout.writableNeedDrain ? new Promise((ok) => process.stdout.once('drain', ok)) : Promise.resolve()),
};

export class UsageError extends Error {}

export function configOf(io: Io): AgentConfig {
  return loadConfig(io.env);
}

export function fmtTime(ms: number | undefined): string {
  return ms ? new Date(ms).toISOString() : 'never';
}

export function fmtCounts(counts: Record<string, number>): string {
  const parts = Object.entries(counts).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`);
  return parts.length ? parts.join(', ') : 'none';
}
