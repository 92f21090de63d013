// The admin panel's routes, one module per section (src/app.ts mounts them with the rest).
import type { Services } from '../../../services.ts';
import { adminIndexRoutes } from './index.ts';
import { adminUsersRoutes } from './users.ts';
import { adminTokensRoutes } from './tokens.ts';
import { adminPricesRoutes } from './prices.ts';
import { adminSettingsRoutes } from './settings.ts';
import { adminAuditRoutes } from './audit.ts';
import { adminImportsRoutes } from './imports.ts';
import { adminBudgetsRoutes } from './budgets.ts';
import { adminAlertsRoutes } from './alerts.ts';
import { adminTeamsRoutes } from './teams.ts';

export function adminRoutes(s: Services) {
  return [...adminIndexRoutes(s), ...adminUsersRoutes(s), ...adminTeamsRoutes(s), ...adminTokensRoutes(s), ...adminPricesRoutes(s), ...adminSettingsRoutes(s), ...adminAuditRoutes(s), ...adminImportsRoutes(s), ...adminBudgetsRoutes(s), ...adminAlertsRoutes(s)];
}
