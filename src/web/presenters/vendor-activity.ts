// Plain names for the features in GitHub Copilot's usage metrics (totals_by_feature and
// the used_* flags of a day's record).
const FEATURES: Record<string, string> = {
  code_completion: 'completions',
  chat_panel_ask_mode: 'chat (ask)',
  chat_panel_edit_mode: 'chat (edit)',
  chat_panel_agent_mode: 'agent mode',
  chat_panel_plan_mode: 'plan mode',
  chat_panel_custom_mode: 'custom mode',
  chat_panel_unknown_mode: 'chat',
  chat_inline: 'inline chat',
  agent_edit: 'agent edits',
  chat: 'chat',
  agent: 'agent',
  cli: 'CLI',
  coding_agent: 'coding agent',
  code_review: 'code review',
};

export function featureNames(features: string[]): string[] {
  return [...new Set(features.map((f) => FEATURES[f] ?? f.replace(/_/g, ' ')))].sort((a, b) => a.localeCompare(b));
}
