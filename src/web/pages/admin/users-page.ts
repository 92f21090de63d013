// The /admin/users page itself, shared by the routers that answer with it (after a
// refused form, or a pasted list's result): people, the add forms, a hand-over card.
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import { githubConfigured } from '../../../config.ts';
import { listUsers } from '../../../admin/users.ts';
import { linkBase } from '../../../auth/login-links.ts';
import type { PersonDraft } from '../../../admin/people.ts';
import { page } from '../../render.ts';
import { takeFlash } from '../../flash.ts';
import { presentHandover, presentUserRow, type BulkView, type Handover } from '../../presenters/admin/users.ts';
import { baseUrl } from '../profile.ts';
import { actorOf, adminNav, field, noStore, queryOf, type FieldError } from './common.ts';

const NOTICES: Record<string, string> = {
  role: 'Role changed.', deactivated: 'Deactivated: their agent tokens are revoked and they no longer appear on the pages.',
  reactivated: 'Reactivated. Their old tokens stay revoked; they create new ones in their settings.', deleted: 'Deleted, with all their usage.',
};

/** The flash that carries a sign-in link (or a GitHub hand-over) from the POST to the page. */
export const HANDOVER = 'admin.handover';

export interface PeopleForms {
  add?: { draft: PersonDraft; error: FieldError | null };
  bulk?: { text: string; role: string; result: BulkView | null };
}

export interface UsersPageOptions {
  rowError?: { login: string; error: FieldError };
  forms?: PeopleForms;
}

/** The full page (also after a refused form, with ctx.status set by the caller). */
export async function showUsers(s: Services, ctx: Context, o: UsersPageOptions = {}): Promise<void> {
  const q = queryOf(ctx, 'q') || field(ctx, 'q');
  const viewer = actorOf(ctx).login;
  const users = (await listUsers(s.db, { q })).map((u) => presentUserRow(u, viewer, o.rowError && o.rowError.login.toLowerCase() === u.login.toLowerCase() ? o.rowError.error : null));
  // A refusal about someone not on this page (no such login) is shown above the table.
  const pageError = o.rowError && !users.some((u) => u.error) ? o.rowError.error : null;
  const github = githubConfigured(s.cfg);
  const handover = ctx.method === 'GET' ? takeFlash<Handover>(ctx, s, HANDOVER) : null;
  noStore(ctx);
  await page(ctx, 'pages/admin/users.njk', {
    title: 'Users · Admin', admin_nav: adminNav('users'), q, users, notice: NOTICES[queryOf(ctx, 'done')] ?? null, page_error: pageError,
    handover: handover ? presentHandover(handover) : null,
    mode: { github, org: s.cfg.github.org },
    forms: o.forms ?? {},
  });
}

export const linkBaseOf = (s: Services, ctx: Context): string => linkBase(s.cfg, baseUrl(s, ctx));
