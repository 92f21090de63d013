// Generated log corpora for the other tools that both the agent and ccusage 20 read (the
// Claude Code one is in _corpus.ts). Each writes the tool's logs in the format its
// collector reads (agent/collectors/<tool>.ts and the fixtures under agent/test/fixtures/
// are the references), with the text that makes real logs large (prompts, answers, tool
// output) and the traps the collector handles, and adds up its own truth from the counts
// it writes — never by reading the logs back.
//
// Where ccusage 20.0.24 counts a tool's logs differently by design (our counting rules, or
// one of its known bugs), the generator also works out what ccusage reports, and
// `difference` says why; the bench prints both.
//
// Left out: Goose, Kilo CLI and Hermes keep their counts only in SQLite stores, which the
// agent reads with node:sqlite (Node ≥ 22.5), so the bench's Node 20 agent would skip them;
// Antigravity's protobuf and ZCode's stores likewise need more than a text generator.
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { rng } from './_lib.ts';
import { claudeCorpus, emptyTruth, LogFile, text, uuid, type CorpusSize, type Four, type ToolCorpus, type Truth, type Written } from './_corpus.ts';

/** ccusage's JSON totals (the same names for every tool), in our terms. */
export const ccusageTotals = (t: Record<string, number>): Four => ({ input: t.inputTokens, output: t.outputTokens, cacheRead: t.cacheReadTokens, cacheWrite: t.cacheCreationTokens });

const ccArgs = (tool: string): string[] => [tool, 'daily', '--offline', '--json'];

/** One generation: the budget, the seeded randomness, the time span, the files written and the truth. */
class Gen {
  readonly r: () => number;
  readonly truth: Truth = emptyTruth();
  /** What ccusage reports where it differs from the truth (else the truth). */
  cc: Four | null = null;
  bytes = 0;
  files = 0;
  private readonly start: number;
  private readonly days: number;
  private readonly scale: number;
  /** Settled: older than the agent's settle time, as the Claude corpus's files are. */
  readonly mtime = new Date(Date.now() - 3 * 86_400_000);

  constructor(seed: number, private readonly size: CorpusSize) {
    this.r = rng(seed);
    this.days = size.days ?? 60;
    this.start = size.endMs === undefined ? Date.parse('2026-09-01T00:00:00Z') : size.endMs - this.days * 86_400_000;
    this.scale = size.textScale ?? 1;
  }

  more(): boolean {
    return this.bytes < (this.size.bytes ?? Infinity) && this.truth.messages < (this.size.messages ?? Infinity);
  }

  /** A session's start: a random moment of the span (whole ms). */
  sessionStart(): number {
    return this.start + Math.floor(this.r() * this.days) * 86_400_000 + Math.floor(this.r() * 86_400_000);
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo));
  }

  /** About `n` bytes of words (scaled). */
  t(n: number): string {
    return text(this.r, Math.max(1, Math.round(n * this.scale)));
  }

  /** A log appended line by line. */
  open(path: string): LogFile {
    mkdirSync(dirname(path), { recursive: true });
    return new LogFile(path);
  }

  close(f: LogFile): void {
    f.close(this.mtime);
    this.bytes += f.bytes;
    this.files++;
  }

  /** A document written whole (the tools that rewrite a JSON file as it grows). */
  whole(path: string, doc: unknown, indent?: number): void {
    mkdirSync(dirname(path), { recursive: true });
    const s = JSON.stringify(doc, null, indent);
    writeFileSync(path, s);
    utimesSync(path, this.mtime, this.mtime);
    this.bytes += Buffer.byteLength(s);
    this.files++;
  }

  /** One model response, in our terms. */
  count(input: number, output: number, cacheRead: number, cacheWrite: number): void {
    const t = this.truth;
    t.input += input; t.output += output; t.cacheRead += cacheRead; t.cacheWrite += cacheWrite; t.messages++;
  }

  /** Where ccusage counts differently: its figure moves by these amounts from ours. */
  ccDiff(input: number, output: number, cacheRead: number, cacheWrite: number): void {
    this.cc ??= { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
    this.cc.input += input; this.cc.output += output; this.cc.cacheRead += cacheRead; this.cc.cacheWrite += cacheWrite;
  }

  done(): Written {
    const t = this.truth;
    const d = this.cc;
    const ccusage = d ? { input: t.input + d.input, output: t.output + d.output, cacheRead: t.cacheRead + d.cacheRead, cacheWrite: t.cacheWrite + d.cacheWrite } : undefined;
    return { truth: t, bytes: this.bytes, files: this.files, ...(ccusage ? { ccusage } : {}) };
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();
const hex = (r: () => number, n: number): string => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');

/**
 * Codex CLI rollouts: session_meta, turn_context, the turn's items (user text, reasoning,
 * function calls and their output, the answer) and a token_count whose total_token_usage is
 * the session's running total (cached inside input, reasoning inside output); a share of
 * token_count lines is re-emitted unchanged (rate-limit refreshes), which must count once.
 */
export const codexCorpus: ToolCorpus = {
  source: 'codex',
  env: (root) => ({ CODEX_HOME: root }),
  ccusage: { args: ccArgs('codex'), totals: ccusageTotals },
  generate(root, size) {
    const g = new Gen(43, size);
    const models = ['gpt-5.2', 'gpt-5.1-codex', 'gpt-5.2-codex'];
    while (g.more()) {
      const sid = uuid(g.r);
      let ts = g.sessionStart();
      const d = new Date(ts);
      const day = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
      const f = g.open(join(root, 'sessions', day, `rollout-${iso(ts).slice(0, 19).replace(/:/g, '-')}-${sid}.jsonl`));
      const line = (type: string, payload: unknown) => f.json({ timestamp: iso(ts), type, payload });
      line('session_meta', { id: sid, timestamp: iso(ts), cwd: '/home/dev/project', originator: 'codex_cli_rs', cli_version: '0.137.0', source: 'cli', model_provider: 'openai', base_instructions: g.t(2000) });
      const model = models[g.int(0, models.length)];
      const total = { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0, total_tokens: 0 };
      const turns = g.int(10, 30);
      for (let turn = 0; turn < turns && g.more(); turn++) {
        ts += g.int(5_000, 60_000);
        line('turn_context', { cwd: '/home/dev/project', approval_policy: 'on-request', model, summary: 'auto' });
        line('response_item', { type: 'message', role: 'user', content: [{ type: 'input_text', text: g.t(g.int(200, 800)) }] });
        const calls = g.int(0, 4);
        for (let c = 0; c < calls; c++) {
          const callId = `call_${hex(g.r, 24)}`;
          line('response_item', { type: 'reasoning', summary: [{ type: 'summary_text', text: g.t(200) }], encrypted_content: hex(g.r, 600) });
          line('response_item', { type: 'function_call', name: 'shell', arguments: JSON.stringify({ command: ['bash', '-lc', g.t(60)] }), call_id: callId });
          line('response_item', { type: 'function_call_output', call_id: callId, output: g.t(g.int(500, 3000)) });
        }
        line('response_item', { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: g.t(g.int(300, 1500)) }] });
        const input = g.int(2_000, 40_000);
        const cached = g.int(0, input);
        const reasoning = g.int(0, 800);
        const output = reasoning + g.int(20, 1500);
        const last = { input_tokens: input, cached_input_tokens: cached, output_tokens: output, reasoning_output_tokens: reasoning, total_tokens: input + output };
        total.input_tokens += input; total.cached_input_tokens += cached; total.output_tokens += output;
        total.reasoning_output_tokens += reasoning; total.total_tokens += input + output;
        const info = { total_token_usage: { ...total }, last_token_usage: last, model_context_window: 272_000 };
        const rateLimits = { primary: { used_percent: g.int(1, 90), window_minutes: 300 }, secondary: { used_percent: g.int(1, 50), window_minutes: 10_080 } };
        line('event_msg', { type: 'token_count', info, rate_limits: rateLimits });
        // A refresh of the rate limits repeats the same totals: no new usage.
        if (g.r() < 0.3) { ts += 1_000; line('event_msg', { type: 'token_count', info, rate_limits: rateLimits }); }
        g.count(input - cached, output, cached, 0);
      }
      g.close(f);
    }
    return g.done();
  },
};

/**
 * Gemini CLI chat recordings (JSONL): a header, user and gemini messages; a gemini message
 * is appended again in full as it changes (first without tokens, then with its final ones,
 * then with its tool calls): the last copy counts. `tokens.input` includes `cached`,
 * thoughts are output, tool-use prompt tokens are input.
 */
export const geminiCorpus: ToolCorpus = {
  source: 'gemini-cli',
  env: (root) => ({ GEMINI_DATA_DIR: root }),
  ccusage: { args: ccArgs('gemini'), totals: ccusageTotals },
  difference: 'ccusage leaves tokens.thoughts out of output (DESIGN: reasoning is output)',
  generate(root, size) {
    const g = new Gen(44, size);
    const models = ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-3-pro-preview'];
    while (g.more()) {
      const sid = uuid(g.r);
      let ts = g.sessionStart();
      const project = hex(g.r, 64);
      const f = g.open(join(root, project, 'chats', `session-${iso(ts).slice(0, 16).replace(/:/g, '-')}-${sid.slice(0, 8)}.jsonl`));
      f.json({ sessionId: sid, projectHash: project, startTime: iso(ts), lastUpdated: iso(ts), kind: 'main', directories: ['/home/dev/project'] });
      const model = models[g.int(0, models.length)];
      const turns = g.int(10, 30);
      for (let turn = 0; turn < turns && g.more(); turn++) {
        ts += g.int(5_000, 60_000);
        f.json({ id: uuid(g.r), timestamp: iso(ts), type: 'user', content: g.t(g.int(200, 800)) });
        const id = uuid(g.r);
        const input = g.int(2_000, 60_000);
        const cached = g.int(0, input);
        const output = g.int(20, 1500);
        const thoughts = g.int(0, 800);
        const tool = g.r() < 0.2 ? g.int(1, 200) : 0;
        const tokens = { input, output, cached, thoughts, tool, total: input + output + thoughts + tool };
        const msg = { id, timestamp: iso(ts + 4000), type: 'gemini', content: g.t(g.int(300, 1500)), model, thoughts: [{ subject: 'Plan', description: g.t(300), timestamp: iso(ts + 2000) }] };
        f.json({ ...msg, tokens: null });
        f.json({ ...msg, tokens });
        if (g.r() < 0.5) f.json({ ...msg, tokens, toolCalls: [{ id: `call-${hex(g.r, 8)}`, name: 'read_file', args: { path: '/home/dev/project/src/a.ts' }, result: [{ functionResponse: { response: { output: g.t(g.int(500, 3000)) } } }], status: 'success', timestamp: iso(ts + 5000) }] });
        g.count(input - cached + tool, output + thoughts, cached, 0);
        g.ccDiff(0, -thoughts, 0, 0);
      }
      g.close(f);
    }
    return g.done();
  },
};

/**
 * OpenCode's JSON store: storage/session/, one storage/message/<session>/<message>.json per
 * message (assistant ones with `tokens`: input uncached, cache read/write apart, reasoning
 * inside output unless `total` shows it apart) and the parts holding the text under
 * storage/part/ (not read for counts).
 */
export const opencodeCorpus: ToolCorpus = {
  source: 'opencode',
  env: (root) => ({ OPENCODE_DATA_DIR: root }),
  ccusage: { args: ccArgs('opencode'), totals: ccusageTotals },
  generate(root, size) {
    const g = new Gen(45, size);
    const models: [string, string][] = [['anthropic', 'claude-sonnet-4-5'], ['openai', 'gpt-5.2'], ['google', 'gemini-2.5-pro']];
    let n = 0;
    while (g.more()) {
      const sid = `ses_${hex(g.r, 26)}`;
      let ts = g.sessionStart();
      g.whole(join(root, 'storage', 'session', 'global', `${sid}.json`), { id: sid, version: '1.0.150', projectID: 'global', directory: '/home/dev/project', title: g.t(40), time: { created: ts, updated: ts } });
      const [provider, model] = models[g.int(0, models.length)];
      const turns = g.int(10, 30);
      for (let turn = 0; turn < turns && g.more(); turn++) {
        ts += g.int(5_000, 60_000);
        const user = `msg_${(++n).toString(36).padStart(12, '0')}`;
        g.whole(join(root, 'storage', 'message', sid, `${user}.json`), { id: user, sessionID: sid, role: 'user', time: { created: ts } });
        g.whole(join(root, 'storage', 'part', user, `prt_${hex(g.r, 20)}.json`), { id: `prt_${n}`, sessionID: sid, messageID: user, type: 'text', text: g.t(g.int(200, 800)) });
        const id = `msg_${(++n).toString(36).padStart(12, '0')}`;
        const input = g.int(1, 3_000);
        const read = g.int(0, 60_000);
        const write = provider === 'anthropic' ? g.int(0, 4_000) : 0;
        const output = g.int(20, 1500);
        const reasoning = provider === 'openai' ? g.int(0, 500) : 0;
        const tokens = { input, output, reasoning, cache: { read, write } };
        g.whole(join(root, 'storage', 'message', sid, `${id}.json`), {
          id, sessionID: sid, role: 'assistant', time: { created: ts + 1000, completed: ts + g.int(2_000, 30_000) }, parentID: user, modelID: model, providerID: provider,
          mode: 'build', path: { cwd: '/home/dev/project', root: '/home/dev/project' }, cost: 0, tokens, finish: 'stop',
        }, 2);
        for (let p = g.int(1, 4); p > 0; p--) {
          g.whole(join(root, 'storage', 'part', id, `prt_${hex(g.r, 20)}.json`), { id: `prt_${hex(g.r, 12)}`, sessionID: sid, messageID: id, type: p === 1 ? 'text' : 'tool', text: g.t(g.int(300, 2500)) });
        }
        // Reasoning is inside output here (no `total` shows it apart).
        g.count(input, output, read, write);
      }
    }
    return g.done();
  },
};

/**
 * Amp threads: threads/T-<uuid>.json, one document per thread with every message;
 * assistant messages carry Anthropic-style usage (input uncached).
 */
export const ampCorpus: ToolCorpus = {
  source: 'amp',
  env: (root) => ({ AMP_DATA_DIR: root }),
  ccusage: { args: ccArgs('amp'), totals: ccusageTotals },
  generate(root, size) {
    const g = new Gen(46, size);
    const models = ['claude-sonnet-4-5', 'claude-opus-4-5', 'claude-haiku-4-5'];
    while (g.more()) {
      const id = `T-${uuid(g.r)}`;
      let ts = g.sessionStart();
      const messages: unknown[] = [];
      const created = ts;
      let bytes = 0;
      const turns = g.int(10, 30);
      for (let turn = 0; turn < turns && bytes + g.bytes < (size.bytes ?? Infinity) && g.truth.messages < (size.messages ?? Infinity); turn++) {
        ts += g.int(5_000, 60_000);
        const u = g.t(g.int(200, 800));
        messages.push({ role: 'user', messageId: messages.length, content: [{ type: 'text', text: u }], meta: { sentAt: ts } });
        const model = models[g.int(0, models.length)];
        const input = g.int(1, 300);
        const read = g.int(0, 80_000);
        const write = g.int(0, 5_000);
        const output = g.int(20, 2000);
        const answer = g.t(g.int(300, 1500));
        const tool = g.t(g.int(500, 3000));
        messages.push({
          role: 'assistant', messageId: messages.length,
          content: [{ type: 'thinking', thinking: g.t(200) }, { type: 'text', text: answer }, { type: 'tool_use', id: `toolu_${hex(g.r, 24)}`, name: 'Bash', input: { cmd: g.t(60) } }],
          state: { type: 'complete', stopReason: 'tool_use' },
          usage: { model, maxInputTokens: 168_000, inputTokens: input, outputTokens: output, cacheCreationInputTokens: write, cacheReadInputTokens: read, totalInputTokens: input + read + write, timestamp: iso(ts + 3000) },
        });
        messages.push({ role: 'user', messageId: messages.length, content: [{ type: 'tool_result', toolUseID: `toolu_${turn}`, run: { status: 'done', result: { output: tool, exitCode: 0 } } }] });
        bytes += u.length + answer.length + tool.length + 600;
        g.count(input, output, read, write);
      }
      g.whole(join(root, 'threads', `${id}.json`), { v: messages.length, id, created, messages, env: { initial: { trees: [{ displayName: 'project', uri: 'file:///home/dev/project' }] } } }, 1);
    }
    return g.done();
  },
};

/**
 * Copilot CLI's OpenTelemetry file export: per agent turn (one trace) a `chat <model>` span
 * per model call (gen_ai.usage.input_tokens includes the cache reads and writes, reasoning
 * is inside output), `execute_tool` spans with the tool's output, and the root
 * `invoke_agent` span, ending last, carrying the turn's summed usage again.
 */
export const copilotCorpus: ToolCorpus = {
  source: 'copilot-cli',
  env: (root) => ({ COPILOT_HOME: root }),
  ccusage: { args: ccArgs('copilot'), totals: ccusageTotals },
  // ccusage subtracts only the cache reads from gen_ai input: the cache writes stay in its
  // input too (the GenAI conventions put both inside input_tokens; DESIGN: input is uncached).
  difference: 'ccusage subtracts only cache reads from gen_ai.usage.input_tokens, so cache writes are in its input as well as its cache writes',
  generate(root, size) {
    const g = new Gen(47, size);
    const models = ['claude-sonnet-4.5', 'gpt-5.2', 'claude-haiku-4.5'];
    const hr = (ms: number) => [Math.floor(ms / 1000), (ms % 1000) * 1_000_000];
    while (g.more()) {
      let ts = g.sessionStart();
      const f = g.open(join(root, 'otel', `copilot-otel-${iso(ts).slice(0, 19).replace(/[-:T]/g, '')}.jsonl`));
      const conversation = uuid(g.r);
      const turns = g.int(5, 20);
      for (let turn = 0; turn < turns && g.more(); turn++) {
        const trace = hex(g.r, 32);
        const rootSpan = hex(g.r, 16);
        const begin = ts;
        const sum = { input: 0, output: 0, read: 0, write: 0 };
        const model = models[g.int(0, models.length)];
        const calls = g.int(1, 5);
        for (let c = 0; c < calls && g.more(); c++) {
          ts += g.int(2_000, 20_000);
          const read = g.int(0, 60_000);
          const write = model.startsWith('claude') ? g.int(0, 4_000) : 0;
          const uncached = g.int(1, 3_000);
          const reasoning = g.int(0, 300);
          const output = reasoning + g.int(20, 1500);
          const input = uncached + read + write;
          f.json({
            type: 'span', traceId: trace, spanId: hex(g.r, 16), parentSpanId: rootSpan, name: `chat ${model}`, kind: 2, startTime: hr(ts - 1500), endTime: hr(ts),
            attributes: {
              'gen_ai.operation.name': 'chat', 'gen_ai.request.model': model, 'gen_ai.response.model': model, 'gen_ai.conversation.id': conversation,
              'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': output, 'gen_ai.usage.cache_read.input_tokens': read,
              'gen_ai.usage.cache_creation.input_tokens': write, 'gen_ai.usage.reasoning.output_tokens': reasoning,
              'gen_ai.input.messages': JSON.stringify([{ role: 'user', content: g.t(g.int(200, 800)) }]),
              'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', content: g.t(g.int(300, 1500)) }]),
            },
            status: { code: 0 },
          });
          f.json({
            type: 'span', traceId: trace, spanId: hex(g.r, 16), parentSpanId: rootSpan, name: 'execute_tool bash', kind: 1, startTime: hr(ts + 100), endTime: hr(ts + 900),
            attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'bash', 'gen_ai.conversation.id': conversation, 'gen_ai.tool.call.result': g.t(g.int(500, 3000)) },
            status: { code: 0 },
          });
          sum.input += input; sum.output += output; sum.read += read; sum.write += write;
          g.count(uncached, output, read, write);
          g.ccDiff(write, 0, 0, 0);
        }
        ts += 1_000;
        f.json({
          type: 'span', traceId: trace, spanId: rootSpan, parentSpanId: '', name: 'invoke_agent copilot', kind: 1, startTime: hr(begin), endTime: hr(ts),
          attributes: {
            'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'copilot', 'gen_ai.conversation.id': conversation, 'gen_ai.response.model': model,
            'gen_ai.usage.input_tokens': sum.input, 'gen_ai.usage.output_tokens': sum.output, 'gen_ai.usage.cache_read.input_tokens': sum.read, 'gen_ai.usage.cache_creation.input_tokens': sum.write,
          },
          status: { code: 0 },
        });
        ts += g.int(5_000, 60_000);
      }
      g.close(f);
    }
    return g.done();
  },
};

/** Pi-format entries (Pi and OpenClaw): a user message, an assistant message with usage, a tool result. */
function piTurn(g: Gen, f: LogFile, ts: number, parent: string, model: { provider: string; id: string } | null): string {
  const u = hex(g.r, 8);
  f.json({ type: 'message', id: u, parentId: parent, timestamp: iso(ts), message: { role: 'user', content: g.t(g.int(200, 800)), timestamp: ts } });
  const a = hex(g.r, 8);
  const input = g.int(1, 3_000);
  const cacheRead = g.int(0, 80_000);
  const cacheWrite = g.int(0, 4_000);
  const output = g.int(20, 2000);
  f.json({
    type: 'message', id: a, parentId: u, timestamp: iso(ts + 4000),
    message: {
      role: 'assistant', content: [{ type: 'thinking', thinking: g.t(200) }, { type: 'text', text: g.t(g.int(300, 1500)) }, { type: 'toolCall', id: `toolu_${hex(g.r, 20)}`, name: 'bash', arguments: { command: g.t(60) } }],
      api: 'anthropic-messages', ...(model ? { provider: model.provider, model: model.id } : {}),
      usage: { input, output, cacheRead, cacheWrite, totalTokens: input + output + cacheRead + cacheWrite, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 } },
      stopReason: 'toolUse', timestamp: ts + 4000,
    },
  });
  const t = hex(g.r, 8);
  f.json({ type: 'message', id: t, parentId: a, timestamp: iso(ts + 5000), message: { role: 'toolResult', toolCallId: `toolu_${t}`, toolName: 'bash', content: [{ type: 'text', text: g.t(g.int(500, 3000)) }], isError: false, timestamp: ts + 5000 } });
  g.count(input, output, cacheRead, cacheWrite);
  return t;
}

/**
 * One Pi-format session file: the header, a model change, turns; the model named on the
 * assistant messages too (Pi) or only by the model change (OpenClaw).
 */
function piSession(g: Gen, path: string, sid: string, start: number, cwd: string, model: { provider: string; id: string }, onMessages: boolean): void {
  let ts = start;
  const f = g.open(path);
  f.json({ type: 'session', version: 3, id: sid, timestamp: iso(ts), cwd });
  let parent = hex(g.r, 8);
  f.json({ type: 'model_change', id: parent, parentId: null, timestamp: iso(ts), provider: model.provider, modelId: model.id });
  for (let turn = 0, turns = g.int(10, 30); turn < turns && g.more(); turn++) {
    ts += g.int(5_000, 60_000);
    parent = piTurn(g, f, ts, parent, onMessages ? model : null);
  }
  g.close(f);
}

/** Pi sessions: sessions/<encoded cwd>/<time>_<uuid>.jsonl, a header, model changes, messages. */
export const piCorpus: ToolCorpus = {
  source: 'pi',
  env: (root) => ({ PI_AGENT_DIR: join(root, 'sessions') }),
  ccusage: { args: ccArgs('pi'), totals: ccusageTotals },
  generate(root, size) {
    const g = new Gen(48, size);
    const models = [{ provider: 'anthropic', id: 'claude-sonnet-4-5' }, { provider: 'openai', id: 'gpt-5.2' }];
    for (let p = 0; g.more(); p++) {
      for (let s = 0; s < 20 && g.more(); s++) {
        const sid = uuid(g.r);
        const ts = g.sessionStart();
        const file = join(root, 'sessions', `--home-dev-project-${p}--`, `${iso(ts).replace(/[:.]/g, '-')}_${sid}.jsonl`);
        piSession(g, file, sid, ts, `/home/dev/project-${p}`, models[g.int(0, models.length)], true);
      }
    }
    return g.done();
  },
};

/**
 * OpenClaw transcripts: agents/<agent>/sessions/<session>.jsonl in the Pi format, the model
 * only on a `model_change` entry before the messages.
 */
export const openclawCorpus: ToolCorpus = {
  source: 'openclaw',
  env: (root) => ({ OPENCLAW_DIR: root }),
  ccusage: { args: ccArgs('openclaw'), totals: ccusageTotals },
  generate(root, size) {
    const g = new Gen(49, size);
    const models = [{ provider: 'anthropic', id: 'claude-opus-4-5' }, { provider: 'openai', id: 'gpt-5.2' }];
    while (g.more()) {
      const sid = uuid(g.r);
      const agent = g.r() < 0.7 ? 'main' : 'work';
      piSession(g, join(root, 'agents', agent, 'sessions', `${sid}.jsonl`), sid, g.sessionStart(), '/home/dev/project', models[g.int(0, models.length)], false);
    }
    return g.done();
  },
};

/**
 * Kimi CLI wire logs: sessions/<work-dir hash>/<session>/wire.jsonl, turns and steps, each
 * step's StatusUpdate with that step's usage and the provider's message id; a share of them
 * repeated (status-line refreshes: the same message id, counted once). The model is the
 * configured default (config.toml).
 */
export const kimiCorpus: ToolCorpus = {
  source: 'kimi-cli',
  env: (root) => ({ KIMI_DATA_DIR: root }),
  ccusage: { args: ccArgs('kimi'), totals: ccusageTotals },
  generate(root, size) {
    const g = new Gen(50, size);
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'config.toml'), 'default_model = "kimi-k2-turbo-preview"\n[models.kimi-k2-turbo-preview]\nprovider = "moonshot"\n');
    const work = hex(g.r, 32);
    while (g.more()) {
      const f = g.open(join(root, 'sessions', work, uuid(g.r), 'wire.jsonl'));
      let ts = g.sessionStart() / 1000;
      const line = (type: string, payload: unknown) => f.json({ timestamp: ts, message: { type, payload } });
      f.json({ type: 'metadata', protocol_version: '1.1' });
      const turns = g.int(5, 20);
      let context = 0;
      for (let turn = 0; turn < turns && g.more(); turn++) {
        ts += g.int(5, 60);
        line('TurnBegin', { user_input: g.t(g.int(200, 800)) });
        for (let step = 1, steps = g.int(1, 4); step <= steps && g.more(); step++) {
          line('StepBegin', { n: step });
          ts += g.int(1, 10) + 0.25;
          line('ContentPart', { type: 'text', text: g.t(g.int(300, 1500)) });
          const other = g.int(1, 3_000);
          const read = g.int(0, 80_000);
          const write = g.int(0, 2_000);
          const output = g.int(20, 1500);
          context = other + read + write;
          const status = { context_usage: context / 262_144, context_tokens: context, max_context_tokens: 262_144, token_usage: { input_other: other, output, input_cache_read: read, input_cache_creation: write }, message_id: `chatcmpl-${hex(g.r, 24)}`, plan_mode: false };
          line('StatusUpdate', status);
          if (g.r() < 0.3) line('StatusUpdate', status);
          g.count(other, output, read, write);
          line('ToolCall', { type: 'function', id: `tool_${hex(g.r, 8)}`, function: { name: 'Shell', arguments: JSON.stringify({ command: g.t(60) }) } });
          line('ToolResult', { tool_call_id: `tool_${step}`, return_value: { is_error: false, output: g.t(g.int(500, 3000)) } });
        }
        line('TurnEnd', {});
      }
      g.close(f);
    }
    return g.done();
  },
};

/**
 * Qwen Code chats: projects/<sanitized cwd>/chats/<session>.jsonl; assistant records with
 * Gemini-style usageMetadata (promptTokenCount includes the cached tokens, thoughts apart
 * from candidates) and the ui_telemetry system records that repeat the same counts.
 */
export const qwenCorpus: ToolCorpus = {
  source: 'qwen-code',
  env: (root) => ({ QWEN_DATA_DIR: root }),
  ccusage: { args: ccArgs('qwen'), totals: ccusageTotals },
  difference: 'ccusage keeps promptTokenCount whole (its cached tokens in input and again as cache reads) and leaves thoughtsTokenCount out of output',
  generate(root, size) {
    const g = new Gen(51, size);
    while (g.more()) {
      const sid = uuid(g.r);
      let ts = g.sessionStart();
      const f = g.open(join(root, 'projects', '-home-dev-project', 'chats', `${sid}.jsonl`));
      const base = { sessionId: sid, cwd: '/home/dev/project', version: '0.9.0' };
      let parent: string | null = null;
      const rec = (o: Record<string, unknown>) => {
        const id = uuid(g.r);
        f.json({ uuid: id, parentUuid: parent, ...base, timestamp: iso(ts), ...o });
        parent = id;
      };
      const turns = g.int(10, 30);
      for (let turn = 0; turn < turns && g.more(); turn++) {
        ts += g.int(5_000, 60_000);
        rec({ type: 'user', message: { role: 'user', parts: [{ text: g.t(g.int(200, 800)) }] } });
        ts += g.int(1_000, 10_000);
        const prompt = g.int(2_000, 60_000);
        const cached = g.int(0, prompt);
        const candidates = g.int(20, 1500);
        const thoughts = g.int(0, 600);
        const usage = { promptTokenCount: prompt, candidatesTokenCount: candidates, cachedContentTokenCount: cached, thoughtsTokenCount: thoughts, totalTokenCount: prompt + candidates + thoughts };
        rec({ type: 'assistant', model: 'qwen3-coder-plus', message: { role: 'model', parts: [{ text: g.t(g.int(300, 1500)) }] }, usageMetadata: usage });
        rec({ type: 'system', subtype: 'ui_telemetry', systemPayload: { uiEvent: { 'event.name': 'qwen-code.api_response', model: 'qwen3-coder-plus', input_token_count: prompt, output_token_count: candidates, cached_content_token_count: cached, thoughts_token_count: thoughts, total_token_count: usage.totalTokenCount } } });
        rec({ type: 'tool_result', message: { role: 'user', parts: [{ functionResponse: { name: 'read_file', response: { output: g.t(g.int(500, 3000)) } } }] } });
        g.count(prompt - cached, candidates + thoughts, cached, 0);
        g.ccDiff(cached, -thoughts, 0, 0);
      }
      g.close(f);
    }
    return g.done();
  },
};

/**
 * Codebuff chats: projects/<project>/chats/<chat id>/chat-messages.json, the chat's messages
 * as one JSON array; assistant (`variant: "ai"`) messages with Anthropic-shaped
 * metadata.usage (input uncached).
 */
export const codebuffCorpus: ToolCorpus = {
  source: 'codebuff',
  env: (root) => ({ CODEBUFF_DATA_DIR: root }),
  ccusage: { args: ccArgs('codebuff'), totals: ccusageTotals },
  generate(root, size) {
    const g = new Gen(52, size);
    for (let p = 0; g.more(); p++) {
      for (let c = 0; c < 20 && g.more(); c++) {
        let ts = g.sessionStart();
        const chat = iso(ts).replace(/:/g, '-');
        const msgs: unknown[] = [];
        const turns = g.int(10, 30);
        for (let turn = 0; turn < turns && g.truth.messages < (size.messages ?? Infinity); turn++) {
          ts += g.int(5_000, 60_000);
          msgs.push({ id: uuid(g.r), variant: 'user', content: g.t(g.int(200, 800)), timestamp: iso(ts) });
          const input = g.int(1, 3_000);
          const read = g.int(0, 60_000);
          const write = g.int(0, 4_000);
          const output = g.int(20, 1500);
          msgs.push({
            id: uuid(g.r), variant: 'ai', content: g.t(g.int(300, 1500)), timestamp: iso(ts + 4000), credits: 1,
            blocks: [{ type: 'tool', toolName: 'run_terminal_command', output: g.t(g.int(500, 3000)) }],
            metadata: { model: 'claude-sonnet-4-5', usage: { inputTokens: input, outputTokens: output, cacheReadInputTokens: read, cacheCreationInputTokens: write } },
          });
          g.count(input, output, read, write);
        }
        g.whole(join(root, 'projects', `project-${p}`, 'chats', chat, 'chat-messages.json'), msgs, 1);
      }
    }
    return g.done();
  },
};

/**
 * Grok Build sessions: sessions/<url-encoded workspace>/<session>/updates.jsonl (ACP updates:
 * message chunks, tool calls with running counters, and per turn a `turn_completed` whose
 * modelUsage has the turn's usage: input includes the cached reads, reasoning inside output
 * as totalTokens = input + output shows) and summary.json.
 */
export const grokCorpus: ToolCorpus = {
  source: 'grok',
  env: (root) => ({ GROK_HOME: root }),
  ccusage: { args: ccArgs('grok'), totals: ccusageTotals },
  generate(root, size) {
    const g = new Gen(53, size);
    while (g.more()) {
      const sid = uuid(g.r);
      const dir = join(root, 'sessions', encodeURIComponent('/home/dev/project'), sid);
      g.whole(join(dir, 'summary.json'), { info: { id: sid, cwd: '/home/dev/project' }, git_root_dir: '/home/dev/project/', current_model_id: 'grok-4.5' }, 1);
      const f = g.open(join(dir, 'updates.jsonl'));
      let ts = Math.floor(g.sessionStart() / 1000);
      const update = (u: Record<string, unknown>, meta?: unknown) => f.json({ timestamp: ts, method: '_x.ai/session/update', params: { sessionId: sid, update: u, ...(meta ? { _meta: meta } : {}) } });
      const turns = g.int(10, 30);
      let running = 0;
      for (let turn = 0; turn < turns && g.more(); turn++) {
        ts += g.int(5, 60);
        update({ sessionUpdate: 'user_message_chunk', content: { type: 'text', text: g.t(g.int(200, 800)) } });
        ts += g.int(1, 10);
        update({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: g.t(g.int(300, 1500)) } });
        const input = g.int(2_000, 60_000);
        const read = g.int(0, input);
        const output = g.int(20, 1500);
        running += input + output;
        update({ sessionUpdate: 'tool_call_update', toolCallId: `t${turn}`, rawOutput: g.t(g.int(500, 3000)), usage: { totalTokens: running } });
        const usage = { inputTokens: input, outputTokens: output, cachedReadTokens: read, reasoningTokens: g.int(0, output), totalTokens: input + output };
        update({ sessionUpdate: 'turn_completed', usage: { inputTokens: input, outputTokens: output, modelUsage: { 'grok-4.5': usage } } }, { eventId: `evt-${hex(g.r, 16)}` });
        g.count(input - read, output, read, 0);
      }
      g.close(f);
    }
    return g.done();
  },
};

/**
 * Factory Droid: <project>/<session>.jsonl (the transcript, not read for counts) and
 * <session>.settings.json holding the session's running total (thinking apart from
 * output). One session, one total: one event.
 */
export const droidCorpus: ToolCorpus = {
  source: 'droid',
  env: (root) => ({ DROID_SESSIONS_DIR: root }),
  ccusage: { args: ccArgs('droid'), totals: ccusageTotals },
  difference: 'ccusage leaves thinkingTokens out of outputTokens (only in its totalTokens); DESIGN puts reasoning inside output',
  generate(root, size) {
    const g = new Gen(54, size);
    for (let p = 0; g.more(); p++) {
      for (let s = 0; s < 20 && g.more(); s++) {
        const sid = uuid(g.r);
        let ts = g.sessionStart();
        const dir = join(root, `-home-dev-project-${p}`);
        const f = g.open(join(dir, `${sid}.jsonl`));
        f.json({ role: 'system', content: `<system-reminder>Model: Claude Sonnet 4.5 [Anthropic]\nCwd: /home/dev/project-${p}</system-reminder>` });
        const u = { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, thinkingTokens: 0 };
        // Kept below the per-event limit (2M tokens): one session, one event.
        for (let turn = 0, turns = g.int(5, 20); turn < turns; turn++) {
          ts += g.int(5_000, 60_000);
          f.json({ role: 'user', content: g.t(g.int(200, 800)) });
          f.json({ role: 'assistant', content: [{ type: 'text', text: g.t(g.int(300, 1500)) }, { type: 'tool_use', name: 'Execute', input: { command: g.t(60) } }] });
          f.json({ role: 'user', content: [{ type: 'tool_result', content: g.t(g.int(500, 3000)) }] });
          u.inputTokens += g.int(1, 2_000); u.outputTokens += g.int(20, 1500); u.cacheReadTokens += g.int(0, 60_000);
          u.cacheCreationTokens += g.int(0, 3_000); u.thinkingTokens += g.int(0, 300);
        }
        g.close(f);
        g.whole(join(dir, `${sid}.settings.json`), {
          model: 'custom:Claude-Sonnet-4.5-[Anthropic]-0', providerLock: 'anthropic', providerLockTimestamp: iso(ts - 600_000), reasoningEffort: 'medium',
          tokenUsage: { ...u, totalTokens: u.inputTokens + u.outputTokens + u.cacheCreationTokens + u.cacheReadTokens + u.thinkingTokens },
        });
        g.count(u.inputTokens, u.outputTokens + u.thinkingTokens, u.cacheReadTokens, u.cacheCreationTokens);
        g.ccDiff(0, -u.thinkingTokens, 0, 0);
      }
    }
    return g.done();
  },
};

/** Every tool of the "all" corpus besides Claude Code, in the agent's collector order. */
export const OTHER_TOOLS: readonly ToolCorpus[] = [codexCorpus, geminiCorpus, opencodeCorpus, copilotCorpus, ampCorpus, piCorpus, openclawCorpus, kimiCorpus, qwenCorpus, codebuffCorpus, grokCorpus, droidCorpus];

/** Every tool both the agent and ccusage 20.0.24 read from text logs: the "all" corpus. */
export const ALL_TOOLS: readonly ToolCorpus[] = [claudeCorpus, ...OTHER_TOOLS];

export interface WrittenSet {
  /** Per tool (by source), what was written and its truth. */
  tools: Map<string, Written>;
  bytes: number;
  files: number;
  /** The variables pointing the agent and ccusage at every tool's root (roots under `dir`). */
  env: Record<string, string>;
}

/** Writes the logs of `tools` under `dir/<source>/`, `bytes` in all, shared equally. */
export function writeCorpusSet(dir: string, tools: readonly ToolCorpus[], bytes: number): WrittenSet {
  const out: WrittenSet = { tools: new Map(), bytes: 0, files: 0, env: {} };
  for (const tool of tools) {
    const root = join(dir, tool.source);
    const w = tool.generate(root, { bytes: bytes / tools.length });
    out.tools.set(tool.source, w);
    out.bytes += w.bytes;
    out.files += w.files;
    Object.assign(out.env, tool.env(root));
  }
  ageDirs(dir, new Date(Date.now() - 3 * 86_400_000));
  return out;
}

/**
 * The directories' mtimes set to the past like the files' (history, not logs written this
 * second): writing a file moves its directory's mtime to now, and the agent only trusts an
 * unchanged directory mtime that was already some seconds old (agent/collectors/final-files.ts).
 */
function ageDirs(dir: string, when: Date): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) ageDirs(join(dir, e.name), when);
  utimesSync(dir, when, when);
}
