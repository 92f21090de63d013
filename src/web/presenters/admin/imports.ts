// The imports page and the job page: key hints, jobs with a plain status, the unmapped
// usage with its identities to assign.
import type { ImportsAdminView, JobView } from '../../../imports/admin-view.ts';
import type { UnmappedGroup } from '../../../imports/mapping.ts';
import { IDENTITY_KINDS } from '../../../imports/mapping.ts';
import { compact, int } from '../../format.ts';
import { when, type FieldError } from '../../pages/admin/common.ts';

const PROVIDER_LABEL: Record<string, string> = { anthropic: 'Anthropic', openai: 'OpenAI' };

const KIND_LABEL: Record<string, string> = {
  email: 'email', anthropic_account: 'Anthropic account', anthropic_api_key: 'Anthropic API key', anthropic_api_key_name: 'Anthropic API key name',
  openai_user: 'OpenAI user', openai_api_key: 'OpenAI API key',
};

export function presentJob(j: JobView) {
  // A 'running' row nobody holds the lease of was cut short (its process stopped): it can
  // resume (housekeeping resumes it by itself within a lease period, too).
  const interrupted = j.status === 'running' && !j.running_somewhere;
  const live = j.running_somewhere;
  return {
    id: j.id,
    href: `/admin/imports/jobs/${j.id}`,
    provider: PROVIDER_LABEL[j.provider] ?? j.provider,
    range: `${j.from_day} – ${j.to_day}`,
    status: interrupted ? 'interrupted' : j.status,
    live,
    resumable: !j.running_somewhere && (interrupted || j.status === 'failed' || j.status === 'queued'),
    pages: int(j.pages), events: int(j.events), unmapped: int(j.unmapped),
    error: j.error,
    by: j.created_by,
    started: when(j.created_at),
    updated: when(j.updated_at),
  };
}

function presentGroup(g: UnmappedGroup) {
  return {
    provider: PROVIDER_LABEL[g.provider.replace(/-admin$/, '')] ?? g.provider,
    label: g.label,
    tokens: compact(g.tokens), tokens_title: `${int(g.tokens)} tokens`, events: int(g.events),
    days: g.first_day === g.last_day ? g.first_day : `${g.first_day} – ${g.last_day}`,
    identities: g.identities.map(([kind, id]) => ({ value: `${kind} ${id}`, text: `${KIND_LABEL[kind] ?? kind}: ${id}` })),
  };
}

export function presentImports(v: ImportsAdminView, o: { today: string; error?: FieldError | null; errorIn?: 'key' | 'start' | 'assign' | null; notice?: string | null; draft?: Record<string, string> }) {
  const yesterday = new Date(Date.parse(`${o.today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  const monthAgo = new Date(Date.parse(`${o.today}T00:00:00Z`) - 30 * 86_400_000).toISOString().slice(0, 10);
  const err = (where: string) => (o.errorIn === where ? o.error ?? null : null);
  return {
    providers: ['anthropic', 'openai'].map((p) => {
      const k = v.keys.find((x) => x.provider === p);
      return { value: p, label: PROVIDER_LABEL[p], last4: k?.last4 ?? null, updated: k ? when(k.updated_at) : null, selected: (o.draft?.provider ?? 'anthropic') === p };
    }),
    range: { from: o.draft?.from ?? monthAgo, to: o.draft?.to ?? yesterday, max: yesterday },
    jobs: v.jobs.map(presentJob),
    unmapped: v.unmapped.map(presentGroup),
    logins: v.logins,
    kinds: IDENTITY_KINDS.map((k) => ({ value: k, label: KIND_LABEL[k] ?? k })),
    errors: { key: err('key'), start: err('start'), assign: err('assign') },
    draft: o.draft ?? {},
    notice: o.notice ?? null,
  };
}
