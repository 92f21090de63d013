// /admin/teams: local teams (editable) and GitHub teams (shown as synced, read-only), each
// with its members; a refused form comes back with what was typed and the message beside it.
import type { Team } from '../../../teams/teams.ts';
import type { FieldError } from '../../pages/admin/common.ts';

export interface TeamForm { slug: string; name: string }

export interface TeamsPageState {
  notice?: string | null;
  add?: { form: TeamForm; error: FieldError } | null;
  /** A refused change to one team (adding a member, deleting it): shown on its row. */
  row?: { slug: string; login: string; error: FieldError } | null;
}

export function presentTeamsPage(teams: Team[], logins: string[], o: TeamsPageState) {
  return {
    notice: o.notice ?? null,
    logins,
    rows: teams.map((t) => {
      const error = o.row?.slug === t.slug ? o.row.error : null;
      return {
        slug: t.slug,
        name: t.name,
        local: t.source === 'local',
        source: t.source === 'local' ? 'Local' : 'GitHub',
        members: t.members.map((login) => ({ login, href: `/u/${encodeURIComponent(login)}` })),
        count: `${t.members.length} ${t.members.length === 1 ? 'person' : 'people'}`,
        action: `/admin/teams/${encodeURIComponent(t.slug)}`,
        login: error ? o.row!.login : '',
        error: error ? error.message : null,
        error_id: `team-${t.slug}-error`,
      };
    }),
    local_count: teams.filter((t) => t.source === 'local').length,
    add: { form: o.add?.form ?? { slug: '', name: '' }, error: o.add?.error.message ?? null, error_field: o.add?.error.field ?? null },
  };
}
