// Provider responses shaped exactly as FORMATS.md §5 shows them (values invented).
export const MARKER = 'ZQX-MARKER-7731';

export const chatBody = {
  id: 'chatcmpl-9x', object: 'chat.completion', created: 1777885925, model: 'gpt-4.1-2025-04-14',
  choices: [{ index: 0, message: { role: 'assistant', content: `hello ${MARKER}` }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1486, completion_tokens: 651, total_tokens: 2137, prompt_tokens_details: { cached_tokens: 1408, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 512, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } },
};
// input = 1486 - 1408 = 78, cache_read = 1408, output = 651 (reasoning 512 already inside)

export const chatStream = [
  { data: { id: 'chatcmpl-9y', object: 'chat.completion.chunk', created: 1777885925, model: 'gpt-4.1-2025-04-14', choices: [{ index: 0, delta: { role: 'assistant', content: 'hel' }, finish_reason: null }], usage: null } },
  { data: { id: 'chatcmpl-9y', object: 'chat.completion.chunk', created: 1777885925, model: 'gpt-4.1-2025-04-14', choices: [{ index: 0, delta: { content: `lo ${MARKER}` }, finish_reason: 'stop' }], usage: null } },
  { data: { id: 'chatcmpl-9y', object: 'chat.completion.chunk', created: 1777885925, model: 'gpt-4.1-2025-04-14', choices: [], usage: { prompt_tokens: 1200, completion_tokens: 88, total_tokens: 1288, prompt_tokens_details: { cached_tokens: 1024 } } } },
  { data: '[DONE]' },
];
// input = 1200 - 1024 = 176, cache_read = 1024, output = 88

const responseObj = (status: string, usage: unknown) => ({
  id: 'resp_01abc', object: 'response', created_at: 1777885925, status, model: 'gpt-5.2', output: [{ type: 'message', id: 'msg_r1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: `hi ${MARKER}`, annotations: [] }] }],
  usage,
});
export const responsesUsage = { input_tokens: 27444, input_tokens_details: { cached_tokens: 8448 }, output_tokens: 912, output_tokens_details: { reasoning_tokens: 640 }, total_tokens: 28356 };
// input = 27444 - 8448 = 18996, cache_read = 8448, output = 912
export const responsesBody = responseObj('completed', responsesUsage);
export const responsesStream = [
  { event: 'response.created', data: { type: 'response.created', sequence_number: 0, response: responseObj('in_progress', null) } },
  { event: 'response.output_text.delta', data: { type: 'response.output_text.delta', sequence_number: 1, item_id: 'msg_r1', output_index: 0, content_index: 0, delta: `hi ${MARKER}` } },
  { event: 'response.completed', data: { type: 'response.completed', sequence_number: 2, response: responseObj('completed', responsesUsage) } },
];

export const messagesBody = {
  id: 'msg_01Hq3v', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [{ type: 'text', text: `Done ${MARKER}` }], stop_reason: 'end_turn', stop_sequence: null,
  usage: { input_tokens: 3, cache_creation_input_tokens: 1840, cache_read_input_tokens: 22110, cache_creation: { ephemeral_5m_input_tokens: 1840, ephemeral_1h_input_tokens: 0 }, output_tokens: 96, service_tier: 'standard', server_tool_use: { web_search_requests: 0 } },
};
// input = 3, cache_write = 1840, cache_read = 22110, output = 96
export const messagesStream = [
  { event: 'message_start', data: { type: 'message_start', message: { id: 'msg_01stream', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 3, cache_creation_input_tokens: 1840, cache_read_input_tokens: 22110, output_tokens: 1 } } } },
  { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
  { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `Done ${MARKER}` } } },
  { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
  { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 40 } } },
  { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 96, input_tokens: null } } },
  { event: 'message_stop', data: { type: 'message_stop' } },
];
// two deltas: the latest (96) wins, not 40 + 96; input 3, cache_write 1840, cache_read 22110

// Cache writes of both lifetimes: 1000 for 5 minutes + 2000 for an hour = 3000 written.
const usage1h = { input_tokens: 6, cache_creation_input_tokens: 3000, cache_read_input_tokens: 12000, cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 } };
export const messagesBody1h = { ...messagesBody, id: 'msg_01hour', usage: { ...usage1h, output_tokens: 50, service_tier: 'standard' } };
export const messagesStream1h = [
  { event: 'message_start', data: { type: 'message_start', message: { id: 'msg_01hourstream', type: 'message', role: 'assistant', model: 'claude-opus-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { ...usage1h, output_tokens: 1 } } } },
  { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
  { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `Long ${MARKER}` } } },
  { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
  { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 50, input_tokens: 6, cache_creation_input_tokens: 3000, cache_read_input_tokens: 12000 } } },
  { event: 'message_stop', data: { type: 'message_stop' } },
];
// both: input 6, cache_read 12000, cache_write 1000 + 2000 = 3000 of which 2000 for an hour, output 50

export const geminiUsage = { promptTokenCount: 18230, cachedContentTokenCount: 12000, candidatesTokenCount: 412, thoughtsTokenCount: 690, toolUsePromptTokenCount: 0, totalTokenCount: 19332 };
// input = 18230 - 12000 = 6230, cache_read = 12000, output = 412 + 690 = 1102
export const geminiBody = { candidates: [{ content: { role: 'model', parts: [{ text: `ok ${MARKER}` }] }, finishReason: 'STOP' }], usageMetadata: geminiUsage, modelVersion: 'gemini-2.5-pro', responseId: 'gem-resp-1' };
export const geminiChunks = [
  { candidates: [{ content: { role: 'model', parts: [{ text: 'o' }] } }], usageMetadata: { promptTokenCount: 18230, cachedContentTokenCount: 12000, candidatesTokenCount: 5, totalTokenCount: 18235 }, modelVersion: 'gemini-2.5-pro', responseId: 'gem-resp-2' },
  { candidates: [{ content: { role: 'model', parts: [{ text: `k ${MARKER}` }] }, finishReason: 'STOP' }], usageMetadata: geminiUsage, modelVersion: 'gemini-2.5-pro', responseId: 'gem-resp-2' },
];

export const ollamaLines = [
  { model: 'qwen3:14b', created_at: '2026-05-04T09:30:12.000Z', message: { role: 'assistant', content: `hi ${MARKER}` }, done: false },
  { model: 'qwen3:14b', created_at: '2026-05-04T09:30:12.123456Z', message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', total_duration: 4648158584, load_duration: 4071084, prompt_eval_count: 36, prompt_eval_duration: 439038000, eval_count: 180, eval_duration: 4196918000 },
];
