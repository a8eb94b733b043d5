/**
 * The relying party: `openid-client` (a maintained client library nobody here wrote) configured by
 * discovery for one registered client, and the requests it makes. Plain fetch is used only where a
 * module sends on purpose what a good client never would (a replayed code, a token in a form body).
 */
import * as client from 'openid-client';

export type AuthMethod = 'client_secret_basic' | 'client_secret_post';

/** A client as `sesame clients add` registered it. */
export interface Registered {
  clientId: string;
  clientSecret: string;
  authMethod: AuthMethod;
}

export interface Rp extends Registered {
  config: client.Configuration;
  redirectUri: string;
}

/**
 * openid-client set up for a client: discovery, its authentication method, plain http (the suite's
 * server is on 127.0.0.1), and signature checks on every ID token (off by default for responses
 * over TLS, Core §3.1.3.7 item 6; the suite wants them).
 *
 * @example const rp = await relyingParty(issuer, registered, endpoints.redirectUri);
 */
export async function relyingParty(issuer: string, registered: Registered, redirectUri: string): Promise<Rp> {
  const auth =
    registered.authMethod === 'client_secret_basic'
      ? client.ClientSecretBasic(registered.clientSecret)
      : client.ClientSecretPost(registered.clientSecret);
  const config = await client.discovery(
    new URL(issuer),
    registered.clientId,
    { client_secret: registered.clientSecret },
    auth,
    { execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks] },
  );
  return { ...registered, config, redirectUri };
}

/** An authorization request as sent, with what the client keeps to check the answer. */
export interface AuthRequest {
  url: URL;
  params: Record<string, string>;
  state: string | undefined;
  nonce: string | undefined;
  verifier: string | undefined;
}

/**
 * The authorization request of the OIDF modules: response_type=code, scope openid, the redirect
 * URI, a random state and nonce; `params` adds to it, and a parameter given as undefined is left
 * out (the nonce of oidcc-ensure-request-without-nonce-succeeds-for-code-flow).
 *
 * @example const request = authRequest(rp, { prompt: 'login' });
 */
export function authRequest(rp: Rp, params: Record<string, string | undefined> = {}): AuthRequest {
  const all: Record<string, string | undefined> = {
    response_type: 'code',
    redirect_uri: rp.redirectUri,
    scope: 'openid',
    state: client.randomState(),
    nonce: client.randomNonce(),
    ...params,
  };
  const sent = Object.fromEntries(
    Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return {
    url: client.buildAuthorizationUrl(rp.config, sent),
    params: sent,
    state: sent.state,
    nonce: sent.nonce,
    verifier: undefined,
  };
}

/** The same with PKCE (S256), the verifier kept for the token request. */
export async function authRequestWithPkce(
  rp: Rp,
  params: Record<string, string | undefined> = {},
): Promise<AuthRequest> {
  const verifier = client.randomPKCECodeVerifier();
  const challenge = await client.calculatePKCECodeChallenge(verifier);
  return {
    ...authRequest(rp, { ...params, code_challenge: challenge, code_challenge_method: 'S256' }),
    verifier,
  };
}

export type Tokens = Awaited<ReturnType<typeof client.authorizationCodeGrant>>;

/**
 * Redeems the code of a callback with openid-client, which checks the state, `iss` (RFC 9207), and
 * the ID token (signature, iss, aud, exp, iat, nonce, and auth_time against max_age).
 */
export function redeem(rp: Rp, request: AuthRequest, callback: URL, maxAge?: number): Promise<Tokens> {
  return client.authorizationCodeGrant(rp.config, callback, {
    expectedState: request.state,
    expectedNonce: request.nonce,
    idTokenExpected: true,
    ...(request.verifier === undefined ? {} : { pkceCodeVerifier: request.verifier }),
    ...(maxAge === undefined ? {} : { maxAge }),
  });
}

/** RFC 6749 §2.3.1 client authentication as this client does it, for plain fetch requests. */
export function clientAuth(rp: Registered): {
  headers: Record<string, string>;
  fields: Record<string, string>;
} {
  if (rp.authMethod === 'client_secret_post') {
    return { headers: {}, fields: { client_id: rp.clientId, client_secret: rp.clientSecret } };
  }
  const encoded = `${encodeURIComponent(rp.clientId)}:${encodeURIComponent(rp.clientSecret)}`;
  return { headers: { authorization: `Basic ${Buffer.from(encoded).toString('base64')}` }, fields: {} };
}

/** A token endpoint request by plain fetch with this client's authentication; the raw answer. */
export async function tokenRequest(
  rp: Rp,
  fields: Record<string, string>,
): Promise<{ status: number; contentType: string; body: Record<string, unknown> }> {
  const auth = clientAuth(rp);
  const endpoint = rp.config.serverMetadata().token_endpoint!;
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth.headers },
    body: new URLSearchParams({ ...fields, ...auth.fields }),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { unparsed: text.slice(0, 200) };
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body };
}

/**
 * An authorization URL with exactly these parameters, for a request no client library would build
 * (openid-client adds a missing response_type).
 */
export function rawAuthorizeUrl(rp: Rp, params: Record<string, string>): URL {
  const url = new URL(rp.config.serverMetadata().authorization_endpoint!);
  for (const [name, value] of Object.entries(params)) url.searchParams.append(name, value);
  return url;
}
