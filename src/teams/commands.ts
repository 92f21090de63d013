// `tokenboard team …`: a thin shell over the teams domain (src/teams/teams.ts).
import type { CliTools } from '../alerts/commands.ts';
import { CLI_ACTOR } from '../admin/audit.ts';
import { addMember, addTeam, listTeams, removeMember, removeTeam } from './teams.ts';

const USE = 'use "team add SLUG [--name NAME]", "team member add|remove SLUG LOGIN", "team list [--json]" or "team remove SLUG"';

export async function teamCommand(sub: string | undefined, rest: string[], t: CliTools): Promise<number> {
  if (sub === 'add') {
    const { values, positionals } = t.parse(rest, { name: { type: 'string' } }, 1);
    const team = await t.services((s) => addTeam(s.db, { slug: positionals[0], name: typeof values.name === 'string' ? values.name : null }, CLI_ACTOR));
    t.out(JSON.stringify({ slug: team.slug, name: team.name, source: team.source, members: team.members }));
    return 0;
  }
  if (sub === 'remove') {
    const { positionals } = t.parse(rest, {}, 1);
    const r = await t.services((s) => removeTeam(s.db, positionals[0], CLI_ACTOR));
    t.out(`removed team ${r.team} (${r.members} member${r.members === 1 ? '' : 's'}; their accounts and usage stay)`);
    return 0;
  }
  if (sub === 'member') {
    const [action, ...args] = rest;
    if (action !== 'add' && action !== 'remove') throw t.usage(`unknown command "team member ${action ?? ''}"; use "team member add SLUG LOGIN" or "team member remove SLUG LOGIN"`);
    const { positionals } = t.parse(args, {}, 2);
    const [slug, login] = positionals;
    if (action === 'add') {
      const r = await t.services((s) => addMember(s.db, slug, login, CLI_ACTOR));
      t.out(r.added ? `added ${r.login} to team ${r.team}` : `${r.login} was already in team ${r.team}`);
    } else {
      const r = await t.services((s) => removeMember(s.db, slug, login, CLI_ACTOR));
      t.out(r.removed ? `removed ${r.login} from team ${r.team}` : `${r.login} was not in team ${r.team}`);
    }
    return 0;
  }
  if (sub === 'list') {
    const { values } = t.parse(rest, { json: { type: 'boolean' } }, 0);
    const teams = await t.services((s) => listTeams(s.db));
    if (values.json) t.out(JSON.stringify(teams.map((x) => ({ slug: x.slug, name: x.name, source: x.source, members: x.members }))));
    else {
      t.out(['slug', 'source', 'members', 'name'].join('\t'));
      for (const x of teams) t.out([x.slug, x.source, `${x.members.length}${x.members.length ? ` (${x.members.join(', ')})` : ''}`, x.name ?? ''].join('\t'));
    }
    return 0;
  }
  throw t.usage(`unknown command "team ${sub ?? ''}"; ${USE}`);
}
