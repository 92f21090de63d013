// A deliberately small logger: one line per record on stderr. Callers pass only what is
// safe to keep (method, route, status, timing, counts) — never headers, bodies or tokens;
// and every line is redacted once more before it is written (redact()).
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

// Secrets that must never reach a log line, whatever put them there (an error message, a
// path, a stack trace): applied to every line in this one place.
const SECRETS: [RegExp, string][] = [
  // Gemini CLI's OTLP endpoint carries the agent token in the path.
  [/\/otlp\/[^/\s?#]+/g, '/otlp/[token]'],
  [/\btbk_[A-Za-z0-9_-]{8,}/g, 'tbk_[redacted]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  // Provider admin keys, GitHub tokens.
  [/\bsk-[A-Za-z0-9_-]{16,}/g, 'sk-[redacted]'],
  [/\b(crsr|key)_[A-Za-z0-9]{16,}/g, '$1_[redacted]'],
  [/\bgh[opsu]_[A-Za-z0-9]{16,}/g, 'gh_[redacted]'],
];

export function redact(text: string): string {
  let out = text;
  for (const [re, to] of SECRETS) out = out.replace(re, to);
  return out;
}

function line(level: string, msg: string, fields?: LogFields): string {
  const parts = [new Date().toISOString(), level, msg];
  if (fields) for (const [k, v] of Object.entries(fields)) if (v !== undefined) parts.push(`${k}=${v}`);
  return redact(parts.join(' ')) + '\n';
}

export function createLogger(write: (s: string) => void = (s) => process.stderr.write(s), quiet = false): Logger {
  return {
    info: (m, f) => { if (!quiet) write(line('info', m, f)); },
    warn: (m, f) => write(line('warn', m, f)),
    error: (m, f) => write(line('error', m, f)),
  };
}
