/**
 * /userinfo as a JWT (OpenID Connect Core §5.3.2, Registration §2) for a client that registered
 * `userinfo_signed_response_alg` and/or `userinfo_encrypted_response_alg`: signed, the claims gain
 * `iss` (this server) and `aud` (the client); signed and encrypted, the JWS is encrypted as a nested
 * JWT (`cty: "JWT"`); encrypted only, the JSON claims are (Registration §2: "If both signing and
 * encryption are requested, the response will be signed then encrypted"; encryption alone encrypts
 * the claims). The content type is then `application/jwt`.
 */
import type { Services } from '../../domain/services.js';

export const JWT_CONTENT_TYPE = 'application/jwt';

/**
 * The answer as a JWT, or undefined when the token's client asked for JSON (or is gone).
 *
 * @example const jwt = await userinfoJwt(app.sesame, claims.client_id, body); if (jwt) reply.type(JWT_CONTENT_TYPE).send(jwt);
 */
export async function userinfoJwt(
  services: Pick<Services, 'clients' | 'idTokens' | 'responseEncryption' | 'config'>,
  clientId: string | undefined,
  claims: Record<string, unknown>,
): Promise<string | undefined> {
  if (clientId === undefined) return undefined;
  const client = await services.clients.find(clientId);
  if (client === undefined) return undefined;
  const signingAlg = client.userinfoSignedResponseAlg;
  const encrypt = await services.responseEncryption.encrypterFor(client, 'userinfo');
  if (signingAlg === null && encrypt === undefined) return undefined;
  const payload = { ...claims, iss: services.config.issuer, aud: client.clientId };
  const plaintext =
    signingAlg === null ? JSON.stringify(payload) : services.idTokens.sign(payload, signingAlg);
  return encrypt === undefined ? plaintext : encrypt(plaintext);
}
