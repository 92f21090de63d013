// Audit entries in plain words ("alice sent bob a sign-in link"); the raw details stay one
// click away on the page. Pure: the entry's own fields only, nothing looked up.
import type { AuditRow } from '../../../admin/audit.ts';

type Details = Record<string, unknown>;

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const quoted = (v: unknown): string => `“${str(v)}”`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function priceText(p: unknown): string {
  if (!p || typeof p !== 'object') return 'none';
  const x = p as Details;
  const parts = [`input $${str(x.input)}`, `output $${str(x.output)}`];
  if (x.cache_read != null) parts.push(`cache read $${str(x.cache_read)}`);
  if (x.cache_write != null) parts.push(`cache write $${str(x.cache_write)}`);
  return `${parts.join(', ')} per million tokens`;
}

function budgetText(b: unknown): string {
  const x = (b && typeof b === 'object' ? b : {}) as Details;
  const limit = x.limit_usd != null ? `$${str(x.limit_usd)}` : `${str(x.limit_tokens)} tokens`;
  return `${x.period === 'week' ? 'weekly' : 'monthly'} budget (${limit}, alerts at ${Array.isArray(x.thresholds) ? x.thresholds.map((t) => `${str(t)}%`).join(', ') : '?'})`;
}

const SETTING_NAMES: Record<string, string> = { name: 'the org name', timezone: 'the time zone', leaderboard_visibility: 'the leaderboard visibility', retention_days: 'raw-event retention (days)' };

function settingsChanges(d: Details): string {
  const before = (d.before ?? {}) as Details;
  const after = (d.after ?? {}) as Details;
  const changed = Object.keys(after).filter((k) => JSON.stringify(before[k]) === JSON.stringify(after[k]) ? false : true);
  if (!changed.length) return 'saved the settings unchanged';
  return `changed ${changed.map((k) => `${SETTING_NAMES[k] ?? k} from ${quoted(before[k] ?? 'none')} to ${quoted(after[k] ?? 'none')}`).join(', ')}`;
}

function preferenceChanges(d: Details): string {
  const before = (d.before ?? {}) as Details;
  const after = (d.after ?? {}) as Details;
  const parts: string[] = [];
  if (before.hidden !== after.hidden) parts.push(after.hidden ? 'hid themselves from the leaderboard' : 'showed themselves on the leaderboard again');
  if (before.public_badge !== after.public_badge) parts.push(after.public_badge ? 'made their badge public' : 'made their badge private');
  return parts.join(' and ') || 'saved their visibility unchanged';
}

/** The entry as one sentence, actor first. */
export function auditSentence(e: Pick<AuditRow, 'actor' | 'kind' | 'target' | 'details'>): string {
  const d = (e.details && typeof e.details === 'object' ? e.details : {}) as Details;
  const who = e.actor === 'cli' ? 'The server’s CLI' : e.actor === 'config' ? 'config.toml' : e.actor;
  const target = str(e.target);
  const self = e.actor.toLowerCase() === target.toLowerCase();
  switch (e.kind) {
    case 'user.add': return `${who} added ${target} as ${str(d.role) || 'member'}${d.github ? ' (to be claimed at their first GitHub sign-in)' : ''}`;
    case 'user.login_link': return `${who} sent ${self ? 'themselves' : target} a sign-in link`;
    case 'user.role': return e.actor === 'config' ? `config.toml raised ${target}’s role from ${str(d.before)} to ${str(d.after)} at sign-in` : `${who} changed ${target}’s role from ${str(d.before)} to ${str(d.after)}`;
    case 'user.deactivate': return `${who} deactivated ${target}${typeof d.tokens_revoked === 'number' && d.tokens_revoked > 0 ? ` and revoked ${plural(d.tokens_revoked, 'agent token')}` : ''}`;
    case 'user.reactivate': return `${who} reactivated ${target}`;
    case 'user.delete': return `${who} deleted ${target} and all their usage`;
    case 'user.preferences': return `${self ? who : `${who} (for ${target})`} ${preferenceChanges(d)}`;
    case 'user.github_link': return `${target}’s first GitHub sign-in claimed the account made for them`;
    case 'token.create': return `${who} created the agent token ${quoted(d.name)}${self ? '' : ` for ${target}`}`;
    case 'token.revoke':
      if (typeof d.count === 'number') return `${who} revoked ${d.name ? `the agent token ${quoted(d.name)}` : plural(d.count, 'agent token')} of ${self ? 'their own' : target}`;
      return `${who} revoked the agent token ${quoted(d.name)}${self ? '' : ` of ${/^\d+$/.test(target) ? `user #${target}` : target}`}`;
    case 'price.set': return d.before ? `${who} changed the price of ${target} to ${priceText(d.after)}` : `${who} priced ${target} at ${priceText(d.after)}`;
    case 'price.delete': return `${who} deleted the price of ${target}`;
    case 'price.import': {
      const added = Array.isArray(d.added) ? d.added.length : 0;
      const changed = Array.isArray(d.changed) ? d.changed.length : 0;
      return `${who} imported LiteLLM prices: ${added} added, ${changed} changed`;
    }
    case 'settings.update': return `${who} ${settingsChanges(d)}`;
    case 'import.key': return `${who} saved the ${target} ${target === 'copilot' ? 'token' : 'Admin key'} (ending ${str(d.last4)})`;
    case 'import.key.remove': return `${who} removed the ${target} ${target === 'copilot' ? 'token' : 'Admin key'}`;
    case 'import.start': return `${who} started a ${target} usage import for ${str(d.from)} – ${str(d.to)} (job ${str(d.job)})`;
    case 'import.resume': return `${who} resumed the ${target} usage import (job ${str(d.job)})`;
    case 'import.assign': return `${who} assigned ${str(d.kind).replace(/_/g, ' ')} ${str(d.external_id)} to ${target}${typeof d.moved === 'number' ? `, moving ${plural(d.moved, 'waiting record')}` : ''}`;
    case 'budget.set': return d.before ? `${who} changed the ${budgetText(d.after)} of ${target}` : `${who} set a ${budgetText(d.after)} for ${target}`;
    case 'team.add': return `${who} added the team ${target}${d.name ? ` (${quoted(d.name)})` : ''}`;
    case 'team.remove': return `${who} deleted the team ${target}${typeof d.members === 'number' ? ` (it had ${plural(d.members, 'member')})` : ''}`;
    case 'team.member_add': return `${who} added ${str(d.login)} to the team ${target}`;
    case 'team.member_remove': return `${who} took ${str(d.login)} out of the team ${target}`;
    case 'budget.remove': return `${who} deleted the ${budgetText(d.before)} of ${target}`;
    case 'alert.add': return `${who} added the alert destination ${target}${Array.isArray(d.events) ? ` for ${d.events.join(', ')}` : ''}`;
    case 'alert.remove': return `${who} deleted the alert destination ${target}`;
    case 'alert.test': return `${who} sent a test alert to ${target}`;
    default: return `${who}: ${e.kind}${target ? ` ${target}` : ''}`;
  }
}
