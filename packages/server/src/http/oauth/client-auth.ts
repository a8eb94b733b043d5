import type { FastifyRequest } from 'fastify';
import { verifySecret } from '../../domain/clients/clients.js';
import type { Services } from '../../domain/services.js';
import type { Client } from '../../store/types.js';
import { OAuthError } from './errors.js';
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
 * RFC 6749 §2.3.1: the client id and secret are each form-urlencoded (Appendix B) before being
 * joined with ":" and Base64-encoded. So "+" in the decoded text is a space and %XX are octets.
 */
export function parseBasicCredentials(header: string): { clientId: string; secret: string } {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (!match) throw invalidClient('the Authorization header is not valid Basic credentials');
  const encoded = match[1]!;
  if (encoded.length % 4 !== 0) throw invalidClient('the Basic credentials are not valid Base64');
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon === -1) throw invalidClient('the Basic credentials have no ":"');
  const clientId = formDecode(text.slice(0, colon));
  const secret = formDecode(text.slice(colon + 1));
  if (clientId === undefined || secret === undefined || clientId === '') {
    throw invalidClient('the Basic credentials are not form-urlencoded');
  }
  return { clientId, secret };
}

function formDecode(value: string): string | undefined {
  try {
    const decoded = decodeURIComponent(value.replace(/\+/g, ' '));
    return /[\x00-\x1f\x7f]/.test(decoded) ? undefined : decoded;
  } catch {
    return undefined;
  }
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
    ({ clientId, secret } = parseBasicCredentials(header));
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
  return { client, method };
}
