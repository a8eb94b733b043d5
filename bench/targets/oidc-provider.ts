/**
 * The peer of the token server benchmark: panva/node-oidc-provider configured for the same work —
 * client_credentials with client_secret_basic, RFC 9068 JWT access tokens signed with ES256, the
 * same audience, scope and 15-minute life — the way its documentation says: the
 * `clientCredentials` feature, and `resourceIndicators` with a default resource whose
 * `accessTokenFormat` is `jwt`. Storage is its default in-memory adapter (JWT access tokens are not
 * stored by it). Its own process, like every target.
 *
 * Env: OIDC_PORT, OIDC_KEY (a private JWK, JSON, with kid), OIDC_ISSUER, OIDC_CLIENT_ID,
 * OIDC_CLIENT_SECRET. Prints "oidc-provider listening" when ready.
 */
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const env = process.env;
const jwk = { ...JSON.parse(env.OIDC_KEY!), alg: 'ES256', use: 'sig' };

const provider = new Provider(env.OIDC_ISSUER!, {
  clients: [
    {
      client_id: env.OIDC_CLIENT_ID!,
      client_secret: env.OIDC_CLIENT_SECRET!,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      // Only an ES256 key is configured; the default RS256 for ID tokens would be refused.
      id_token_signed_response_alg: 'ES256',
      scope: 'api',
    },
  ],
  jwks: { keys: [jwk] },
  scopes: ['api'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // A resource indicator is an absolute URI (RFC 8707); the token's aud is still "sesame".
      defaultResource: () => 'urn:sesame:api',
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'api',
        audience: 'sesame',
        accessTokenTTL: 900,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
});

const server = createServer(provider.callback());
server.listen(Number(env.OIDC_PORT), '127.0.0.1', () => {
  process.stdout.write('oidc-provider listening\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
