/**
 * The configuration schema of the Sesame server as data: one JSON Schema row per key, with its type,
 * default, limits and description; the environment variable is SESAME_ + the key in UPPER_SNAKE.
 * `config.ts` reads defaults, then the JSON file, then the environment, then CLI flags, and checks
 * every value against its row.
 */

import type { FromSchema } from 'json-schema-to-ts';

/** The part of JSON Schema a configuration row uses. */
export interface Setting {
  readonly type?: 'string' | 'integer' | 'boolean';
  /** 'uri': an http(s) URL; 'milliseconds': a duration. */
  readonly format?: 'uri' | 'milliseconds';
  readonly enum?: readonly string[];
  /** trustProxy's shapes (config/proxy.ts). */
  readonly anyOf?: readonly object[];
  /** Inclusive bounds of integers and durations (milliseconds). */
  readonly minimum?: number;
  readonly maximum?: number;
  /** The default value, already in its final form (durations in milliseconds). */
  readonly default?: unknown;
  readonly description: string;
  /** A secret: never printed, never logged. */
  readonly writeOnly?: boolean;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * Every configuration key, as the JSON Schema of its loaded value: adding a key is one row here.
 * The type `SesameConfig` is inferred from these rows, and their descriptions are the list of
 * `sesame serve --help` and docs/configuration.md (`npm run docs:config`). Durations
 * (`format: 'milliseconds'`) are held in milliseconds but written as 30s, 15m, 7d, 250ms, or a
 * number of seconds. `writeOnly` marks a secret: never printed, never logged.
 */
export const SETTINGS = {
  issuer: {
    type: 'string',
    format: 'uri',
    default: 'http://127.0.0.1:8080',
    description: 'issuer URL (the iss claim)',
  },
  host: { type: 'string', default: '127.0.0.1', description: 'address to listen on' },
  port: { type: 'integer', default: 8080, minimum: 0, maximum: 65535, description: 'port to listen on' },
  dataDir: { type: 'string', default: './.sesame', description: 'folder of the SQLite store' },
  tokenProfile: {
    type: 'string',
    default: 'default',
    enum: ['default', 'classic'],
    description: 'default: RFC 9068 access tokens; classic: HS256 with scopes as an array',
  },
  algorithm: {
    type: 'string',
    default: 'ES256',
    enum: ['ES256', 'RS256', 'EdDSA', 'HS256'],
    description: 'signing algorithm of access tokens (default profile); ID tokens may use it or RS256',
  },
  audience: {
    type: 'string',
    default: 'sesame',
    description:
      "Sesame's own audience: the aud of access tokens when the client names none, and the aud that /admin/* and /userinfo require",
  },
  hmacSecret: {
    type: 'string',
    default: '',
    writeOnly: true,
    description: 'HS256 shared secret: the classic profile, or algorithm HS256 (at least 32 bytes)',
  },
  weakSecretsFile: {
    type: 'string',
    default: '',
    description: 'a list of leaked HMAC secrets, one a line: an hmacSecret on it stops the server',
  },
  accessTokenTtl: {
    type: 'integer',
    format: 'milliseconds',
    minimum: 10_000,
    maximum: 30 * DAY,
    description: 'access token life (default 15m; 7d for the classic profile)',
  },
  refreshTokenTtl: {
    type: 'integer',
    format: 'milliseconds',
    default: 30 * DAY,
    minimum: MINUTE,
    maximum: 365 * DAY,
    description: 'life of a login session (a refresh-token family), whatever the rotations',
  },
  refreshGraceWindow: {
    type: 'integer',
    format: 'milliseconds',
    default: 30_000,
    minimum: 0,
    maximum: 5 * MINUTE,
    description: 'how long the previous refresh token still gets the same new pair (0 disables)',
  },
  dpopProofLifetime: {
    type: 'integer',
    format: 'milliseconds',
    default: 5 * MINUTE,
    minimum: 10_000,
    maximum: 15 * MINUTE,
    description:
      'how old a DPoP proof (RFC 9449) may be by its iat; its jti is remembered this long to refuse a replay',
  },
  dpopNonce: {
    type: 'boolean',
    default: false,
    description:
      'require a server nonce in DPoP proofs at the token endpoint (RFC 9449 §8): one more round trip per client; off, proofs are bounded by iat and the replay cache',
  },
  requirePushedAuthorizationRequests: {
    type: 'boolean',
    default: false,
    description:
      'every authorization request must be pushed first (POST /oauth/par, RFC 9126 §5); off, only clients registered with --require-par must',
  },
  keyRotationPeriod: {
    type: 'integer',
    format: 'milliseconds',
    default: 30 * DAY,
    minimum: MINUTE,
    maximum: 3650 * DAY,
    description: "how often the signing keys rotate (those of each algorithm: the access tokens' and RS256)",
  },
  throttleFreeFailures: {
    type: 'integer',
    default: 5,
    minimum: 0,
    maximum: 1000,
    description: 'failed logins allowed before back-off starts',
  },
  throttleBaseDelay: {
    type: 'integer',
    format: 'milliseconds',
    default: 1_000,
    minimum: 0,
    maximum: DAY,
    description: 'first back-off delay; doubles per further failure',
  },
  throttleMaxDelay: {
    type: 'integer',
    format: 'milliseconds',
    default: 15 * MINUTE,
    minimum: 0,
    maximum: DAY,
    description: 'longest back-off delay of a username (failures from every address)',
  },
  throttleAddressMaxDelay: {
    type: 'integer',
    format: 'milliseconds',
    default: 30_000,
    minimum: 0,
    maximum: DAY,
    description:
      "longest back-off an address's failures impose, only on the usernames it failed on (bounds what a shared address costs a user with the right password)",
  },
  throttleWindow: {
    type: 'integer',
    format: 'milliseconds',
    default: 60 * MINUTE,
    minimum: 1_000,
    maximum: 30 * DAY,
    description: 'failures older than this are forgotten',
  },
  bodyLimit: {
    type: 'integer',
    default: 16_384,
    minimum: 1_024,
    maximum: 10_485_760,
    description: 'largest accepted request body in bytes',
  },
  trustProxy: {
    anyOf: [{ const: false }, { type: 'integer', minimum: 1 }, { type: 'array', items: { type: 'string' } }],
    default: false,
    description:
      'the proxies whose X-Forwarded-For gives the client address: false, a hop count (1 behind one proxy) or their addresses/CIDRs (never true)',
  },
  logLevel: {
    type: 'string',
    default: 'info',
    enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    description: 'pino log level',
  },
  logFormat: {
    type: 'string',
    default: 'auto',
    enum: ['auto', 'json', 'pretty'],
    description:
      'log lines as JSON (for collectors) or pretty (one readable line each); auto: pretty when stdout is a terminal, JSON otherwise',
  },
  shutdownDelay: {
    type: 'integer',
    format: 'milliseconds',
    default: 0,
    minimum: 0,
    maximum: 5 * MINUTE,
    description:
      "on SIGTERM, how long /readyz answers 503 (stopping) while requests are still served, before the port closes: set it to the load balancer's health-check period",
  },
  shutdownGrace: {
    type: 'integer',
    format: 'milliseconds',
    default: 10_000,
    minimum: 0,
    maximum: 5 * MINUTE,
    description:
      'once the port is closed, how long requests in flight may take to finish before their connections are closed',
  },
  migrateOnStart: {
    type: 'boolean',
    default: true,
    description:
      'apply pending database migrations when a command opens the store; false: refuse to start until `sesame migrate` has run',
  },
  sqliteSynchronous: {
    type: 'string',
    default: 'normal',
    enum: ['normal', 'full'],
    description:
      'SQLite commits: normal fsyncs revocations and keys at commit, refresh rotations before they are answered (one fsync shared by the concurrent ones), the rest (audit rows, new families) at checkpoints; full fsyncs every commit',
  },
  // Distributed mode (docs/deploy.md): PostgreSQL and Redis shared by many instances.
  databaseUrl: {
    type: 'string',
    default: '',
    writeOnly: true,
    description: 'postgres:// URL: use PostgreSQL instead of the SQLite file (needs masterKey)',
  },
  masterKey: {
    type: 'string',
    default: '',
    writeOnly: true,
    description:
      'encrypts signing keys and server secrets at rest (required with PostgreSQL; optional with SQLite): 32 random bytes, base64 or hex',
  },
  masterKeyPrevious: {
    type: 'string',
    default: '',
    writeOnly: true,
    description: 'the master key being rotated out: still decrypts, never encrypts',
  },
  dbPoolSize: {
    type: 'integer',
    default: 10,
    minimum: 1,
    maximum: 1000,
    description:
      'PostgreSQL connections per process (each worker has its own pool), besides the 4 of the grouped refresh and audit statements',
  },
  redisUrl: {
    type: 'string',
    default: '',
    writeOnly: true,
    description: 'redis:// URL: shared throttling, denylist, single-use markers and revocation fan-out',
  },
  redisKeyPrefix: {
    type: 'string',
    default: 'sesame:',
    description: 'prefix of every Redis key and channel (one Redis for several deployments)',
  },
  revocationFailMode: {
    type: 'string',
    default: 'closed',
    enum: ['closed', 'open'],
    description: 'Redis unreachable: closed treats checked tokens as revoked; open asks the database',
  },
  workers: {
    type: 'integer',
    default: 0,
    minimum: 0,
    maximum: 256,
    description: 'server processes sharing the port (0: one per CPU core)',
  },
  // Prometheus metrics (docs/operations.md): on a port of their own, off the public listener.
  metricsPort: {
    type: 'integer',
    default: 0,
    minimum: 0,
    maximum: 65535,
    description:
      'port of the Prometheus /metrics endpoint, apart from the public port (0: off). With --workers, the primary serves the sum of every worker',
  },
  metricsHost: {
    type: 'string',
    default: '127.0.0.1',
    description:
      'address of the metrics port; any but a loopback address needs metricsToken (metrics reveal traffic and client ids)',
  },
  metricsToken: {
    type: 'string',
    default: '',
    writeOnly: true,
    description:
      'when set, /metrics needs Authorization: Bearer <this token> (at least 16 characters; required off loopback)',
  },
  auditLog: {
    type: 'boolean',
    default: false,
    description:
      'also write every audit event, in order, as a log line ("msg":"audit event", the event under "event" as `sesame audit export` prints it), at level info whatever logLevel, for a log shipper',
  },
  auditWebhookUrl: {
    type: 'string',
    default: '',
    description:
      'audit sink: POST every audit event, in order, as signed JSON batches to this https URL (empty: off; http only to loopback with auditWebhookAllowHttp)',
  },
  auditWebhookSecret: {
    type: 'string',
    default: '',
    writeOnly: true,
    description:
      'the key of the HMAC-SHA256 signature of each batch (Sesame-Signature header), at least 32 characters; required with auditWebhookUrl',
  },
  auditWebhookAllowHttp: {
    type: 'boolean',
    default: false,
    description: 'let auditWebhookUrl be http:// to a loopback address (a receiver on the same machine)',
  },
  auditWebhookBatchSize: {
    type: 'integer',
    default: 100,
    minimum: 1,
    maximum: 1000,
    description: 'audit events per POST at most',
  },
  auditWebhookTimeout: {
    type: 'integer',
    format: 'milliseconds',
    default: 5_000,
    minimum: 100,
    maximum: 60_000,
    description: 'how long one POST of the audit sink may take',
  },
  auditWebhookInterval: {
    type: 'integer',
    format: 'milliseconds',
    default: 1_000,
    minimum: 10,
    maximum: 60_000,
    description:
      'how often the audit sink looks for new events; also its first retry delay (doubled up to 1 min)',
  },
  wechatApiBase: {
    type: 'string',
    format: 'uri',
    default: 'https://api.weixin.qq.com',
    description: 'base URL of the WeChat API, for the wxapp grant (jscode2session)',
  },
  wechatTimeout: {
    type: 'integer',
    format: 'milliseconds',
    default: 5_000,
    minimum: 100,
    maximum: MINUTE,
    description: 'how long the wxapp grant waits for WeChat before answering 503',
  },
  // Client authentication by signed assertion (private_key_jwt, docs/security.md).
  clientAssertionMaxLifetime: {
    type: 'integer',
    format: 'milliseconds',
    default: 5 * MINUTE,
    minimum: 10_000,
    maximum: 60 * MINUTE,
    description:
      'a client assertion (private_key_jwt) whose exp is further away than this is refused: assertions are short-lived and single-use',
  },
  jwksUriTimeout: {
    type: 'integer',
    format: 'milliseconds',
    default: 5_000,
    minimum: 100,
    maximum: MINUTE,
    description: "how long fetching a client's jwks_uri may take before its assertion is refused",
  },
  jwksUriAllowPrivate: {
    type: 'boolean',
    default: false,
    description:
      "let clients' jwks_uri be http and reach loopback, private and link-local addresses (tests and development only: an SSRF vector)",
  },
  registration: {
    type: 'string',
    default: 'off',
    enum: ['off', 'open', 'token'],
    description:
      'dynamic client registration at POST /oauth/register (RFC 7591): off; open to anyone; or token, only with an initial access token made by `sesame registration token create`',
  },
  registrationScopes: {
    type: 'string',
    default: 'openid profile email',
    description:
      'the scopes a dynamically registered client may be given, space-separated; a registration asking for another is refused, one asking for none gets these',
  },
  registrationRateLimit: {
    type: 'integer',
    default: 20,
    minimum: 1,
    maximum: 1_000_000,
    description:
      'registrations one address may attempt before it must pause for registrationRateWindow (429 with Retry-After)',
  },
  registrationRateWindow: {
    type: 'integer',
    format: 'milliseconds',
    default: 10 * MINUTE,
    minimum: 1_000,
    maximum: DAY,
    description: "the quiet period after which an address's registration count starts again",
  },
} as const satisfies Record<string, Setting>;

export type ConfigKey = keyof typeof SETTINGS;

/** The validated, frozen configuration, inferred from `SETTINGS`. Durations are in milliseconds. */
export type SesameConfig = { readonly [K in ConfigKey]: FromSchema<(typeof SETTINGS)[K]> };

/** The whole configuration as one JSON Schema object (docs/configuration.md, tools). */
export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: SETTINGS,
} as const;

/** `accessTokenTtl` → `SESAME_ACCESS_TOKEN_TTL`. */
export function envName(key: string): string {
  return `SESAME_${key.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`;
}
