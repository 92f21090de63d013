// What a Slack incoming webhook (or Mattermost, or a Slack-compatible relay) receives
// (pure): `text` that reads on its own in a notification — who, which budget, how much of
// it, and that the cost is partial when some models have no price — and `blocks` with the
// same words and a link to the page the numbers come from. Built from the stored webhook
// body, so a retry says exactly what the first attempt said.
import { compact, longDay, usd } from '../web/format.ts';
import type { Digest } from './digest-content.ts';

type Body = Record<string, any>;
export interface SlackMessage { text: string; blocks: object[] }

/** Slack's mrkdwn needs only these three escaped. */
export function esc(s: unknown): string {
  return String(s ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function link(url: unknown, label: string): string | null {
  return typeof url === 'string' && /^https?:\/\//.test(url) ? `<${url.replace(/[<>|]/g, encodeURIComponent)}|${esc(label)}>` : null;
}

function message(text: string, lines: string[], footer: (string | null)[]): SlackMessage {
  const blocks: object[] = [{ type: 'section', text: { type: 'mrkdwn', text: [text, ...lines].join('\n') } }];
  const context = footer.filter((x): x is string => Boolean(x));
  if (context.length) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
  return { text, blocks };
}

const footer = (org: string) => (org === 'TokenBoard' ? 'TokenBoard' : `TokenBoard · ${esc(org)}`);
const plainPct = (n: number) => `${Math.floor(n + 1e-9)}%`;

function budgetMessage(b: Body, org: string): SlackMessage {
  const bud = b.budget ?? {};
  const who = bud.scope === 'user' ? `*${esc(bud.subject)}*` : bud.scope === 'team' ? `Team *${esc(bud.subject)}*` : `*${esc(org)}* (the whole org)`;
  const their = bud.scope === 'user' ? 'their' : 'its';
  const period = bud.period === 'week' ? 'weekly' : 'monthly';
  const used = bud.limit_usd !== null && bud.limit_usd !== undefined
    ? { pct: (b.spent_usd / bud.limit_usd) * 100, amount: `${usd(b.spent_usd)} of ${usd(bud.limit_usd)} estimated` }
    : { pct: (b.tokens / bud.limit_tokens) * 100, amount: `${compact(b.tokens)} of ${compact(bud.limit_tokens)} tokens` };
  const icon = b.threshold >= 100 ? ':rotating_light:' : ':warning:';
  const text = `${icon} ${who} crossed ${b.threshold}% of ${their} ${period} AI budget: ${used.amount} used (${plainPct(used.pct)}) in the ${bud.period === 'week' ? 'week' : 'month'} from ${longDay(String(bud.period_start))}.`;
  const lines: string[] = [];
  if (b.unpriced_tokens > 0 && bud.limit_usd !== null && bud.limit_usd !== undefined) lines.push(`Cost is partial: ${compact(b.unpriced_tokens)} tokens of models without a price are not in it (their cost is unknown).`);
  return message(text, lines, [link(b.url, bud.scope === 'user' ? 'Open the profile' : 'Open the team page'), footer(org)]);
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

function digestMessage(b: Body, org: string): SlackMessage {
  const d = b.digest as Digest;
  const spend = `${usd(d.spend.usd)}${d.spend.partial ? ' (partial: some models have no price)' : ''}`;
  const change = d.spend.change_pct === null ? '' : `, ${d.spend.change_pct > 0 ? '+' : ''}${d.spend.change_pct}% vs the week before`;
  const text = `Weekly AI usage for ${esc(org)}, ${longDay(d.week.start)} – ${longDay(d.week.end)}: ${d.people.active} of ${d.people.members} people active (${signed(d.people.active_change)} vs the week before), estimated spend ${spend}${change}.`;
  const lines: string[] = [];
  if (d.top_people.length) lines.push(`*Top people:* ${d.top_people.map((p) => `${esc(p.login)} ${compact(p.tokens)}`).join(', ')}`);
  if (d.top_movers.length) lines.push(`*Top movers:* ${d.top_movers.map((p) => `${esc(p.login)} +${compact(p.change)}`).join(', ')}`);
  if (d.new_unknown_models.length) lines.push(`*New models without a price:* ${d.new_unknown_models.map((m) => `\`${esc(m.model)}\``).join(', ')}`);
  if (d.budgets_near_limit.length) lines.push(`*Budgets near their limit:* ${d.budgets_near_limit.map((x) => `${esc(x.scope === 'org' ? 'the org' : x.subject)} ${x.percent}% of ${x.period === 'week' ? 'weekly' : 'monthly'}`).join(', ')}`);
  return message(text, lines, [link(b.url, 'Open the team page'), footer(org)]);
}

export function slackMessage(b: Body, org: string): SlackMessage {
  switch (b.type) {
    case 'budget.threshold_crossed': return budgetMessage(b, org);
    case 'digest.weekly': return digestMessage(b, org);
    case 'model.unknown':
      return message(`:grey_question: A model without a price was seen for the first time: \`${esc(b.model?.model)}\` (${esc(b.model?.provider)}). Its cost shows as unknown until an admin prices it.`,
        [], [link(b.url, 'Open the price table'), footer(org)]);
    case 'import.failed':
      return message(`:x: The ${esc(b.import?.provider)} usage import failed (job ${esc(b.import?.job)}): ${esc(b.import?.error)}`,
        [], [link(b.url, 'Open the imports page'), footer(org)]);
    case 'alert.destination_failing':
      return message(`:x: An alert destination keeps failing: ${esc(b.destination?.kind)} ${esc(b.destination?.url)} (${esc(b.destination?.error)}). Alerts to it are not arriving.`,
        [], [link(b.url, 'Open the alerts page'), footer(org)]);
    case 'alert.test':
    default:
      return message(`:white_check_mark: Test alert from ${footer(org)}: this destination works.`, [], [footer(org)]);
  }
}
