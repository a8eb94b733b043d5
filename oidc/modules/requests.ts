/**
 * Basic OP plan: request objects (Core §6) by value and by reference, whose parameters must be
 * used or refused with request_not_supported / request_uri_not_supported (Core §3.1.2.6) — never
 * ignored; that the request object's redirect_uri wins over the query's; and an authorization
 * request sent by POST (Core §3.1.2.1). The request objects are unsigned (alg none), as the
 * OIDF's SerializeRequestObjectWithNullAlgorithm makes them, with iss and aud.
 */
import { randomBytes } from 'node:crypto';
import { checkCallback, exchange } from '../lib/flow.js';
import type { Module, ModuleContext } from '../lib/module.js';
import { type AuthRequest, rawAuthorizeUrl } from '../lib/rp.js';

const plan = 'Basic OP' as const;
const random = () => randomBytes(16).toString('base64url');

/** An unsigned request object carrying the whole request (Core §6.1), with a fresh state and nonce. */
function requestObject(ctx: ModuleContext, redirectUri = ctx.rp.redirectUri) {
  const state = random();
  const nonce = random();
  const claims = {
    iss: ctx.rp.clientId,
    aud: ctx.d.issuer,
    response_type: 'code',
    client_id: ctx.rp.clientId,
    redirect_uri: redirectUri,
    scope: 'openid',
    state,
    nonce,
  };
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return { jwt: `${part({ alg: 'none' })}.${part(claims)}.`, state, nonce };
}

/**
 * Sends a request object (by value or by reference) and judges the answer: either the object was
 * used (the code comes back with the state that only the object carried, and the ID token with its
 * nonce) or it was refused as unsupported, consistently with discovery. Anything else — a code
 * without the object's state — means the object was ignored.
 */
async function objectSupportedOrRefused(ctx: ModuleContext, by: 'value' | 'reference'): Promise<void> {
  const object = requestObject(ctx);
  const query: Record<string, string> = {
    response_type: 'code',
    client_id: ctx.rp.clientId,
    scope: 'openid',
  };
  if (by === 'value') query.request = object.jwt;
  else {
    const id = random();
    ctx.d.endpoints.requestObjects.set(id, object.jwt);
    query.request_uri = `${ctx.d.endpoints.base}/request/${id}`;
  }
  const url = rawAuthorizeUrl(ctx.rp, query);
  const session = await ctx.browser();
  const journey = await session.drive(url, ctx.d.alice);
  ctx.run.require(
    'the browser comes back to the redirect URI',
    journey.landing.kind === 'client',
    journey.landing.kind === 'page' ? journey.landing.text.slice(0, 200) : journey.landing.kind,
  );
  const callback = (journey.landing as { url: URL }).url;
  const params = callback.searchParams;
  const field = by === 'value' ? 'request_parameter_supported' : 'request_uri_parameter_supported';
  const unsupported = by === 'value' ? 'request_not_supported' : 'request_uri_not_supported';
  if (params.get('error') === unsupported) {
    ctx.run.note(`rejected as unsupported (${unsupported})`);
    ctx.run.check('no code', !params.has('code'));
    ctx.run.check(
      `discovery says ${field}: false`,
      ctx.d.metadata[field] !== true,
      `${field} ${String(ctx.d.metadata[field])}`,
    );
    return;
  }
  ctx.run.check(
    `the answer is a code or ${unsupported} (Core §3.1.2.6), not another error`,
    !params.has('error'),
    `error ${params.get('error')}: ${params.get('error_description')}`,
  );
  ctx.run.require(
    'the state that only the request object carried comes back: the object was used, not ignored',
    params.get('state') === object.state,
    `state ${params.get('state')}`,
  );
  ctx.run.note('supported: the request object was used');
  ctx.run.check(
    `discovery says ${field}: true`,
    ctx.d.metadata[field] === true,
    `${field} ${String(ctx.d.metadata[field])}`,
  );
  const request: AuthRequest = {
    url,
    params: query,
    state: object.state,
    nonce: object.nonce,
    verifier: undefined,
  };
  checkCallback(ctx, request, callback);
  await exchange(ctx, ctx.rp, request, callback);
}

export const requestModules: Module[] = [
  {
    name: 'oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported',
    plan,
    clients: 'each',
    checks:
      'an unsigned request object by reference (request_uri): used (its state and nonce come back) or refused with request_uri_not_supported, as discovery says — never ignored',
    async run(ctx) {
      await objectSupportedOrRefused(ctx, 'reference');
    },
  },
  {
    name: 'oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported',
    plan,
    clients: 'each',
    checks:
      'an unsigned request object by value (request): used (its state and nonce come back) or refused with request_not_supported, as discovery says — never ignored',
    async run(ctx) {
      await objectSupportedOrRefused(ctx, 'value');
    },
  },
  {
    name: 'oidcc-ensure-request-object-with-redirect-uri',
    plan,
    clients: 'each',
    checks:
      "a request object with the registered redirect_uri and an unregistered one in the query: the object's wins (Core §6.3.3); a server without request objects refuses them and never redirects to the query's",
    async run(ctx) {
      const object = requestObject(ctx);
      const from = ctx.d.endpoints.hits.length;
      const invalid = `${ctx.d.endpoints.base}/cb-not-registered`;
      const url = rawAuthorizeUrl(ctx.rp, {
        response_type: 'code',
        client_id: ctx.rp.clientId,
        scope: 'openid',
        redirect_uri: invalid,
        request: object.jwt,
      });
      const journey = await (await ctx.browser()).drive(url, ctx.d.alice);
      ctx.run.check(
        "nothing reached the query's unregistered redirect_uri",
        ctx.d.endpoints.since(from, (hit) => hit.url.pathname === '/cb-not-registered').length === 0,
      );
      const landing = journey.landing;
      if (landing.kind === 'client' && landing.url.pathname === '/cb') {
        ctx.run.note("supported: the request object's redirect_uri was used");
        ctx.run.check(
          "the code comes back with the request object's state",
          landing.url.searchParams.get('state') === object.state && landing.url.searchParams.has('code'),
          landing.url.search,
        );
        return;
      }
      ctx.run.check('an error page, no redirect', landing.kind === 'page', landing.kind);
      // The OIDF accepts this only from a server that does not take request objects at all.
      const probe = requestObject(ctx);
      const answer = await (await ctx.browser()).open(
        rawAuthorizeUrl(ctx.rp, {
          response_type: 'code',
          client_id: ctx.rp.clientId,
          scope: 'openid',
          request: probe.jwt,
        }),
      );
      const error = answer.kind === 'client' ? answer.url.searchParams.get('error') : null;
      ctx.run.check(
        'the server refuses request objects (request_not_supported), so the error page is the expected answer',
        error === 'request_not_supported',
        `a request object with a good redirect_uri got ${answer.kind === 'client' ? answer.url.search : answer.kind}`,
      );
      if (error === 'request_not_supported') ctx.run.note('rejected: request objects are not supported');
    },
  },
  {
    name: 'oidcc-ensure-post-request-succeeds',
    plan,
    clients: 'each',
    checks:
      'the authorization request sent as a form POST (Core §3.1.2.1: MUST support GET and POST) succeeds',
    async run(ctx) {
      const session = await ctx.browser();
      const state = random();
      const nonce = random();
      const fields = {
        response_type: 'code',
        client_id: ctx.rp.clientId,
        redirect_uri: ctx.rp.redirectUri,
        scope: 'openid',
        state,
        nonce,
      };
      const action = ctx.rp.config.serverMetadata().authorization_endpoint!;
      const journey = await session.drivePost(action, fields, ctx.d.alice);
      ctx.run.require(
        'the browser comes back to the redirect URI',
        journey.landing.kind === 'client',
        journey.landing.kind === 'page' ? journey.landing.text.slice(0, 200) : journey.landing.kind,
      );
      const callback = (journey.landing as { url: URL }).url;
      const request: AuthRequest = {
        url: new URL(action),
        params: fields,
        state,
        nonce,
        verifier: undefined,
      };
      checkCallback(ctx, request, callback);
      await exchange(ctx, ctx.rp, request, callback);
    },
  },
];
