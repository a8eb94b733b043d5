/**
 * OAuth clients: registration with a server-generated secret returned once, lookup, listing,
 * removal. Secrets are verified with `verifySecret` (secret.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Client, Store } from '../../store/types.js';
import {
  type FieldRules,
  type NewClient,
  needsSecret,
  type RegistrationFields,
  validateClientFields,
} from './client-fields.js';
import { generateClientSecret, hashClientSecret } from './secret.js';
import {
  ClientError,
  validateAuthMethod,
  validateBackchannelLogoutUri,
  validateDpopBound,
  validateIdTokenAlg,
  validatePermissions,
  validateRedirectUris,
  validateRequirePar,
  validateRequirePkce,
  validateSubjectType,
} from './validate.js';
import { type ResponseSettings, validateResponseSettings } from './validate-encryption.js';
import { checkClientKeys, validateJwks, validateJwksUri } from './validate-keys.js';

export type { NewClient, RegistrationFields } from './client-fields.js';
export { verifySecret } from './secret.js';
export { CLIENT_PERMISSIONS, ClientError, type ClientPermission } from './validate.js';

/** What `change` may change: the permissions (replaced whole) and the registration fields. */
export interface ClientChanges extends RegistrationFields {
  permissions?: string[];
}

export interface ClientService {
  /** The client, and for a confidential one its secret: shown once, never stored in clear. */
  create(input: NewClient): Promise<{ client: Client; clientSecret: string | null }>;
  /**
   * The client, remembered for up to a second (only clients that exist): client authentication
   * runs on every token request. A client removed through this service is forgotten at once; one
   * removed by another process (the CLI, another worker) stops authenticating within that second.
   */
  find(clientId: string): Promise<Client | undefined>;
  /** Drops a client from `find`'s memory (after removing or changing it in the store directly). */
  forget(clientId: string): void;
  list(): Promise<Client[]>;
  /**
   * Changes the fields given (validated against the client's type); answers the changed client.
   * Throws ERR_CLIENT_NOT_FOUND for an unknown id, ERR_CLIENT_INVALID for a refused value.
   */
  change(clientId: string, changes: ClientChanges): Promise<Client>;
  /**
   * Replaces every field of the client but its id and type (RFC 7592 §2.2: what is omitted is
   * cleared); a secret is made when the new method needs one and the client has none (answered
   * once), and dropped when it signs its assertions instead. Throws ERR_CLIENT_NOT_FOUND.
   */
  replace(clientId: string, input: NewClient): Promise<{ client: Client; clientSecret: string | null }>;
  /** Throws ERR_CLIENT_NOT_FOUND for an unknown id. */
  remove(clientId: string): Promise<void>;
}

const CLIENT_ID = /^[A-Za-z0-9._~-]{1,128}$/; // URL-safe, so it needs no escaping anywhere
/** How long `find` remembers a client, and how many at most. */
const REMEMBER_MS = 1_000;
const MAX_REMEMBERED = 10_000;

/** A remembered client is shared by requests: none may change it. */
function freezeClient(client: Client): Client {
  return Object.freeze({
    ...client,
    grantTypes: Object.freeze([...client.grantTypes]),
    scopes: Object.freeze([...client.scopes]),
    redirectUris: Object.freeze([...client.redirectUris]),
    audience: Object.freeze([...client.audience]),
    permissions: Object.freeze([...client.permissions]),
    postLogoutRedirectUris: Object.freeze([...client.postLogoutRedirectUris]),
  }) as Client;
}

/**
 * The client service over a store.
 *
 * @example
 * const clients = createClientService({ store });
 * const { client, clientSecret } = await clients.create({ name: 'quiz', grantTypes: ['client_credentials'] });
 * console.log(`client_id: ${client.clientId}\nclient_secret: ${clientSecret}`); // once
 */
export function createClientService(options: {
  store: Store;
  now?: () => number;
  /** The algorithms the server signs ID tokens with (the keyring's); default ES256. */
  signingAlgorithms?: readonly string[];
  /** Accept a jwks_uri over http or at a private address (config `jwksUriAllowPrivate`). */
  allowPrivateJwksUri?: boolean;
}): ClientService {
  const allowPrivate = options.allowPrivateJwksUri ?? false;
  const rules: FieldRules = { signable: options.signingAlgorithms ?? ['ES256'], allowPrivate };
  const { store } = options;
  const signable = options.signingAlgorithms ?? ['ES256'];
  const now = options.now ?? Date.now;
  const recent = new Map<string, { client: Client; until: number }>();
  const service: ClientService = {
    async create(input) {
      const type = input.type ?? 'confidential';
      if (type !== 'confidential' && type !== 'public') {
        throw new ClientError('ERR_CLIENT_INVALID', 'type must be confidential or public');
      }
      // Hex, not base64url: an id that starts with '-' would be read as an option by the CLI.
      const clientId = input.clientId ?? randomBytes(16).toString('hex');
      if (!CLIENT_ID.test(clientId)) throw new ClientError('ERR_CLIENT_INVALID', 'clientId must be URL-safe');
      const fields = validateClientFields(input, type, rules);
      // A client that signs its assertions has no use for a secret: none is made.
      const clientSecret = needsSecret(type, fields.tokenEndpointAuthMethod) ? generateClientSecret() : null;
      const client: Client = {
        clientId,
        type,
        secretHash: clientSecret === null ? null : hashClientSecret(clientSecret),
        ...fields,
        createdAt: now(),
        updatedAt: now(),
      };
      await store.createClient(client, input.registrationTokenHash);
      return { client, clientSecret };
    },
    async find(clientId) {
      const at = now();
      const known = recent.get(clientId);
      if (known !== undefined && known.until > at) return known.client;
      const client = await store.findClient(clientId);
      if (client === undefined) {
        recent.delete(clientId);
        return undefined;
      }
      // Bounded by the number of real clients; cleared outright if that is ever large.
      if (recent.size >= MAX_REMEMBERED) recent.clear();
      const frozen = freezeClient(client);
      recent.set(clientId, { client: frozen, until: at + REMEMBER_MS });
      return frozen;
    },
    forget(clientId) {
      recent.delete(clientId);
    },
    list: () => store.listClients(),
    async change(clientId, changes) {
      const before = await store.findClient(clientId);
      if (before === undefined) throw new ClientError('ERR_CLIENT_NOT_FOUND', 'no such client');
      const { type } = before;
      const valid: Partial<Client> = {};
      if (changes.permissions !== undefined) valid.permissions = validatePermissions(changes.permissions);
      if (changes.postLogoutRedirectUris !== undefined)
        valid.postLogoutRedirectUris = validateRedirectUris(
          changes.postLogoutRedirectUris,
          'postLogoutRedirectUris',
        );
      if (changes.backchannelLogoutUri !== undefined)
        valid.backchannelLogoutUri = validateBackchannelLogoutUri(changes.backchannelLogoutUri);
      if (changes.idTokenSignedResponseAlg !== undefined)
        valid.idTokenSignedResponseAlg = validateIdTokenAlg(changes.idTokenSignedResponseAlg, signable);
      if (changes.tokenEndpointAuthMethod !== undefined)
        valid.tokenEndpointAuthMethod = validateAuthMethod(changes.tokenEndpointAuthMethod, type);
      if (changes.requirePkce !== undefined)
        valid.requirePkce = validateRequirePkce(changes.requirePkce, type);
      if (changes.subjectType !== undefined) valid.subjectType = validateSubjectType(changes.subjectType);
      if (changes.jwks !== undefined) valid.jwks = validateJwks(changes.jwks);
      if (changes.jwksUri !== undefined) valid.jwksUri = validateJwksUri(changes.jwksUri, allowPrivate);
      const jwks = valid.jwks !== undefined ? valid.jwks : before.jwks;
      const jwksUri = valid.jwksUri !== undefined ? valid.jwksUri : before.jwksUri;
      checkClientKeys(
        valid.tokenEndpointAuthMethod !== undefined
          ? valid.tokenEndpointAuthMethod
          : before.tokenEndpointAuthMethod,
        jwks,
        jwksUri,
      );
      // Checked on every change: new keys must still hold one for each encryption asked for.
      const settings: ResponseSettings = validateResponseSettings(changes, before, signable, jwks, jwksUri);
      Object.assign(valid, settings);
      if (changes.dpopBoundAccessTokens !== undefined)
        valid.dpopBoundAccessTokens = validateDpopBound(changes.dpopBoundAccessTokens);
      if (changes.requirePushedAuthorizationRequests !== undefined)
        valid.requirePushedAuthorizationRequests = validateRequirePar(
          changes.requirePushedAuthorizationRequests,
        );
      const changed = await store.updateClient(clientId, { ...valid, updatedAt: now() });
      recent.delete(clientId); // a method or PKCE setting changed counts at once
      const client = changed ? await store.findClient(clientId) : undefined;
      if (client === undefined) throw new ClientError('ERR_CLIENT_NOT_FOUND', 'no such client');
      return client;
    },
    async replace(clientId, input) {
      const before = await store.findClient(clientId);
      if (before === undefined) throw new ClientError('ERR_CLIENT_NOT_FOUND', 'no such client');
      const fields = validateClientFields(input, before.type, rules);
      const keep = needsSecret(before.type, fields.tokenEndpointAuthMethod);
      const clientSecret = keep && before.secretHash === null ? generateClientSecret() : null;
      const secretHash = !keep
        ? null
        : clientSecret === null
          ? before.secretHash
          : hashClientSecret(clientSecret);
      const changed = await store.updateClient(clientId, { ...fields, secretHash, updatedAt: now() });
      recent.delete(clientId);
      const client = changed ? await store.findClient(clientId) : undefined;
      if (client === undefined) throw new ClientError('ERR_CLIENT_NOT_FOUND', 'no such client');
      return { client, clientSecret };
    },
    async remove(clientId) {
      const removed = await store.deleteClient(clientId);
      recent.delete(clientId); // after the delete: a request in between cannot bring it back
      if (!removed) throw new ClientError('ERR_CLIENT_NOT_FOUND', 'no such client');
    },
  };
  return Object.freeze(service);
}
