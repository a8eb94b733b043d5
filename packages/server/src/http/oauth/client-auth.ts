import { ProtocolError, parseBasicCredentials } from '@sesame/protocol';
import type { FastifyRequest } from 'fastify';
import { verifySecret } from '../../domain/clients/clients.js';
import { OAuthError } from '../../domain/errors.js';
import type { Services } from '../../domain/services.js';
import type { Client } from '../../store/types.js';
import type { Parameters } from './parameters.js';

/** How the client proved who it is (RFC 8414 token_endpoint_auth_methods_supported names). */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface AuthenticatedClient {
  client: Client;
  method: ClientAuthMethod;
}

/**
 * RFC 6749 §5.2: a failed client authentication is 401 invalid_client, and a client that tried the
 * Authorization header gets a WWW-Authenticate naming its scheme. We always name Basic, the scheme
 * a client should use.
 */
export function invalidClient(description = 'client authentication failed'): OAuthError {
  return new OAuthError('invalid_client', description, {
    status: 401,
    headers: { 'www-authenticate': 'Basic realm="sesame", charset="UTF-8"' },
  });
}

/**
 * Authenticates the client of a token, revocation or introspection request: HTTP Basic
 * (client_secret_basic), client_id + client_secret in the body (client_secret_post), or, for a
 * public client, client_id alone. RFC 6749 §2.3: "The client MUST NOT use more than one
 * authentication method in each request."
 *
 * @example const { client } = await authenticateClient(request, params, services);
 */
export async function authenticateClient(
  request: FastifyRequest,
  params: Parameters,
  services: Pick<Services, 'clients'>,
): Promise<AuthenticatedClient> {
  const header = request.headers.authorization;
  let clientId: string | undefined;
  let secret: string | undefined;
  let method: ClientAuthMethod;
  if (header !== undefined) {
    if (params.client_secret !== undefined) {
      throw new OAuthError('invalid_request', 'use one client authentication method, not two');
    }
    // RFC 6749 §2.3.1 (form-urlencoded, then Base64) by @sesame/protocol's one parser.
    try {
      ({ clientId, clientSecret: secret } = parseBasicCredentials(header));
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      throw invalidClient(
        error.code === 'ERR_CREDENTIALS_MALFORMED'
          ? error.message
          : 'the Authorization header is not Basic credentials',
      );
    }
    if (params.client_id !== undefined && params.client_id !== clientId) {
      throw new OAuthError('invalid_request', 'client_id does not match the Basic credentials');
    }
    // A public client has no secret; Swagger UI and other tools still send "client_id:" in Basic.
    if (secret === '') secret = undefined;
    method = secret === undefined ? 'none' : 'client_secret_basic';
  } else {
    clientId = params.client_id;
    secret = params.client_secret;
    method = secret === undefined ? 'none' : 'client_secret_post';
  }
  if (clientId === undefined) throw invalidClient('no client authentication was included');

  const client = await services.clients.find(clientId);
  if (client === undefined) throw invalidClient();
  if (secret !== undefined && !verifySecret(client, secret)) throw invalidClient();
  // A confidential client must prove itself; a public client has nothing to prove with.
  if (client.type === 'confidential' && method === 'none') throw invalidClient();
  if (client.type === 'public' && method !== 'none') throw invalidClient('a public client has no secret');
  // RFC 6749 §2.3.1 / RFC 7591 §2: a client registered for one method is refused with the other,
  // so a secret leaked into a form body (logs, proxies) is not enough for a Basic-only client.
  const registered = client.tokenEndpointAuthMethod;
  if (registered !== null && method !== registered) {
    throw invalidClient(`the client is registered for ${registered}`);
  }
  return { client, method };
}
