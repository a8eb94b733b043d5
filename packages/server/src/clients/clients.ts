/**
 * OAuth clients: registration with a server-generated secret returned once, lookup, listing,
 * removal. Secrets are verified with `verifySecret` (secret.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Client, ClientType, Store } from '../store/types.js';
import { generateClientSecret, hashClientSecret } from './secret.js';
import {
  ClientError,
  validateAudience,
  validateGrantTypes,
  validateName,
  validateRedirectUris,
  validateScopes,
} from './validate.js';

export { verifySecret } from './secret.js';
export { ClientError } from './validate.js';

export interface NewClient {
  name: string;
  /** Default 'confidential'. Public clients (browser, mobile) get no secret. */
  type?: ClientType;
  grantTypes: string[];
  scopes?: string[];
  redirectUris?: string[];
  audience?: string[];
  /** A fixed id (e.g. the first-party `sesame-docs`); random when absent. */
  clientId?: string;
}

export interface ClientService {
  /** The client, and for a confidential one its secret: shown once, never stored in clear. */
  create(input: NewClient): Promise<{ client: Client; clientSecret: string | null }>;
  find(clientId: string): Promise<Client | undefined>;
  list(): Promise<Client[]>;
  /** Throws ERR_CLIENT_NOT_FOUND for an unknown id. */
  remove(clientId: string): Promise<void>;
}

const CLIENT_ID = /^[A-Za-z0-9._~-]{1,128}$/; // URL-safe, so it needs no escaping anywhere

/**
 * The client service over a store.
 *
 * @example
 * const clients = createClientService({ store });
 * const { client, clientSecret } = await clients.create({ name: 'quiz', grantTypes: ['client_credentials'] });
 * console.log(`client_id: ${client.clientId}\nclient_secret: ${clientSecret}`); // once
 */
export function createClientService(options: { store: Store; now?: () => number }): ClientService {
  const { store } = options;
  const now = options.now ?? Date.now;
  const service: ClientService = {
    async create(input) {
      const type = input.type ?? 'confidential';
      if (type !== 'confidential' && type !== 'public') {
        throw new ClientError('ERR_CLIENT_INVALID', 'type must be confidential or public');
      }
      const clientId = input.clientId ?? randomBytes(16).toString('base64url');
      if (!CLIENT_ID.test(clientId)) throw new ClientError('ERR_CLIENT_INVALID', 'clientId must be URL-safe');
      const clientSecret = type === 'confidential' ? generateClientSecret() : null;
      const client: Client = {
        clientId,
        name: validateName(input.name),
        type,
        secretHash: clientSecret === null ? null : hashClientSecret(clientSecret),
        grantTypes: validateGrantTypes(input.grantTypes, type),
        scopes: validateScopes(input.scopes ?? []),
        redirectUris: validateRedirectUris(input.redirectUris ?? []),
        audience: validateAudience(input.audience ?? []),
        createdAt: now(),
        updatedAt: now(),
      };
      await store.createClient(client);
      return { client, clientSecret };
    },
    find: (clientId) => store.findClient(clientId),
    list: () => store.listClients(),
    async remove(clientId) {
      if (!(await store.deleteClient(clientId)))
        throw new ClientError('ERR_CLIENT_NOT_FOUND', 'no such client');
    },
  };
  return Object.freeze(service);
}
