// The audit log page: entries in plain words with the raw details (compact JSON) on
// demand, and the filter menus with kind families (user.*, price.*, …) besides the kinds.
import type { AuditRow } from '../../../admin/audit.ts';
import { when } from '../../pages/admin/common.ts';
import { auditSentence } from './audit-words.ts';

const MAX_DETAILS = 400;

export function presentAudit(v: { entries: AuditRow[]; actors: string[]; kinds: string[] }, f: { actor: string | null; kind: string | null }) {
  const families = [...new Set(v.kinds.map((k) => k.split('.')[0]))].sort().map((x) => `${x}.*`);
  const details = (d: unknown) => {
    if (d === null || d === undefined) return '';
    const s = typeof d === 'string' ? d : JSON.stringify(d);
    return s.length > MAX_DETAILS ? `${s.slice(0, MAX_DETAILS)}…` : s;
  };
  return {
    filter: f,
    filtered: Boolean(f.actor || f.kind),
    actors: v.actors.map((a) => ({ value: a, selected: a === f.actor })),
    kinds: [...families, ...v.kinds].map((k) => ({ value: k, selected: k === f.kind })),
    entries: v.entries.map((e) => ({ id: e.id, at: when(e.at), actor: e.actor, kind: e.kind, target: e.target, sentence: auditSentence(e), details: details(e.details) })),
  };
}
