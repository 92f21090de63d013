// /admin/settings: org name, time zone, leaderboard visibility, raw-event retention. A
// refused value comes back on its field with everything else as typed.
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import { saveSettings, type OrgSettings } from '../../../admin/settings.ts';
import { page } from '../../render.ts';
import { FORM } from '../../body.ts';
import { route } from '../../route.ts';
import { oneOf, request, typed } from '../../schema.ts';
import { ADMIN, actorOf, adminNav, inlineError, noStore, seeOther, type FieldError } from './common.ts';

// Offered as suggestions; any IANA zone the runtime knows is accepted.
const ZONES = Intl.supportedValuesOf('timeZone');

interface Draft { name: string; timezone: string; leaderboard_visibility: string; retention_days: string }

const draftOf = (st: OrgSettings): Draft => ({ name: st.name, timezone: st.timezone, leaderboard_visibility: st.leaderboard_visibility, retention_days: st.retention_days === null ? '' : String(st.retention_days) });

// The shape only; saveSettings words what a value means (a zone it does not know, a length).
const FIELDS = { name: typed(1000), timezone: typed(100), leaderboard_visibility: typed(40), retention_days: typed(40) };

export function adminSettingsRoutes(s: Services) {
  const show = async (ctx: Context, draft: Draft, notice: string | null, error: FieldError | null = null) => {
    noStore(ctx);
    await page(ctx, 'pages/admin/settings.njk', { title: 'Settings · Admin', admin_nav: adminNav('settings'), draft, error, zones: ZONES, notice });
  };
  return [
    route({
      method: 'GET', path: '/admin/settings', access: ADMIN, input: request({ query: { done: oneOf(['saved']) } }),
      handler: (ctx: Context, { query }) => show(ctx, draftOf(s.settings()), query.done === 'saved' ? 'Settings saved.' : null),
    }),
    route({
      method: 'POST', path: '/admin/settings', access: ADMIN, body: FORM, input: request({ body: FIELDS }),
      async handler(ctx: Context, { body: draft }) {
        try {
          await saveSettings(s.db, s.cfg, draft, actorOf(ctx));
        } catch (err) {
          const error = inlineError(err);
          ctx.status = error.status;
          return show(ctx, draft, null, error);
        }
        // This process applies them now (the time zone's calendar, the header's org name).
        await s.refreshSettings();
        seeOther(ctx, '/admin/settings?done=saved');
      },
    }),
  ];
}
