/**
 * Dynamic client registration (RFC 7591) and its management (RFC 7592) as business steps: who may
 * register (config `registration`: off, open, or with an initial access token), how often one
 * address may try (a counter in the store, as the login throttle keeps), and the registration
 * access token that alone may read, replace or delete what it registered. Both kinds of token are
 * 256 random bits, kept as SHA-256 (like client secrets: full entropy needs no slow hash) and
 * compared in constant time. Each step writes its audit event.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Client } from '../../store/types.js';
import type { DomainContext } from '../context.js';
import { OAuthError } from '../errors.js';
import { withdrawClient } from '../tokens/withdraw.js';
import { clientMetadata, readClientMetadata, registrationError } from './registration-metadata.js';
import { verifySecret } from './secret.js';

/** What POST /oauth/register and GET/PUT on the client's URI answer (RFC 7591 §3.2.1). */
export type RegistrationResponse = Record<string, unknown> & {
  client_id: string;
  registration_client_uri: string;
};

export interface RegistrationSteps {
  /** RFC 7591 §3: registers a client from its metadata. `address`: the caller's, for the limit. */
  register(
    body: unknown,
    caller: { initialAccessToken: string | undefined; address: string },
  ): Promise<RegistrationResponse>;
  /** RFC 7592 §2.1: the client's metadata, for the holder of its registration access token. */
  read(clientId: string, token: string): Promise<RegistrationResponse>;
  /** RFC 7592 §2.2: replaces the client's metadata (what is omitted is cleared). */
  replace(clientId: string, token: string, body: unknown): Promise<RegistrationResponse>;
  /** RFC 7592 §2.3: removes the client, its sessions and its tokens. */
  remove(clientId: string, token: string): Promise<void>;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const newToken = () => randomBytes(32).toString('base64url');

/** RFC 7592 §2: an unknown client or a wrong token is the same 401 (RFC 6750 §3.1 invalid_token). */
const refusedToken = () =>
  new OAuthError('invalid_token', 'the registration access token is not valid for this client', {
    headers: { 'www-authenticate': 'Bearer realm="sesame", error="invalid_token"' },
  });

/** The registration access token matches the stored hash (constant time over fixed-length hashes). */
function sameHash(storedHex: string, presented: string): boolean {
  const stored = Buffer.from(storedHex, 'hex');
  const candidate = Buffer.from(sha256(presented), 'hex');
  return stored.length === candidate.length && timingSafeEqual(stored, candidate);
}

/**
 * @example const steps = createRegistrationSteps(ctx);
 * const answer = await steps.register(body, { initialAccessToken, address: request.ip });
 */
export function createRegistrationSteps(ctx: DomainContext): RegistrationSteps {
  const { config, store, clients } = ctx;
  const policy = { scopes: config.registrationScopes.split(' ').filter((s) => s !== '') };
  const uri = (clientId: string) => `${config.issuer}/oauth/register/${clientId}`;

  const answer = (client: Client, secret: string | null, token?: string): RegistrationResponse => ({
    client_id: client.clientId,
    ...(secret !== null && { client_secret: secret, client_secret_expires_at: 0 }),
    client_id_issued_at: Math.floor(client.createdAt / 1000),
    ...(token !== undefined && { registration_access_token: token }),
    registration_client_uri: uri(client.clientId),
    ...clientMetadata(client),
  });

  /** The client whose registration access token this is; a 401 otherwise. */
  const holder = async (clientId: string, token: string): Promise<Client> => {
    const hash = await store.findRegistrationTokenHash(clientId);
    if (typeof hash !== 'string' || !sameHash(hash, token)) throw refusedToken();
    const client = await store.findClient(clientId);
    if (client === undefined) throw refusedToken();
    return client;
  };

  /** Counts the attempt against the address; past the limit, 429 until a quiet window. */
  const limit = async (address: string) => {
    const key = `register:${createHash('sha256').update(address).digest('base64url')}`;
    const window = config.registrationRateWindow;
    const state = await store.recordLoginFailure(key, ctx.now(), window);
    if (state.failures > config.registrationRateLimit) {
      throw new OAuthError('slow_down', 'too many registrations from this address; retry later', {
        status: 429,
        headers: { 'retry-after': String(Math.ceil(window / 1000)) },
      });
    }
  };

  const create = async (body: unknown) => {
    try {
      const token = newToken();
      const input = { ...readClientMetadata(body, policy), registrationTokenHash: sha256(token) };
      const { client, clientSecret } = await clients.create(input);
      return { client, clientSecret, token };
    } catch (error) {
      throw registrationError(error);
    }
  };

  return Object.freeze({
    async register(body, caller) {
      if (config.registration === 'off')
        throw new OAuthError('not_found', 'dynamic client registration is off on this server');
      await limit(caller.address);
      let by: string | undefined | null = null;
      if (config.registration === 'token') {
        const presented = caller.initialAccessToken;
        by =
          presented === undefined
            ? undefined
            : await store.spendInitialAccessToken(sha256(presented), ctx.now());
        if (by === undefined || by === null) {
          await ctx.audit({ type: 'client.registration.refused', ip: caller.address, details: {} });
          throw new OAuthError('invalid_token', 'an initial access token is required to register', {
            headers: {
              'www-authenticate':
                presented === undefined
                  ? 'Bearer realm="sesame"'
                  : 'Bearer realm="sesame", error="invalid_token"',
            },
          });
        }
      }
      const { client, clientSecret, token } = await create(body);
      await ctx.audit({
        type: 'client.registered',
        actor: by === null ? null : `initial-access-token:${by}`,
        subject: client.clientId,
        clientId: client.clientId,
        ip: caller.address,
        details: { grantTypes: client.grantTypes, redirectUris: client.redirectUris },
      });
      return answer(client, clientSecret, token);
    },

    async read(clientId, token) {
      return answer(await holder(clientId, token), null);
    },

    async replace(clientId, token, body) {
      const before = await holder(clientId, token);
      const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
      // RFC 7592 §2.2: the body names the client, and a secret it carries must be the client's.
      if (fields.client_id !== clientId)
        throw new OAuthError('invalid_request', 'client_id must be the id of the client being updated');
      if (fields.client_secret !== undefined && !verifySecret(before, String(fields.client_secret)))
        throw new OAuthError('invalid_request', 'client_secret is not the secret of this client');
      const { client_id: _, client_secret: __, ...metadata } = fields;
      let replaced: { client: Client; clientSecret: string | null };
      try {
        const input = readClientMetadata(metadata, policy);
        if (input.type !== before.type)
          throw new OAuthError(
            'invalid_client_metadata',
            'token_endpoint_auth_method cannot change between none and a method with credentials: register a new client',
          );
        replaced = await clients.replace(clientId, input);
      } catch (error) {
        throw registrationError(error);
      }
      const changed = Object.keys(metadata).sort();
      await ctx.audit({
        type: 'client.registration.updated',
        actor: clientId,
        subject: clientId,
        clientId,
        details: { changed },
      });
      return answer(replaced.client, replaced.clientSecret);
    },

    async remove(clientId, token) {
      await holder(clientId, token);
      await clients.remove(clientId);
      // What the client holds goes with it, as when an administrator removes one.
      const sessions = await withdrawClient(ctx, clientId);
      await ctx.audit({
        type: 'client.registration.deleted',
        actor: clientId,
        subject: clientId,
        clientId,
        details: { sessions: sessions.length },
      });
    },
  } satisfies RegistrationSteps);
}
