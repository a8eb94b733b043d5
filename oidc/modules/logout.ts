/**
 * RP-Initiated Logout OP and Back-Channel Logout OP plans. Each module logs alice in, sends the
 * browser to end_session_endpoint with the OIDF's parameters, and checks where it ended: back at the
 * registered post_logout_redirect_uri with the state exactly (RP-Initiated Logout §2, §3), or, for a
 * request the OP must not trust (unregistered or altered URI, a forged or missing id_token_hint),
 * never redirected. When the OP asks the user to confirm, the user confirms. "Logged out" is
 * proven, not assumed: a prompt=none request afterwards must answer login_required (or another
 * error that needs a page), as the OIDF modules do.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { compactVerify, decodeJwt, decodeProtectedHeader, importJWK, SignJWT } from 'jose';
import * as client from 'openid-client';
import type { BrowserSession, Landing } from '../lib/browser.js';
import type { Hit } from '../lib/endpoints.js';
import { codeFlow, type Flow, INTERACTION_ERRORS } from '../lib/flow.js';
import { fetchJwks } from '../lib/id-token.js';
import type { Module, ModuleContext } from '../lib/module.js';
import { authRequest, type Rp, relyingParty } from '../lib/rp.js';

const plan = 'RP-Initiated Logout OP' as const;
/** The OIDF uses a 128-character state to see that the OP does not cut or alter it. */
const longState = () => randomBytes(96).toString('base64url');
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

interface Ended {
  landing: Landing;
  confirmed: boolean;
  /** What reached any of the relying party's post-logout paths. */
  redirects: Hit[];
}

function endSessionUrl(ctx: ModuleContext, params: Record<string, string>): URL {
  const endpoint = ctx.d.metadata.end_session_endpoint;
  ctx.run.require(
    'discovery has end_session_endpoint (RP-Initiated Logout §2.1)',
    typeof endpoint === 'string',
  );
  const url = new URL(endpoint as string);
  for (const [name, value] of Object.entries(params)) url.searchParams.append(name, value);
  return url;
}

/**
 * Sends the browser to end_session_endpoint; confirms once if the OP asks. `rp` given: the URL is
 * openid-client's (buildEndSessionUrl, which adds the client_id), as a relying party sends it;
 * otherwise exactly the OIDF module's parameters (some send none at all).
 */
async function endSession(
  ctx: ModuleContext,
  session: BrowserSession,
  params: Record<string, string>,
  rp?: Rp,
): Promise<Ended> {
  const from = ctx.d.endpoints.hits.length;
  const url = rp === undefined ? endSessionUrl(ctx, params) : client.buildEndSessionUrl(rp.config, params);
  let landing = await session.open(url);
  let confirmed = false;
  if (landing.kind === 'page' && landing.form) {
    confirmed = true;
    landing = await session.confirm();
  }
  if (confirmed) ctx.run.note('the OP asked the user to confirm the logout, and the user did');
  const redirects = ctx.d.endpoints.since(from, (hit) => hit.url.pathname.startsWith('/post-logout'));
  return { landing, confirmed, redirects };
}

/** Logs alice in with a client; returns the browser and the flow (its ID token is the hint). */
async function loggedIn(
  ctx: ModuleContext,
  rp: Rp = ctx.rp,
): Promise<{ session: BrowserSession; flow: Flow }> {
  const session = await ctx.browser();
  return { session, flow: await codeFlow(ctx, session, {}, { rp }) };
}

/** prompt=none must now need a page: the session is over (the OIDF's second authorization). */
async function expectLoggedOut(ctx: ModuleContext, session: BrowserSession, rp: Rp = ctx.rp): Promise<void> {
  const request = authRequest(rp, { prompt: 'none' });
  const landing = await session.open(request.url);
  const error = landing.kind === 'client' ? landing.url.searchParams.get('error') : null;
  ctx.run.check(
    'the user is logged out: prompt=none now answers login_required or another interaction error',
    error !== null && INTERACTION_ERRORS.includes(error),
    landing.kind === 'client' ? landing.url.search.slice(0, 200) : landing.kind,
  );
}

function expectNoRedirect(ctx: ModuleContext, ended: Ended, why: string): void {
  ctx.run.check(
    `the OP does not redirect back (${why})`,
    ended.redirects.length === 0,
    ended.redirects[0]?.url.href,
  );
  ctx.run.check(
    'the browser is on an OP page (an error, a confirmation, or "logged out")',
    ended.landing.kind === 'page',
    ended.landing.kind,
  );
}

function expectRedirect(ctx: ModuleContext, ended: Ended, state: string | undefined): void {
  const hit = ended.redirects[0];
  ctx.run.require(
    'the browser is sent to the registered post_logout_redirect_uri (RP-Initiated Logout §3)',
    hit !== undefined && `${hit.url.origin}${hit.url.pathname}` === ctx.d.endpoints.postLogoutRedirectUri,
    ended.landing.kind === 'page' ? ended.landing.text.slice(0, 200) : (hit?.url.href ?? ended.landing.kind),
  );
  const params = hit!.url.searchParams;
  if (state === undefined) ctx.run.check('no state comes back, as none was sent', !params.has('state'));
  else
    ctx.run.check(
      'the state comes back exactly (CheckPostLogoutState)',
      params.get('state') === state,
      `state ${params.get('state')}`,
    );
  const others = [...params.keys()].filter((name) => name !== 'state');
  ctx.run.check(
    'no other parameter is added (CheckForUnexpectedParametersInPostLogoutRedirect)',
    others.length === 0,
    others.join(' '),
  );
}

/** A module that logs in, ends the session with `params(flow)`, and expects no redirect. */
function refused(
  name: string,
  checks: string,
  why: string,
  params: (ctx: ModuleContext, flow: Flow) => Promise<Record<string, string>> | Record<string, string>,
  loggedOutAfter = false,
): Module {
  return {
    name,
    plan,
    clients: 'once',
    checks,
    async run(ctx) {
      const { session, flow } = await loggedIn(ctx);
      const ended = await endSession(ctx, session, await params(ctx, flow));
      expectNoRedirect(ctx, ended, why);
      if (loggedOutAfter) await expectLoggedOut(ctx, session);
    },
  };
}

/** The ID token with its header changed to alg none and its signature dropped (ChangeIdTokenToAlgNone). */
function algNone(idToken: string): string {
  const [, payload] = idToken.split('.');
  return `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
}

/** An ID token with the real claims, signed by a key of the suite's own (GenerateFakeIdTokenClaims, SignFakeIdToken). */
async function forged(flow: Flow): Promise<string> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const claims = decodeJwt(flow.idToken);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: 'oidc-suite-forged' })
    .sign(privateKey);
}

export const logoutModules: Module[] = [
  {
    name: 'oidcc-rp-initiated-logout-discovery-endpoint-verification',
    plan,
    clients: 'once',
    checks: 'discovery has end_session_endpoint, a URL (RP-Initiated Logout §2.1)',
    async run(ctx) {
      const endpoint = ctx.d.metadata.end_session_endpoint;
      ctx.run.check(
        'end_session_endpoint is a URL',
        typeof endpoint === 'string' && URL.canParse(endpoint),
        String(endpoint),
      );
      ctx.run.note("not checked: https (the suite's server listens on http://127.0.0.1)");
    },
  },
  {
    name: 'oidcc-rp-initiated-logout',
    plan,
    clients: 'once',
    checks:
      'log in, then end_session with id_token_hint, the registered post_logout_redirect_uri and a 128-character state: back there with the state exactly, nothing else added; then logged out',
    async run(ctx) {
      const { session, flow } = await loggedIn(ctx);
      const state = longState();
      const ended = await endSession(
        ctx,
        session,
        {
          id_token_hint: flow.idToken,
          post_logout_redirect_uri: ctx.d.endpoints.postLogoutRedirectUri,
          state,
        },
        ctx.rp,
      );
      expectRedirect(ctx, ended, state);
      await expectLoggedOut(ctx, session);
    },
  },
  refused(
    'oidcc-rp-initiated-logout-bad-post-logout-redirect-uri',
    'end_session with a post_logout_redirect_uri that is not registered: no redirect, to it or to the registered one',
    'the URI is not registered',
    (ctx, flow) => ({
      id_token_hint: flow.idToken,
      post_logout_redirect_uri: `${ctx.d.endpoints.postLogoutRedirectUri}-not-registered`,
      state: longState(),
    }),
  ),
  refused(
    'oidcc-rp-initiated-logout-query-added-to-post-logout-redirect-uri',
    'end_session with the registered post_logout_redirect_uri plus ?foo=bar: exact matching, so no redirect',
    'the URI with a query added is not the registered one',
    (ctx, flow) => ({
      id_token_hint: flow.idToken,
      post_logout_redirect_uri: `${ctx.d.endpoints.postLogoutRedirectUri}?foo=bar`,
      state: longState(),
    }),
  ),
  refused(
    'oidcc-rp-initiated-logout-modified-id-token-hint',
    'end_session with the ID token turned into alg none as id_token_hint: no redirect',
    'the id_token_hint is not signed',
    (ctx, flow) => ({
      id_token_hint: algNone(flow.idToken),
      post_logout_redirect_uri: ctx.d.endpoints.postLogoutRedirectUri,
      state: longState(),
    }),
  ),
  refused(
    'oidcc-rp-initiated-logout-bad-id-token-hint',
    "end_session with an id_token_hint signed by a key that is not the OP's: no redirect",
    "the id_token_hint is not the OP's",
    async (ctx, flow) => ({
      id_token_hint: await forged(flow),
      post_logout_redirect_uri: ctx.d.endpoints.postLogoutRedirectUri,
      state: longState(),
    }),
  ),
  refused(
    'oidcc-rp-initiated-logout-no-id-token-hint',
    'end_session with post_logout_redirect_uri and state but neither id_token_hint nor client_id: no redirect (RP-Initiated Logout §2)',
    'nothing says which client asks',
    (ctx) => ({ post_logout_redirect_uri: ctx.d.endpoints.postLogoutRedirectUri, state: longState() }),
  ),
  refused(
    'oidcc-rp-initiated-logout-no-params',
    'end_session with no parameters: the user is logged out and shown a page, no redirect',
    'no post_logout_redirect_uri was sent',
    () => ({}),
    true,
  ),
  refused(
    'oidcc-rp-initiated-logout-no-post-logout-redirect-uri',
    'end_session with id_token_hint and state, no post_logout_redirect_uri: logged out, a page, no redirect',
    'no post_logout_redirect_uri was sent',
    (_ctx, flow) => ({ id_token_hint: flow.idToken, state: longState() }),
    true,
  ),
  refused(
    'oidcc-rp-initiated-logout-only-state',
    'end_session with only a state: logged out, a page, no redirect',
    'no post_logout_redirect_uri was sent',
    () => ({ state: longState() }),
    true,
  ),
  {
    name: 'oidcc-rp-initiated-logout-no-state',
    plan,
    clients: 'once',
    checks:
      'end_session with id_token_hint and post_logout_redirect_uri, no state: back there with no state; then logged out',
    async run(ctx) {
      const { session, flow } = await loggedIn(ctx);
      const ended = await endSession(
        ctx,
        session,
        { id_token_hint: flow.idToken, post_logout_redirect_uri: ctx.d.endpoints.postLogoutRedirectUri },
        ctx.rp,
      );
      expectRedirect(ctx, ended, undefined);
      await expectLoggedOut(ctx, session);
    },
  },
  {
    name: 'oidcc-backchannel-logout-discovery-endpoint-verification',
    plan: 'Back-Channel Logout OP',
    clients: 'once',
    checks:
      'discovery says backchannel_logout_supported: true (and backchannel_logout_session_supported is a boolean when given)',
    async run(ctx) {
      const m = ctx.d.metadata;
      ctx.run.check(
        'backchannel_logout_supported is true (Back-Channel Logout §2.1)',
        m.backchannel_logout_supported === true,
        String(m.backchannel_logout_supported),
      );
      if (m.backchannel_logout_session_supported !== undefined) {
        ctx.run.check(
          'backchannel_logout_session_supported is a boolean',
          typeof m.backchannel_logout_session_supported === 'boolean',
        );
      }
      ctx.run.check(
        'end_session_endpoint is a URL',
        typeof m.end_session_endpoint === 'string' && URL.canParse(m.end_session_endpoint),
      );
    },
  },
  {
    name: 'oidcc-backchannel-rp-initiated-logout',
    plan: 'Back-Channel Logout OP',
    clients: 'once',
    checks:
      'a client registered with a backchannel_logout_uri: log in, end_session: the OP POSTs a logout_token (signed by a JWKS key; iss, aud, iat, jti, the back-channel event, sub or sid matching the ID token, no nonce), the browser goes back with the state, and the user is logged out',
    async run(ctx) {
      const registered = await ctx.d.addClient([
        ...['oidc rp back-channel', '--grant', 'authorization_code,refresh_token', '--scopes', 'openid'],
        ...['--redirect-uri', ctx.d.endpoints.redirectUri, '--no-pkce'],
        ...['--post-logout-redirect-uri', ctx.d.endpoints.postLogoutRedirectUri],
        ...['--backchannel-logout-uri', ctx.d.endpoints.backchannelLogoutUri],
      ]);
      const rp = await relyingParty(ctx.d.issuer, registered, ctx.d.endpoints.redirectUri);
      const { session, flow } = await loggedIn(ctx, rp);
      const from = ctx.d.endpoints.hits.length;
      const state = longState();
      const ended = await endSession(
        ctx,
        session,
        {
          id_token_hint: flow.idToken,
          post_logout_redirect_uri: ctx.d.endpoints.postLogoutRedirectUri,
          state,
        },
        rp,
      );
      let hit: Hit | undefined;
      try {
        hit = await ctx.d.endpoints.waitFor(from, (h) => h.url.pathname === '/backchannel-logout', 30_000);
      } catch {
        hit = undefined;
      }
      ctx.run.require(
        'the OP POSTs to the backchannel_logout_uri (Back-Channel Logout §2.5)',
        hit?.method === 'POST',
        hit?.method,
      );
      ctx.run.check(
        'as a form (application/x-www-form-urlencoded)',
        (hit!.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'),
      );
      const body = new URLSearchParams(hit!.body);
      ctx.run.check(
        'only logout_token in the body',
        [...body.keys()].join(' ') === 'logout_token',
        [...body.keys()].join(' '),
      );
      const token = body.get('logout_token') ?? '';
      await checkLogoutToken(ctx, rp, token, flow);
      expectRedirect(ctx, ended, state);
      await expectLoggedOut(ctx, session, rp);
    },
  },
];

/** Back-Channel Logout §2.4 and §2.6, as the OIDF's ValidateLogoutTokenSignature and ValidateLogoutTokenClaims. */
async function checkLogoutToken(ctx: ModuleContext, rp: Rp, token: string, flow: Flow): Promise<void> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: ReturnType<typeof decodeJwt>;
  try {
    header = decodeProtectedHeader(token);
    claims = decodeJwt(token);
  } catch (error) {
    ctx.run.require('the logout_token is a JWT', false, (error as Error).message);
    return;
  }
  const { keys } = await fetchJwks(String(ctx.d.metadata.jwks_uri));
  const key = keys.find((candidate) => candidate.kid === header.kid);
  let verified = false;
  if (key !== undefined && header.alg !== undefined && header.alg !== 'none') {
    verified = await compactVerify(token, await importJWK(key, header.alg)).then(
      () => true,
      () => false,
    );
  }
  ctx.run.check(
    'the logout_token verifies with the JWKS key its kid names',
    verified,
    `alg ${header.alg} kid ${header.kid}`,
  );
  ctx.run.check(
    'typ is logout+jwt (Back-Channel Logout §2.4)',
    header.typ === 'logout+jwt',
    String(header.typ),
  );
  ctx.run.check('iss is the issuer', claims.iss === ctx.d.issuer, String(claims.iss));
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  ctx.run.check('aud contains the client_id', aud.includes(rp.clientId), JSON.stringify(claims.aud));
  const now = Math.floor(Date.now() / 1000);
  ctx.run.check(
    'iat is a number, not in the future',
    typeof claims.iat === 'number' && claims.iat <= now + 60,
  );
  ctx.run.check('jti is present', typeof claims.jti === 'string' && claims.jti.length > 0);
  const events = claims.events as Record<string, unknown> | undefined;
  ctx.run.check(
    `events has ${BACKCHANNEL_EVENT} with an empty object`,
    typeof events === 'object' && events !== null && JSON.stringify(events[BACKCHANNEL_EVENT]) === '{}',
    JSON.stringify(events),
  );
  ctx.run.check('no nonce (Back-Channel Logout §2.4)', claims.nonce === undefined);
  ctx.run.check('sub or sid is present', claims.sub !== undefined || claims.sid !== undefined);
  if (claims.sub !== undefined)
    ctx.run.check("sub is the ID token's sub", claims.sub === flow.claims.sub, String(claims.sub));
  if (claims.sid !== undefined)
    ctx.run.check("sid is the ID token's sid", claims.sid === flow.claims.sid, String(claims.sid));
}
