import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CLIENT_PERMISSIONS, type ClientChanges } from '../../domain/clients/clients.js';
import { TOKEN_ENDPOINT_AUTH_METHODS } from '../../domain/clients/validate.js';
import { DEFAULT_GRANTS } from '../../grants/index.js';
import type { TokenEndpointAuthMethod } from '../../store/types.js';
import { commandConfig, withExistingStore, withServices, withStoreOptions } from '../context.js';
import { refused, usage } from '../failure.js';
import { scopeArgument } from '../lib/scopes.js';
import { type ResponseOptions, responseChanges, responseFlags } from './client-response-flags.js';

interface AddOptions {
  dataDir?: string;
  config?: string;
  grant: string;
  scopes: string;
  redirectUri: string[];
  audience?: string;
  permission: string[];
  public?: boolean;
  json?: boolean;
}

/** The OpenID Connect registration flags, shared by `clients add` and `clients set`. */
interface RegistrationOptions extends ResponseOptions {
  postLogoutRedirectUri: string[];
  backchannelLogoutUri?: string;
  authMethod?: string;
  /** `--auth`, the short form of `--auth-method`. */
  auth?: string;
  /** A file holding the client's public JWK Set (private_key_jwt). */
  jwks?: string;
  jwksUri?: string;
  idTokenAlg?: string;
  /** commander's `--no-pkce` (and `--pkce` on `set`): undefined when neither was given. */
  pkce?: boolean;
  /** `--require-dpop` (and `--no-require-dpop` on `set`): undefined when neither was given. */
  requireDpop?: boolean;
  /** `--require-par` (and `--no-require-par` on `set`). */
  requirePar?: boolean;
}

const list = (value: string) => value.split(/[\s,]+/).filter(Boolean);
const collect = (value: string, previous: string[]) => [...previous, value];
/** A value from the command line, safe to echo in an error: no controls, at most 100 characters. */
const shown = (value: string) => JSON.stringify(value.slice(0, 100));

/** The grant types of the token endpoint, for `--grant` (extension grants by absolute URI too). */
const GRANT_TYPES = DEFAULT_GRANTS.map((grant) => grant.grantType);

/** Refuses a `--grant` value the server does not know, naming it and the valid ones. */
function checkGrants(grants: string[]): void {
  for (const grant of grants) {
    if (GRANT_TYPES.includes(grant) || /^[a-z][a-z0-9+.-]*:\S+$/i.test(grant)) continue;
    throw usage(`--grant ${shown(grant)} is not a grant type; valid: ${GRANT_TYPES.join(', ')}`);
  }
}

/** Refuses a permission Sesame does not know, naming it and the valid ones. */
function checkPermissions(permissions: string[]): string[] {
  for (const permission of permissions) {
    if (!(CLIENT_PERMISSIONS as readonly string[]).includes(permission))
      throw usage(`${shown(permission)} is not a permission; valid: ${CLIENT_PERMISSIONS.join(', ')}`);
  }
  return permissions;
}

/** Adds the registration flags to `add` and `set`. */
function registrationFlags(command: Command): Command {
  return responseFlags(command)
    .option(
      '--post-logout-redirect-uri <url>',
      'where logout may send the browser back, matched exactly (repeatable)',
      collect,
      [],
    )
    .option(
      '--backchannel-logout-uri <url>',
      'where logout tokens are POSTed when a session ends (https, or http on a loopback host)',
    )
    .option(
      '--auth-method <method>',
      `token endpoint authentication: ${TOKEN_ENDPOINT_AUTH_METHODS.join(', ')}`,
    )
    .option('--auth <method>', 'the same as --auth-method')
    .option(
      '--jwks <file>',
      'a file holding its public JWK Set: keys its private_key_jwt assertions are verified with, keys of use enc its responses are encrypted to',
    )
    .option(
      '--jwks-uri <url>',
      'private_key_jwt: the https URL of its public JWK Set (public addresses only)',
    )
    .option(
      '--id-token-alg <alg>',
      "the algorithm of its ID tokens: the server's (default) or RS256 (id_token_signed_response_alg)",
    )
    .option(
      '--require-dpop',
      'every token request must carry a DPoP proof, so its tokens are bound to a key (RFC 9449 dpop_bound_access_tokens)',
    )
    .option(
      '--require-par',
      'its authorization requests must be pushed first (POST /oauth/par, RFC 9126 require_pushed_authorization_requests)',
    );
}

/** The JWK Set in a file (a single JWK is taken as a set of one); the domain checks the keys. */
function readJwks(file: string): NonNullable<ClientChanges['jwks']> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw usage(`--jwks ${shown(file)} cannot be read`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw usage(`--jwks ${shown(file)} is not JSON`);
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && 'kty' in parsed)
    return { keys: [parsed as Record<string, unknown>] };
  return parsed as NonNullable<ClientChanges['jwks']>;
}

/** The registration fields the flags name (none when no flag was given); the domain validates them. */
function registrationChanges(options: RegistrationOptions): ClientChanges {
  const changes: ClientChanges = {};
  for (const uri of options.postLogoutRedirectUri) {
    if (!URL.canParse(uri)) throw usage(`--post-logout-redirect-uri ${shown(uri)} is not an absolute URL`);
  }
  if (options.postLogoutRedirectUri.length > 0)
    changes.postLogoutRedirectUris = options.postLogoutRedirectUri;
  if (options.backchannelLogoutUri !== undefined) {
    if (!URL.canParse(options.backchannelLogoutUri))
      throw usage(`--backchannel-logout-uri ${shown(options.backchannelLogoutUri)} is not an absolute URL`);
    changes.backchannelLogoutUri = options.backchannelLogoutUri;
  }
  if (options.auth !== undefined && options.authMethod !== undefined && options.auth !== options.authMethod)
    throw usage('give --auth or --auth-method, not two different methods');
  const method = options.authMethod ?? options.auth;
  const flag = options.authMethod !== undefined ? '--auth-method' : '--auth';
  if (method !== undefined) {
    if (method === 'client_secret_jwt')
      throw usage(
        `${flag} client_secret_jwt is not offered: client secrets are stored hashed and cannot key an HMAC; use private_key_jwt`,
      );
    if (!(TOKEN_ENDPOINT_AUTH_METHODS as readonly string[]).includes(method))
      throw usage(
        `${flag} ${shown(method)} is not a method; valid: ${TOKEN_ENDPOINT_AUTH_METHODS.join(', ')}`,
      );
    changes.tokenEndpointAuthMethod = method as TokenEndpointAuthMethod;
  }
  if (options.jwks !== undefined && options.jwksUri !== undefined)
    throw usage('give --jwks or --jwks-uri, not both');
  // One replaces the other (RFC 7591 §2: never both): `set --jwks-uri` drops the inline keys.
  if (options.jwks !== undefined) {
    changes.jwks = readJwks(options.jwks);
    changes.jwksUri = null;
  }
  if (options.jwksUri !== undefined) {
    if (!URL.canParse(options.jwksUri))
      throw usage(`--jwks-uri ${shown(options.jwksUri)} is not an absolute URL`);
    changes.jwksUri = options.jwksUri;
    changes.jwks = null;
  }
  // The server knows which algorithms its keyring signs with: the domain checks the value.
  if (options.idTokenAlg !== undefined) changes.idTokenSignedResponseAlg = options.idTokenAlg;
  if (options.pkce !== undefined) changes.requirePkce = options.pkce;
  if (options.requireDpop !== undefined) changes.dpopBoundAccessTokens = options.requireDpop;
  if (options.requirePar !== undefined) changes.requirePushedAuthorizationRequests = options.requirePar;
  return { ...changes, ...responseChanges(options) };
}

/** `sesame clients add|list|set|permit|forbid|remove`. */
export function registerClients(program: Command): void {
  const clients = program.command('clients').description('manage OAuth clients');

  registrationFlags(withStoreOptions(clients.command('add <name>')))
    .description(
      'register a client; NAME is a label: prints its random client_id and client_secret (shown once)',
    )
    .option('--grant <grants>', 'allowed grant types, comma-separated', 'client_credentials')
    .option('--scopes <scopes>', 'allowed scopes, space-separated', '')
    .option('--redirect-uri <url>', 'a redirect URI (repeatable)', collect, [])
    .option('--audience <aud>', 'aud of its access tokens, space-separated (default: the server audience)')
    .option(
      '--permission <permissions>',
      `what it may do beyond its own tokens: ${CLIENT_PERMISSIONS.join(', ')} (comma-separated, repeatable)`,
      collect,
      [],
    )
    .option('--public', 'a public client (no secret: mobile and browser apps)')
    .option(
      '--no-pkce',
      'a confidential client may use the code flow without PKCE (OpenID Connect relying parties)',
    )
    .option('--json', 'print JSON')
    .action(async (name: string, options: AddOptions & RegistrationOptions) => {
      checkGrants(list(options.grant));
      if (list(options.grant).includes('password'))
        process.stderr.write(
          'note: the password grant is for first-party apps only (RFC 9700 section 2.4); prefer authorization_code\n',
        );
      const permissions = checkPermissions(options.permission.flatMap(list));
      for (const uri of options.redirectUri) {
        if (!URL.canParse(uri)) throw usage(`--redirect-uri ${shown(uri)} is not an absolute URL`);
      }
      const registration = registrationChanges(options);
      await withServices(commandConfig(options), async (services) => {
        const { client, clientSecret: secret } = await services.clients.create(
          {
            name,
            type: options.public ? 'public' : 'confidential',
            grantTypes: list(options.grant),
            scopes: scopeArgument(options.scopes, '--scopes'),
            redirectUris: options.redirectUri,
            audience: options.audience ? list(options.audience) : [],
            permissions,
            ...registration,
          },
          'cli',
        );
        if (options.json) {
          process.stdout.write(
            `${JSON.stringify({ client_id: client.clientId, client_secret: secret ?? null })}\n`,
          );
          return;
        }
        process.stdout.write(`client_id: ${client.clientId}\n`);
        if (secret !== null) process.stdout.write(`client_secret: ${secret}\n`);
        // The name reads like an id in examples (`clients add quiz-app`); clients send the random one.
        const once =
          secret !== null
            ? '; the secret is shown once: store it now'
            : client.tokenEndpointAuthMethod === 'private_key_jwt'
              ? '; it authenticates with assertions signed by its private key (no secret)'
              : '';
        process.stderr.write(`(${shown(name)} is a label: clients send the client_id above${once})\n`);
      });
    });

  withStoreOptions(clients.command('list'))
    .description('list clients')
    .option('--json', 'print JSON')
    .action(async (options: { dataDir?: string; config?: string; json?: boolean }) => {
      await withExistingStore(commandConfig(options), async (services) => {
        const all = (await services.clients.list()).map(({ secretHash: _hidden, ...client }) => client);
        if (options.json) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
        else
          for (const client of all) {
            const grants = client.grantTypes.join(',');
            process.stdout.write(
              `${client.clientId}\t${client.type}\t${grants}\t${client.scopes.join(' ')}\t${client.name}\n`,
            );
          }
      });
    });

  registrationFlags(withStoreOptions(clients.command('set <client_id>')))
    .description("change a client's registration: each flag given replaces its value")
    .option('--pkce', 'require PKCE again')
    .option('--no-pkce', 'a confidential client may use the code flow without PKCE')
    .option('--no-require-dpop', 'token requests without a DPoP proof are accepted again (Bearer tokens)')
    .option('--no-require-par', 'authorization requests in the query are accepted again')
    .action(
      async (clientId: string, options: RegistrationOptions & { dataDir?: string; config?: string }) => {
        const changes = registrationChanges(options);
        if (Object.keys(changes).length === 0)
          throw usage('nothing to change: give at least one flag (see --help)');
        await withExistingStore(commandConfig(options), async (services) => {
          if ((await services.clients.find(clientId)) === undefined)
            throw refused('ERR_CLIENT_NOT_FOUND', `no client ${clientId}`);
          await services.clients.change(clientId, changes, 'cli');
          process.stdout.write(`client ${clientId} changed: ${Object.keys(changes).join(', ')}\n`);
        });
      },
    );

  for (const [verb, description] of [
    ['permit', 'give a client permissions: introspect (any token), revocations (read the feed)'],
    ['forbid', 'take permissions away from a client'],
  ] as const) {
    withStoreOptions(clients.command(`${verb} <client_id> <permissions...>`))
      .description(description)
      .action(async (clientId: string, given: string[], options: { dataDir?: string; config?: string }) => {
        const named = checkPermissions(given.flatMap(list));
        await withExistingStore(commandConfig(options), async (services) => {
          const before = await services.clients.find(clientId);
          if (before === undefined) throw refused('ERR_CLIENT_NOT_FOUND', `no client ${clientId}`);
          const permissions =
            verb === 'permit'
              ? [...new Set([...before.permissions, ...named])]
              : before.permissions.filter((permission) => !named.includes(permission));
          const client = await services.clients.change(clientId, { permissions }, 'cli');
          const now = client.permissions.length > 0 ? client.permissions.join(', ') : 'none';
          process.stdout.write(`client ${clientId} permissions: ${now}\n`);
        });
      });
  }

  withStoreOptions(clients.command('remove <client_id>'))
    .description('remove a client, end its sessions and refuse its access tokens')
    .action(async (clientId: string, options: { dataDir?: string; config?: string }) => {
      await withExistingStore(commandConfig(options), async (services) => {
        if ((await services.clients.find(clientId)) === undefined)
          throw refused('ERR_CLIENT_NOT_FOUND', `no client ${clientId}`);
        // Its sessions end and its access tokens are refused now, not when they expire.
        const sessions = await services.clients.remove(clientId, 'cli');
        process.stdout.write(`client ${clientId} removed; ${sessions.length} session(s) ended\n`);
      });
    });
}
