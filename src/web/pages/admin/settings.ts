// /admin/settings: org name, time zone, leaderboard visibility, raw-event retention. A
// refused value comes back on its field with everything else as typed.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../../services.ts';
import { saveSettings, type OrgSettings } from '../../../admin/settings.ts';
import { page } from '../../render.ts';
import { actorOf, adminNav, field, inlineError, noStore, queryOf, seeOther, type FieldError } from './common.ts';

// Offered as suggestions; any IANA zone the runtime knows is accepted.
const ZONES = Intl.supportedValuesOf('timeZone');

interface Draft { name: string; timezone: string; leaderboard_visibility: string; retention_days: string }

const draftOf = (st: OrgSettings): Draft => ({ name: st.name, timezone: st.timezone, leaderboard_visibility: st.leaderboard_visibility, retention_days: st.retention_days === null ? '' : String(st.retention_days) });

async function show(s: Services, ctx: Context, draft: Draft, error: FieldError | null = null): Promise<void> {
  noStore(ctx);
  await page(ctx, 'pages/admin/settings.njk', {
    title: 'Settings · Admin', admin_nav: adminNav('settings'), draft, error, zones: ZONES,
    notice: queryOf(ctx, 'done') === 'saved' ? 'Settings saved.' : null,
  });
}

export function adminSettingsRouter(s: Services): Router {
  const router = new Router();
  router.get('/admin/settings', (ctx: Context) => show(s, ctx, draftOf(s.settings())));

  router.post('/admin/settings', async (ctx: Context) => {
    const draft: Draft = { name: field(ctx, 'name'), timezone: field(ctx, 'timezone'), leaderboard_visibility: field(ctx, 'leaderboard_visibility'), retention_days: field(ctx, 'retention_days') };
    try {
      await saveSettings(s.db, s.cfg, draft, actorOf(ctx));
    } catch (err) {
      const error = inlineError(err);
      ctx.status = error.status;
      return show(s, ctx, draft, error);
    }
    // This process applies them now (the time zone's calendar, the header's org name).
    await s.refreshSettings();
    seeOther(ctx, '/admin/settings?done=saved');
  });
  return router;
}
