// The admin panel's routers, one per section, in mounting order (src/app.ts mounts them all).
import type Router from '@koa/router';
import type { Services } from '../../../services.ts';
import { adminIndexRouter } from './index.ts';
import { adminUsersRouter } from './users.ts';
import { adminTokensRouter } from './tokens.ts';
import { adminPricesRouter } from './prices.ts';
import { adminSettingsRouter } from './settings.ts';
import { adminAuditRouter } from './audit.ts';
import { adminImportsRouter } from './imports.ts';
import { adminBudgetsRouter } from './budgets.ts';
import { adminAlertsRouter } from './alerts.ts';

export function adminRouters(s: Services): Router[] {
  return [adminIndexRouter(s), adminUsersRouter(s), adminTokensRouter(s), adminPricesRouter(s), adminSettingsRouter(s), adminAuditRouter(s), adminImportsRouter(s), adminBudgetsRouter(s), adminAlertsRouter(s)];
}
