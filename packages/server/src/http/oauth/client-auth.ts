import { ProtocolError, parseBasicCredentials } from '@sesame/protocol';
import type { FastifyRequest } from 'fastify';
import { ClientAssertionError, JWT_BEARER_ASSERTION_TYPE } from '../../domain/clients/client-assertion.js';
import { verifySecret } from '../../domain/clients/clients.js';
import { OAuthError } from '../../domain/errors.js';
import type { Services } from '../../domain/services.js';
import type { Client } from '../../store/types.js';
import type { Parameters } from './parameters.js';

/** How the client proved who it is (RFC 8414 token_endpoint_auth_methods_supported names). */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

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
 * (client_secret_basic), client_id + client_secret in the body (client_secret_post), a signed
 * assertion (private_key_jwt, RFC 7523 §2.2), or, for a public client, client_id alone. RFC 6749
 * §2.3: "The client MUST NOT use more than one authentication method in each request."
 *
 * @example const { client } = await authenticateClient(request, params, services);
 */
export async function authenticateClient(
  request: FastifyRequest,
  params: Parameters,
  services: Pick<Services, 'clients' | 'clientAssertions' | 'config'>,
): Promise<AuthenticatedClient> {
  if (params.client_assertion !== undefined || params.client_assertion_type !== undefined) {
    return authenticateByAssertion(request, params, services);
  }
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

/**
 * RFC 7523 §2.2: `client_assertion_type` (the jwt-bearer URN) and `client_assertion` (a JWT the
 * client signed), `client_id` optional and then equal to the assertion's. Another method beside it
 * (Basic, a client_secret) is two methods: invalid_client (RFC 6749 §2.3).
 */
/** RFC 6749 §5.2: the WWW-Authenticate challenge is for a client that used the Authorization header. */
const assertionRefused = (description = 'client authentication failed') =>
  new OAuthError('invalid_client', description, { status: 401 });

async function authenticateByAssertion(
  request: FastifyRequest,
  params: Parameters,
  services: Pick<Services, 'clients' | 'clientAssertions' | 'config'>,
): Promise<AuthenticatedClient> {
  if (request.headers.authorization !== undefined || params.client_secret !== undefined)
    throw invalidClient('use one client authentication method, not two');
  if (params.client_assertion_type !== JWT_BEARER_ASSERTION_TYPE)
    throw assertionRefused(`client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE}`);
  const assertion = params.client_assertion;
  if (assertion === undefined) throw assertionRefused('client_assertion is missing');
  const { clientAssertions } = services;
  try {
    const clientId = clientAssertions.claimedClient(assertion);
    // OpenID Connect Core §9: a client_id sent beside the assertion must be the assertion's.
    if (params.client_id !== undefined && params.client_id !== clientId)
      throw assertionRefused('client_id does not match the client assertion');
    const client = await services.clients.find(clientId);
    if (client === undefined) throw assertionRefused();
    // The registered method, before any key is fetched: a secret client cannot switch to keys.
    if (client.tokenEndpointAuthMethod !== 'private_key_jwt')
      throw assertionRefused(
        `the client is registered for ${client.tokenEndpointAuthMethod ?? 'a client secret'}`,
      );
    // The URL the assertion was sent to, as its aud may name it (RFC 7523 §3 item 3).
    const endpoint = `${services.config.issuer}${request.routeOptions.url ?? ''}`;
    await clientAssertions.verify(client, assertion, endpoint);
    return { client, method: 'private_key_jwt' };
  } catch (error) {
    if (error instanceof ClientAssertionError) throw assertionRefused(error.message);
    throw error;
  }
}
