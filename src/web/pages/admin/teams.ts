// /admin/teams: make local teams and choose their members; GitHub teams are listed as
// synced and cannot be edited here. Plain forms (POST → 303 → GET); a refused form comes
// back with the message on its field or its team's row.
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import * as users from '../../../db/repos/users.ts';
import { addMember, addTeam, listTeams, removeMember, removeTeam } from '../../../teams/teams.ts';
import { page } from '../../render.ts';
import { FORM } from '../../body.ts';
import { route } from '../../route.ts';
import { oneOf, request, required, typed } from '../../schema.ts';
import { presentTeamsPage, type TeamsPageState } from '../../presenters/admin/teams.ts';
import { ADMIN, actorOf, adminNav, inlineError, noStore, seeOther } from './common.ts';

const NOTICES = {
  added: 'Team added. Add its members below.',
  member: 'Member added.',
  unmember: 'Member removed.',
  deleted: 'Team deleted. Its members keep their accounts and usage.',
} as const;

const bySlug = { params: { slug: required(100) } };
const anchor = (slug: string) => `#team-${encodeURIComponent(slug)}`;

export function adminTeamsRoutes(s: Services) {
  const show = async (ctx: Context, o: TeamsPageState) => {
    const [teams, people] = await Promise.all([listTeams(s.db), users.listActive(s.db.sql)]);
    noStore(ctx);
    await page(ctx, 'pages/admin/teams.njk', { title: 'Teams · Admin', admin_nav: adminNav('teams'), t: presentTeamsPage(teams, people.map((u) => u.login), o) });
  };
  /** A change to one team's row: done → back to its row; refused → the page with the message there. */
  const onRow = async (ctx: Context, slug: string, login: string, done: keyof typeof NOTICES, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      const error = inlineError(err);
      ctx.status = error.status;
      return show(ctx, { row: { slug: slug.toLowerCase(), login, error } });
    }
    seeOther(ctx, `/admin/teams?done=${done}${done === 'deleted' ? '' : anchor(slug.toLowerCase())}`);
  };
  return [
    route({
      method: 'GET', path: '/admin/teams', access: ADMIN, input: request({ query: { done: oneOf(['added', 'member', 'unmember', 'deleted']) } }),
      handler: (ctx: Context, { query }) => show(ctx, { notice: query.done ? NOTICES[query.done] : null }),
    }),
    route({
      method: 'POST', path: '/admin/teams', access: ADMIN, body: FORM, input: request({ body: { slug: typed(100), name: typed(200) } }),
      async handler(ctx: Context, { body }) {
        try {
          const team = await addTeam(s.db, { slug: body.slug, name: body.name || null }, actorOf(ctx));
          seeOther(ctx, `/admin/teams?done=added${anchor(team.slug)}`);
        } catch (err) {
          const error = inlineError(err);
          ctx.status = error.status;
          return show(ctx, { add: { form: body, error } });
        }
      },
    }),
    route({
      method: 'POST', path: '/admin/teams/:slug/members', access: ADMIN, body: FORM, input: request({ ...bySlug, body: { login: typed(64) } }),
      handler: (ctx: Context, { params, body }) => onRow(ctx, params.slug, body.login, 'member', () => addMember(s.db, params.slug, body.login, actorOf(ctx))),
    }),
    route({
      method: 'POST', path: '/admin/teams/:slug/members/remove', access: ADMIN, body: FORM, input: request({ ...bySlug, body: { login: required(64, 'login is required') } }),
      handler: (ctx: Context, { params, body }) => onRow(ctx, params.slug, '', 'unmember', () => removeMember(s.db, params.slug, body.login, actorOf(ctx))),
    }),
    route({
      method: 'POST', path: '/admin/teams/:slug/delete', access: ADMIN, body: FORM, input: request(bySlug),
      handler: (ctx: Context, { params }) => onRow(ctx, params.slug, '', 'deleted', () => removeTeam(s.db, params.slug, actorOf(ctx))),
    }),
  ];
}
