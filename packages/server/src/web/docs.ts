import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/** The public first-party client that the /docs page logs in with (created on first start). */
export const DOCS_CLIENT_ID = 'sesame-docs';

/**
 * The OpenAPI 3 document, generated from the route schemas (so it cannot drift from the code), and
 * Swagger UI at /docs with its assets served from the package (no CDN). The Authorize dialog uses
 * the OAuth2 password flow through the public client `sesame-docs`, so a person can log in with
 * the printed admin credentials and try every endpoint from the page.
 *
 * Called on the root instance before the routes: @fastify/swagger collects routes as they are added.
 */
export async function registerDocs(app: FastifyInstance): Promise<void> {
  const { config } = app.sesame;
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Sesame',
        version: '0.1.0',
        description:
          'The Sesame token service. Click **Authorize**, log in with a user (the admin printed on first start), ' +
          'leave the client secret empty, and call any endpoint.',
      },
      // No servers entry: the page calls the origin it was loaded from, whatever the issuer says.
      components: {
        securitySchemes: {
          password: {
            type: 'oauth2',
            description: `Log in as a user through the public client ${DOCS_CLIENT_ID}`,
            flows: {
              password: {
                tokenUrl: '/oauth/token',
                refreshUrl: '/oauth/token',
                scopes: { openid: 'the account', admin: 'the admin API' },
              },
            },
          },
          clientBasic: { type: 'http', scheme: 'basic', description: 'client_id and client_secret' },
        },
      },
      tags: [
        { name: 'oauth', description: 'OAuth 2.0 endpoints' },
        { name: 'account', description: 'The logged-in user' },
        { name: 'discovery', description: 'Metadata and keys' },
        { name: 'admin', description: 'Administration (scope admin)' },
        { name: 'health', description: 'Probes' },
      ],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { persistAuthorization: false, deepLinking: true, tryItOutEnabled: true },
    initOAuth: {
      clientId: DOCS_CLIENT_ID,
      scopes: ['openid', 'admin'],
      appName: `Sesame (${config.issuer})`,
    },
    staticCSP: true,
  });
}
