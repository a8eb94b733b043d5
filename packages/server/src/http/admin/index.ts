import type { FastifyInstance } from 'fastify';
import { requireBearer } from '../oauth/bearer.js';
import { bearerSecurity, oauthErrorSchema } from '../oauth/schemas.js';
import { adminClientRoutes } from './clients.js';
import { adminConsentRoutes } from './consents.js';
import { adminKeyAndAuditRoutes } from './keys-and-audit.js';
import { adminSessionRoutes } from './sessions.js';
import { adminUserRoutes } from './users.js';

/**
 * The admin API under /admin: every route needs a bearer token with scope `admin`. The security
 * and error responses are added to each route's schema here, so the OpenAPI document shows them.
 */
export async function adminRoutes(app: FastifyInstance): Promise<void> {
  app.addHook('onRoute', (route) => {
    const response: Record<number, unknown> = { ...(route.schema?.response as object | undefined) };
    for (const status of [400, 401, 403, 404, 409]) response[status] ??= oauthErrorSchema;
    route.schema = { ...route.schema, security: bearerSecurity('admin'), response };
  });
  app.addHook('preHandler', requireBearer('admin'));
  await app.register(adminUserRoutes);
  await app.register(adminSessionRoutes);
  await app.register(adminConsentRoutes);
  await app.register(adminClientRoutes);
  await app.register(adminKeyAndAuditRoutes);
}
