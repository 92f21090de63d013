// Generated log corpora for the collector bench. Each tool is one `ToolCorpus`: how to
// write its logs under a root, where the agent and ccusage look for them, and how to
// read ccusage's totals for it. The Claude Code corpus is here; the other tools' are in
// _corpus-tools.ts (ALL_TOOLS: the corpus of every tool at once, "all tools in one
// `collect` vs the sum of ccusage's per-tool runs").
import { closeSync, mkdirSync, openSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from './_lib.ts';

export interface Truth { input: number; output: number; cacheRead: number; cacheWrite: number; cacheWrite1h: number; messages: number }

export const emptyTruth = (): Truth => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, messages: 0 });

/** The four counts ccusage reports (it has no message count or 1-hour split). */
export type Four = Omit<Truth, 'messages' | 'cacheWrite1h'>;

export interface Written {
  truth: Truth;
  bytes: number;
  files: number;
  /** What ccusage reports on these logs where it counts them differently (see ToolCorpus.difference); absent: the truth. */
  ccusage?: Four;
}

/** How much to write: stop at `bytes` of logs or `messages` model responses, whichever comes first. */
export interface CorpusSize {
  bytes?: number;
  messages?: number;
  /** Messages are spread over this many days, ending `endMs` (default: 60 days from 2026-09-01). */
  days?: number;
  endMs?: number;
  /** Scales the prompt, answer and tool-output text (1 = the default sizes). */
  textScale?: number;
}

export interface ToolCorpus {
  /** The agent's source name for the events (and the key of this tool's figures). */
  source: string;
  /** Writes logs under `root`; the same every run (seeded). */
  generate(root: string, size: CorpusSize): Written;
  /** Environment that points the agent (and ccusage) at `root` and nowhere else for this tool. */
  env(root: string): Record<string, string>;
  /** ccusage's arguments for this tool alone, and its JSON `totals` in our terms. */
  ccusage: { args: string[]; totals(t: Record<string, number>): Four };
  /** Why ccusage's totals differ from ours on this tool's logs by design (Written.ccusage says by how much). */
  difference?: string;
}

const WORDS = 'the of and to in is that for it as with was on be by this are or at from have an but not what all were when we there can use each which do how their if will up other about out many then them these so some her would make like him into time has look two more go see number no way could people my than first been call who oil its now find long down day did get come made may part'.split(' ');

export function text(r: () => number, bytes: number): string {
  let s = '';
  while (s.length < bytes) s += `${WORDS[Math.floor(r() * WORDS.length)]} `;
  return s;
}

export function uuid(r: () => number): string {
  const h = () => Math.floor(r() * 0x10000).toString(16).padStart(4, '0');
  return `${h()}${h()}-${h()}-4${h().slice(1)}-8${h().slice(1)}-${h()}${h()}${h()}`;
}

/** A log file written line by line, its bytes counted, its mtime set to the past (settled). */
export class LogFile {
  private readonly fd: number;
  bytes = 0;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }
  raw(line: string): void {
    this.bytes += Buffer.byteLength(line);
    writeSync(this.fd, line);
  }
  json(o: unknown): string {
    const line = `${JSON.stringify(o)}\n`;
    this.raw(line);
    return line;
  }
  close(mtime: Date): void {
    closeSync(this.fd);
    utimesSync(this.path, mtime, mtime);
  }
}

/**
 * Claude Code transcripts: streamed messages written as several growing lines, tool
 * results, resumed sessions copying earlier messages; a share of cache writes made with
 * a 1-hour lifetime, as Claude Code's own logs record them.
 */
export const claudeCorpus: ToolCorpus = {
  source: 'claude-code',
  env: (root) => ({ CLAUDE_CONFIG_DIR: root }),
  ccusage: {
    args: ['claude', 'daily', '--offline', '--json'],
    totals: (t) => ({ input: t.inputTokens, output: t.outputTokens, cacheRead: t.cacheReadTokens, cacheWrite: t.cacheCreationTokens }),
  },
  generate(root, size) {
    const r = rng(42);
    const truth = emptyTruth();
    let bytes = 0;
    let files = 0;
    const days = size.days ?? 60;
    const start = size.endMs === undefined ? Date.parse('2026-09-01T00:00:00Z') : size.endMs - days * 86_400_000;
    const scale = size.textScale ?? 1;
    const t = (n: number) => text(r, Math.max(1, Math.round(n * scale)));
    const more = () => bytes < (size.bytes ?? Infinity) && truth.messages < (size.messages ?? Infinity);
    const copies: string[] = []; // lines a later session resumes from
    const models = ['claude-sonnet-4-5-20250929', 'claude-opus-4-5-20251101', 'claude-haiku-4-5-20251001'];
    let n = 0;
    const old = new Date(Date.now() - 3 * 86_400_000);
    for (let p = 0; more(); p++) {
      const dir = join(root, 'projects', `-home-dev-project-${p}`);
      mkdirSync(dir, { recursive: true });
      for (let s = 0; s < 25 && more(); s++) {
        const sid = uuid(r);
        const f = new LogFile(join(dir, `${sid}.jsonl`));
        const base = { parentUuid: null, isSidechain: false, userType: 'external', cwd: `/home/dev/project-${p}`, sessionId: sid, version: '2.1.190', gitBranch: 'main' };
        let ts = start + Math.floor(r() * days) * 86_400_000 + Math.floor(r() * 86_400_000);
        // A resumed session starts with copies of earlier messages (same ids: counted once).
        if (s % 7 === 3 && copies.length) for (const c of copies.splice(0, 5)) f.raw(c);
        const turns = 20 + Math.floor(r() * 20);
        for (let turn = 0; turn < turns && more(); turn++) {
          ts += 5_000 + Math.floor(r() * 60_000);
          f.json({ ...base, type: 'user', uuid: uuid(r), timestamp: new Date(ts).toISOString(), message: { role: 'user', content: t(300 + Math.floor(r() * 500)) } });
          const id = `msg_${(++n).toString(36).padStart(10, '0')}`;
          const req = `req_${n.toString(36).padStart(10, '0')}`;
          const model = models[n % 3];
          const input = 1 + Math.floor(r() * 50);
          const cacheRead = Math.floor(r() * 60_000);
          const cacheWrite = Math.floor(r() * 4_000);
          // Claude Code's default cache lifetime is 5 minutes; some turns write 1-hour entries.
          const cacheWrite1h = r() < 0.25 ? Math.floor(cacheWrite * r()) : 0;
          const output = 50 + Math.floor(r() * 2_000);
          const blocks = 1 + Math.floor(r() * 3);
          let line = '';
          for (let b = 0; b < blocks; b++) {
            // Streamed: every block line repeats the ids; output grows to its final value.
            const out = b === blocks - 1 ? output : Math.floor((output * (b + 1)) / (blocks + 1));
            line = f.json({ ...base, type: 'assistant', uuid: uuid(r), timestamp: new Date(ts + b * 500).toISOString(), requestId: req,
              message: { id, type: 'message', role: 'assistant', model, content: [{ type: 'text', text: t(400 + Math.floor(r() * 1200)) }], stop_reason: b === blocks - 1 ? 'end_turn' : null, stop_sequence: null,
                usage: { input_tokens: input, cache_creation_input_tokens: cacheWrite, cache_read_input_tokens: cacheRead, cache_creation: { ephemeral_5m_input_tokens: cacheWrite - cacheWrite1h, ephemeral_1h_input_tokens: cacheWrite1h }, output_tokens: out, service_tier: 'standard' } } });
          }
          if (r() < 0.05) copies.push(line);
          truth.input += input; truth.output += output; truth.cacheRead += cacheRead; truth.cacheWrite += cacheWrite; truth.cacheWrite1h += cacheWrite1h; truth.messages++;
          f.json({ ...base, type: 'user', uuid: uuid(r), timestamp: new Date(ts + 2000).toISOString(), message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${n}`, content: t(500 + Math.floor(r() * 1500)), is_error: false }] } });
        }
        f.close(old);
        bytes += f.bytes;
        files++;
      }
    }
    return { truth, bytes, files };
  },
};

/** Sums the events' counts the way Truth counts them (one event is one message). */
export function truthOf(events: Iterable<{ input_tokens: number; output_tokens: number; cache_read_tokens: number; cache_write_tokens: number; cache_write_1h_tokens?: number }>): Truth {
  const t = emptyTruth();
  for (const e of events) {
    t.input += e.input_tokens; t.output += e.output_tokens; t.cacheRead += e.cache_read_tokens; t.cacheWrite += e.cache_write_tokens;
    t.cacheWrite1h += e.cache_write_1h_tokens ?? 0; t.messages++;
  }
  return t;
}
