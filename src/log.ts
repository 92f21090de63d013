// A deliberately small logger: one line per record on stderr. Callers pass only what is
// safe to keep (method, route, status, timing, counts) — never headers, bodies or tokens.
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

function line(level: string, msg: string, fields?: LogFields): string {
  const parts = [new Date().toISOString(), level, msg];
  if (fields) for (const [k, v] of Object.entries(fields)) if (v !== undefined) parts.push(`${k}=${v}`);
  return parts.join(' ') + '\n';
}

export function createLogger(write: (s: string) => void = (s) => process.stderr.write(s), quiet = false): Logger {
  return {
    info: (m, f) => { if (!quiet) write(line('info', m, f)); },
    warn: (m, f) => write(line('warn', m, f)),
    error: (m, f) => write(line('error', m, f)),
  };
}
