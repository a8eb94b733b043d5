/**
 * The authorization code flow as the OIDF's AbstractOIDCCServerTest runs it: the authorization
 * request in the browser, the callback checked (state, `iss`, no error), the code redeemed with
 * openid-client and the ID token checked claim by claim. Each module builds on these steps.
 */
import * as client from 'openid-client';
import type { BrowserSession, Journey, User } from './browser.js';
import { checkIdToken, type Expected, fetchJwks } from './id-token.js';
import type { ModuleContext } from './module.js';
import { type AuthRequest, authRequest, type Rp, redeem, type Tokens } from './rp.js';

export interface Flow {
  request: AuthRequest;
  journey: Journey;
  callback: URL;
  tokens: Tokens;
  idToken: string;
  claims: client.IDToken;
}

/** Core §3.1.2.6 errors that mean "a page would be needed": the answers allowed to prompt=none. */
export const INTERACTION_ERRORS = [
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
];

/** The discovery facts the ID token checks need, and the JWKS as published now. */
export async function expectations(
  ctx: ModuleContext,
  rp: Rp,
  nonce: string | undefined,
  accessToken?: string,
): Promise<Expected> {
  const metadata = rp.config.serverMetadata();
  return {
    issuer: metadata.issuer,
    clientId: rp.clientId,
    jwks: await fetchJwks(metadata.jwks_uri!),
    algorithms: (ctx.d.metadata.id_token_signing_alg_values_supported as string[] | undefined) ?? [],
    nonce,
    accessToken,
  };
}

/**
 * Sends the browser to the authorization endpoint and plays the user; requires it to come back to
 * the redirect URI. Returns the journey and the callback URL, unchecked.
 */
export async function authorize(
  ctx: ModuleContext,
  session: BrowserSession,
  request: AuthRequest,
  user: User = ctx.d.alice,
): Promise<{ journey: Journey; callback: URL }> {
  const journey = await session.drive(request.url, user);
  const landing = journey.landing;
  ctx.run.require(
    'the browser comes back to the redirect URI',
    landing.kind === 'client' && landing.url.pathname === '/cb',
    landing.kind === 'page' ? `stopped on ${landing.url}: ${landing.text.slice(0, 200)}` : landing.kind,
  );
  return { journey, callback: (landing as { url: URL }).url };
}

/** The callback's checks before the code is redeemed (CheckIfAuthorizationEndpointError & co). */
export function checkCallback(ctx: ModuleContext, request: AuthRequest, callback: URL): void {
  const params = callback.searchParams;
  ctx.run.require(
    'the authorization response is not an error',
    !params.has('error'),
    `${params.get('error')}: ${params.get('error_description')}`,
  );
  ctx.run.check(
    'the authorization response carries the state sent (CheckMatchingStateParameter)',
    params.get('state') === (request.state ?? null),
    `state ${params.get('state')}`,
  );
  ctx.run.check(
    'iss in the authorization response is the issuer (RFC 9207)',
    params.get('iss') === ctx.d.issuer,
    `iss ${params.get('iss')}`,
  );
  ctx.run.require('the authorization response has a code', params.has('code'));
}

/** Redeems with openid-client (its own checks recorded as one), then checks the ID token here too. */
export async function exchange(
  ctx: ModuleContext,
  rp: Rp,
  request: AuthRequest,
  callback: URL,
  options: { maxAge?: number; label?: string } = {},
): Promise<Pick<Flow, 'tokens' | 'idToken' | 'claims'>> {
  let tokens: Tokens | undefined;
  let reason = '';
  try {
    tokens = await redeem(rp, request, callback, options.maxAge);
  } catch (error) {
    reason = describe(error);
  }
  ctx.run.require(
    'openid-client redeems the code and accepts the token response and ID token',
    tokens !== undefined,
    reason,
  );
  ctx.run.check('the token response has token_type Bearer', tokens!.token_type?.toLowerCase() === 'bearer');
  ctx.run.check(
    'expires_in, when present, is a positive number (RFC 6749 §5.1)',
    tokens!.expires_in === undefined || (typeof tokens!.expires_in === 'number' && tokens!.expires_in > 0),
  );
  const idToken = tokens!.id_token;
  ctx.run.require('the token response has an id_token', typeof idToken === 'string');
  await checkIdToken(
    ctx.run,
    idToken!,
    await expectations(ctx, rp, request.nonce, tokens!.access_token),
    options.label,
  );
  return { tokens: tokens!, idToken: idToken!, claims: tokens!.claims()! };
}

/** The whole flow: authorize, check the callback, redeem, check the ID token. */
export async function codeFlow(
  ctx: ModuleContext,
  session: BrowserSession,
  params: Record<string, string | undefined> = {},
  options: { rp?: Rp; user?: User; maxAge?: number; request?: AuthRequest; label?: string } = {},
): Promise<Flow> {
  const rp = options.rp ?? ctx.rp;
  const request = options.request ?? authRequest(rp, params);
  const { journey, callback } = await authorize(ctx, session, request, options.user);
  checkCallback(ctx, request, callback);
  const done = await exchange(ctx, rp, request, callback, {
    ...(options.maxAge === undefined ? {} : { maxAge: options.maxAge }),
    ...(options.label === undefined ? {} : { label: options.label }),
  });
  return { request, journey, callback, ...done };
}

/** /userinfo with openid-client (GET, bearer header), which checks sub against the ID token's. */
export async function userinfo(ctx: ModuleContext, flow: Flow, rp: Rp = ctx.rp) {
  let info: client.UserInfoResponse | undefined;
  let reason = '';
  try {
    info = await client.fetchUserInfo(rp.config, flow.tokens.access_token, flow.claims.sub);
  } catch (error) {
    reason = describe(error);
  }
  ctx.run.require(
    'openid-client fetches /userinfo and its sub is the ID token sub (Core §5.3.2)',
    info !== undefined,
    reason,
  );
  return info!;
}

/** An error as one line: openid-client's error code and the server's error, when there is one. */
export function describe(error: unknown): string {
  if (error instanceof client.ResponseBodyError) {
    return `${error.status} ${error.error}: ${error.error_description ?? ''}`;
  }
  if (error instanceof Error) {
    const code = (error as { code?: string }).code;
    return `${code ? `${code}: ` : ''}${error.message}`;
  }
  return String(error);
}
