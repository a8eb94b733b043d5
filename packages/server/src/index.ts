/**
 * @sesame/server — the Sesame token service, as a library. Everything outside this package (the
 * examples, your own server) uses these exports and nothing deeper; `npm run lint` checks that.
 *
 * @example
 * import { buildApp, DEFAULT_GRANTS, loadConfig, openStore } from '@sesame/server';
 *
 * const config = loadConfig({ env: process.env });
 * const store = await openStore(config);
 * const app = await buildApp({ config, store, grants: [...DEFAULT_GRANTS, myGrant] });
 * await app.listen({ port: config.port, host: config.host });
 */

/**
 * Builds the Fastify app (it never listens: call `listen`, or `inject` in tests). The store is the
 * caller's: open it with `openStore`, close it after `app.close()`.
 *
 * @example
 * const app = await buildApp({ config, store, grants: [...DEFAULT_GRANTS, myGrant] });
 * const response = await app.inject({ method: 'GET', url: '/healthz' });
 */
export { type BuildAppOptions, buildApp } from './app.js';

/**
 * The configuration, built once and frozen: defaults < `values` < `file` < `env` (SESAME_*) <
 * `flags`. Every key, its default and its SESAME_* name are in config/schema.ts; an invalid value
 * throws a `ConfigError` naming the setting.
 *
 * @example const config = loadConfig({ values: { dataDir: './.sesame' }, env: process.env });
 */
export { ConfigError, type ConfigSources, loadConfig, type SesameConfig } from './config/config.js';
/**
 * The one error a grant (or any route) throws to answer an RFC 6749 §5.2 error: `invalid_grant`,
 * `invalid_request`, ... with its status. The message never carries a secret.
 *
 * @example throw new OAuthError('invalid_grant', 'the code is not valid');
 */
export { OAuthError, type OAuthErrorCode } from './domain/errors.js';
/**
 * The services a grant gets in its context (`services.users`, `services.clients`, `services.audit`,
 * `services.accessTokens`, `services.config`, `services.now`, ...), also on `app.sesame`.
 *
 * @example const user = await app.sesame.users.create({ username: 'alice', password, scopes: ['openid'] });
 */
export type { Services } from './domain/services.js';
/**
 * The built-in grant modules, one per grant_type, to list a subset in `buildApp({ grants })`.
 *
 * @example const app = await buildApp({ config, store, grants: [clientCredentialsGrant, refreshTokenGrant] });
 */
export { authorizationCodeGrant } from './grants/authorization-code.js';
export { clientCredentialsGrant } from './grants/client-credentials.js';
/**
 * The grant registry of the token endpoint: the built-in grants, each on its own, and
 * `createGrantRegistry` (what `buildApp` does with its `grants` option: two grants claiming one
 * grant_type throw). Pass `[...DEFAULT_GRANTS, yourGrant]` to `buildApp` to add a grant;
 * docs/grants.md shows one written outside this package.
 *
 * @example
 * const grants = [...DEFAULT_GRANTS.filter((g) => g.grantType !== 'password'), myGrant];
 * createGrantRegistry(grants).grantTypes; // ['client_credentials', 'refresh_token', ...]
 */
export {
  createGrantRegistry,
  DEFAULT_GRANTS,
  type GrantContext,
  type GrantModule,
  type GrantParameter,
  type GrantRegistry,
  type TokenResponse,
} from './grants/index.js';
/**
 * What a grant's `handle` does last: signs the access token, records `token.issued` in the audit
 * trail and returns the RFC 6749 §5.1 response.
 *
 * @example
 * async handle({ client, services, request }) {
 *   return issueTokenResponse(services, { client, grantType: this.grantType, subject: client.clientId, scopes: [] });
 * }
 */
export { issueTokenResponse } from './grants/issue.js';
export { passwordGrant } from './grants/password.js';
export { refreshTokenGrant } from './grants/refresh-token.js';
export { wxappGrant } from './grants/wxapp.js';
/**
 * Opens the store a configuration names: SQLite in `dataDir`, or PostgreSQL at `databaseUrl` (with
 * `masterKey`), Redis in front with `redisUrl`; migrated unless `migrateOnStart` is false.
 *
 * @example
 * const store = await openStore(loadConfig({ values: { dataDir: mkdtempSync(join(tmpdir(), 'sesame-')) } }));
 * try { ... } finally { await store.close(); }
 */
export { type OpenStoreOptions, openStore } from './open-store.js';
/**
 * The store's one error class and its codes (`ERR_STORE_DUPLICATE`, ...), for code that calls a
 * store method and handles its refusal.
 *
 * @example if (isStoreError(error, 'ERR_STORE_DUPLICATE')) console.log('that name is taken');
 */
export { isStoreError, StoreError, type StoreErrorCode } from './store/errors.js';
/**
 * The store contracts: the `Store` interface every implementation (SQLite, PostgreSQL, Redis in
 * front) keeps, proven by one conformance suite, and the records it holds (`User`, `Client`, ...).
 *
 * @example
 * async function isKnown(store: Store, username: string): Promise<boolean> {
 *   return (await store.findUserByName(username)) !== undefined;
 * }
 */
export type * from './store/types.js';
