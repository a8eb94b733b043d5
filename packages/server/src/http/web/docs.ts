import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { DOCS_CLIENT_ID, docsRedirectUri } from '../../domain/clients/docs-client.js';

export { DOCS_CLIENT_ID, docsRedirectUri };

/**
 * Swagger UI labels every HTTP Basic scheme "Username" and "Password"; Sesame's only one is
 * client authentication, so the dialog says client_id and client_secret. A script file of the
 * page (served from /docs/static/theme, so the page's CSP needs nothing inline).
 */
const CLIENT_BASIC_LABELS = `(() => {
  const names = { 'auth-basic-username': 'client_id:', 'auth-basic-password': 'client_secret:' };
  const relabel = () => {
    for (const [id, text] of Object.entries(names)) {
      const label = document.querySelector('label[for="' + id + '"]');
      if (label && label.textContent !== text) label.textContent = text;
    }
  };
  new MutationObserver(relabel).observe(document.documentElement, { childList: true, subtree: true });
})();
`;

/**
 * The OpenAPI 3 document, generated from the route schemas (so it cannot drift from the code), and
 * Swagger UI at /docs with its assets served from the package (no CDN). The Authorize dialog logs a
 * person in with the authorization code flow and PKCE through the public client `sesame-docs`
 * (RFC 9700 §2.4: not the password grant), on Sesame's own login page; only `openid` is ticked at
 * first, so a user without `admin` is not refused. No top bar (the Fastify logo and the "Explore"
 * box point elsewhere).
 *
 * Called on the root instance before the routes: @fastify/swagger collects routes as they are added.
 */
export async function registerDocs(app: FastifyInstance): Promise<void> {
  const { config } = app.sesame;
  await app.register(swagger, {
    transformObject: (document) =>
      withoutSerializerHints('openapiObject' in document ? document.openapiObject : document.swaggerObject),
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Sesame',
        version: '0.1.0',
        description:
          'The Sesame token service. Click **Authorize**, tick the scopes you need (`admin` for the admin API), ' +
          `leave client_secret empty and log in on Sesame's page with a user (the admin printed on first start); ` +
          'then call any endpoint.',
      },
      // No servers entry: the page calls the origin it was loaded from, whatever the issuer says.
      components: {
        securitySchemes: {
          sesame: {
            type: 'oauth2',
            description: `Log in as a user through the public client ${DOCS_CLIENT_ID} (authorization code with PKCE)`,
            flows: {
              authorizationCode: {
                authorizationUrl: '/oauth/authorize',
                tokenUrl: '/oauth/token',
                refreshUrl: '/oauth/token',
                scopes: { openid: 'the account', admin: 'the admin API' },
              },
            },
          },
          clientBasic: {
            type: 'http',
            scheme: 'basic',
            description: 'client_id and client_secret (RFC 6749 §2.3.1)',
          },
          registrationToken: {
            type: 'http',
            scheme: 'bearer',
            description:
              'POST /oauth/register: an initial access token (RFC 7591 §3); /oauth/register/{clientId}: the registration access token (RFC 7592)',
          },
        },
      },
      tags: [
        { name: 'oauth', description: 'OAuth 2.0 endpoints' },
        { name: 'account', description: 'The logged-in user' },
        { name: 'discovery', description: 'Metadata and keys' },
        { name: 'registration', description: 'Dynamic client registration (RFC 7591, RFC 7592)' },
        { name: 'admin', description: 'Administration (scope admin)' },
        { name: 'health', description: 'Probes' },
      ],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // BaseLayout: Swagger UI without its top bar (logo and "Explore" URL box).
    uiConfig: { persistAuthorization: false, deepLinking: true, tryItOutEnabled: true, layout: 'BaseLayout' },
    initOAuth: {
      clientId: DOCS_CLIENT_ID,
      scopes: ['openid'],
      usePkceWithAuthorizationCodeGrant: true,
      appName: `Sesame (${config.issuer})`,
    },
    theme: {
      title: 'Sesame API',
      js: [{ filename: 'client-basic-labels.js', content: CLIENT_BASIC_LABELS }],
    },
    staticCSP: true,
  });
}

/**
 * The document without `format: 'unsafe'`: a hint to the response serializer that a string needs no
 * JSON escaping (http/oauth/schemas.ts), which is no OpenAPI format; a client reading it sees a
 * plain string.
 */
function withoutSerializerHints<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutSerializerHints) as T;
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(value)) {
    if (name === 'format' && member === 'unsafe') continue;
    copy[name] = withoutSerializerHints(member);
  }
  return copy as T;
}
