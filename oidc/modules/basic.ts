/**
 * Basic OP plan: the code flow itself, the ID token, /userinfo three ways, and the authorization
 * requests a server must accept (no nonce, scopes in another order, an unknown parameter, PKCE) or
 * must refuse (no response_type, an unregistered redirect URI).
 */
import { randomBytes } from 'node:crypto';
import { codeFlow, userinfo } from '../lib/flow.js';
import type { Module, ModuleContext } from '../lib/module.js';
import { authRequestWithPkce, rawAuthorizeUrl } from '../lib/rp.js';

const plan = 'Basic OP' as const;

/** /userinfo answered 200 with JSON whose sub is the ID token's (CallProtectedResource, EnsureUserInfoContainsSub). */
export async function checkUserinfoAnswer(ctx: ModuleContext, response: Response, sub: string, how: string) {
  const text = await response.text();
  ctx.run.require(
    `${how}: /userinfo answers 200`,
    response.status === 200,
    `${response.status} ${text.slice(0, 200)}`,
  );
  ctx.run.check(
    `${how}: the answer is application/json (Core §5.3.2)`,
    (response.headers.get('content-type') ?? '').startsWith('application/json'),
    response.headers.get('content-type') ?? 'none',
  );
  const body = JSON.parse(text) as { sub?: string };
  ctx.run.check(`${how}: sub is the ID token's sub (Core §5.3.2)`, body.sub === sub, `sub ${body.sub}`);
}

export const basicModules: Module[] = [
  {
    name: 'oidcc-server',
    plan,
    clients: 'each',
    checks:
      'code flow: state and iss on the callback; the ID token (alg, kid, signature by JWKS, iss, aud, exp, iat, sub, nonce, at_hash); /userinfo sub matches',
    async run(ctx) {
      const flow = await codeFlow(ctx, await ctx.browser());
      ctx.run.check(
        'the ID token has at_hash (Sesame issues it on the code flow, docs/oidc.md)',
        typeof flow.claims.at_hash === 'string',
      );
      await userinfo(ctx, flow);
    },
  },
  {
    name: 'oidcc-response-type-missing',
    plan,
    clients: 'each',
    checks:
      'an authorization request without response_type is refused: an error page, or invalid_request/unsupported_response_type back at the client with the state — never a code',
    async run(ctx) {
      const session = await ctx.browser();
      const state = randomBytes(16).toString('base64url');
      const url = rawAuthorizeUrl(ctx.rp, {
        client_id: ctx.rp.clientId,
        redirect_uri: ctx.rp.redirectUri,
        scope: 'openid',
        state,
        nonce: randomBytes(16).toString('base64url'),
      });
      const landing = await session.open(url);
      if (landing.kind === 'client') {
        const params = landing.url.searchParams;
        ctx.run.note('redirected back with an error');
        ctx.run.check('no code is issued', !params.has('code'));
        ctx.run.check(
          'the error is invalid_request or unsupported_response_type (RFC 6749 §4.1.2.1)',
          ['invalid_request', 'unsupported_response_type'].includes(params.get('error') ?? ''),
          `error ${params.get('error')}`,
        );
        ctx.run.check('the state comes back', params.get('state') === state, `state ${params.get('state')}`);
      } else {
        ctx.run.note('an error page was shown');
        ctx.run.check(
          'an error page, not the login page',
          landing.kind === 'page' && /error|cannot|invalid/i.test(landing.text),
          landing.kind,
        );
      }
    },
  },
  {
    name: 'oidcc-idtoken-signature',
    plan,
    clients: 'each',
    checks: 'the ID token is signed (not alg none) with a key of the JWKS named by its kid, and verifies',
    async run(ctx) {
      const flow = await codeFlow(ctx, await ctx.browser());
      const [header] = flow.idToken.split('.');
      const alg = (JSON.parse(Buffer.from(header!, 'base64url').toString()) as { alg: string }).alg;
      ctx.run.check('the ID token is signed (alg is not none)', alg !== 'none', alg);
    },
  },
  {
    name: 'oidcc-idtoken-unsigned',
    plan,
    clients: 'once',
    checks:
      'unsigned ID tokens (alg none) for a client registered for them; the OIDF skips it when discovery does not offer none',
    async run(ctx) {
      const algs = (ctx.d.metadata.id_token_signing_alg_values_supported as string[] | undefined) ?? [];
      if (!algs.includes('none')) {
        ctx.run.check(
          'discovery does not offer alg none for ID tokens (RFC 8725 §3.1)',
          !algs.includes('none'),
        );
        ctx.run.skip(
          'id_token_signing_alg_values_supported does not list none (the OIDF rule skips the module)',
        );
      }
      ctx.run.require('Sesame never issues unsigned ID tokens, so it must not advertise none', false);
    },
  },
  {
    name: 'oidcc-userinfo-get',
    plan,
    clients: 'each',
    checks: 'GET /userinfo with the access token in the Authorization header: 200 JSON, sub of the ID token',
    async run(ctx) {
      const flow = await codeFlow(ctx, await ctx.browser());
      const response = await fetch(ctx.rp.config.serverMetadata().userinfo_endpoint!, {
        headers: { authorization: `Bearer ${flow.tokens.access_token}` },
      });
      await checkUserinfoAnswer(ctx, response, flow.claims.sub, 'GET with the header');
      await userinfo(ctx, flow);
    },
  },
  {
    name: 'oidcc-userinfo-post-header',
    plan,
    clients: 'each',
    checks:
      'POST /userinfo with the access token in the Authorization header (Core §5.3.1): 200 JSON, same sub',
    async run(ctx) {
      const flow = await codeFlow(ctx, await ctx.browser());
      const response = await fetch(ctx.rp.config.serverMetadata().userinfo_endpoint!, {
        method: 'POST',
        headers: { authorization: `Bearer ${flow.tokens.access_token}` },
      });
      await checkUserinfoAnswer(ctx, response, flow.claims.sub, 'POST with the header');
    },
  },
  {
    name: 'oidcc-userinfo-post-body',
    plan,
    clients: 'each',
    checks: 'POST /userinfo with the access token as a form field (RFC 6750 §2.2): 200 JSON, same sub',
    async run(ctx) {
      const flow = await codeFlow(ctx, await ctx.browser());
      const response = await fetch(ctx.rp.config.serverMetadata().userinfo_endpoint!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ access_token: flow.tokens.access_token }),
      });
      await checkUserinfoAnswer(ctx, response, flow.claims.sub, 'POST with a form body');
    },
  },
  {
    name: 'oidcc-ensure-request-without-nonce-succeeds-for-code-flow',
    plan,
    clients: 'each',
    checks:
      'a code flow request without nonce succeeds (nonce is optional for code, Core §3.1.2.1), and the ID token has no nonce',
    async run(ctx) {
      await codeFlow(ctx, await ctx.browser(), { nonce: undefined });
    },
  },
  {
    name: 'oidcc-ensure-other-scope-order-succeeds',
    plan,
    clients: 'each',
    checks: 'scope "email openid" (openid last) succeeds: scope order carries no meaning (RFC 6749 §3.3)',
    async run(ctx) {
      const flow = await codeFlow(ctx, await ctx.browser(), { scope: 'email openid' });
      const info = await userinfo(ctx, flow);
      ctx.run.check('/userinfo releases email for the email scope', info.email === 'alice@example.com');
    },
  },
  {
    name: 'oidcc-ensure-request-with-unknown-parameter-succeeds',
    plan,
    clients: 'each',
    checks: 'an unknown authorization request parameter is ignored, the flow succeeds (RFC 6749 §3.1)',
    async run(ctx) {
      await codeFlow(ctx, await ctx.browser(), { extra: 'foobar', 'x-sesame-unknown': '1' });
    },
  },
  {
    name: 'oidcc-ensure-registered-redirect-uri',
    plan,
    clients: 'each',
    checks:
      'a redirect_uri that is not registered is never redirected to: the user sees an error page (RFC 6749 §4.1.2.1, RFC 9700 §4.1)',
    async run(ctx) {
      const session = await ctx.browser();
      const from = ctx.d.endpoints.hits.length;
      const unregistered = `${ctx.d.endpoints.base}/cb-unregistered`;
      const state = randomBytes(16).toString('base64url');
      const landing = await session.open(
        rawAuthorizeUrl(ctx.rp, {
          response_type: 'code',
          client_id: ctx.rp.clientId,
          redirect_uri: unregistered,
          scope: 'openid',
          state,
        }),
      );
      ctx.run.check(
        'the browser stays on the server (no redirect to any client URI)',
        landing.kind !== 'client',
        landing.kind,
      );
      ctx.run.check(
        'nothing reached the relying party',
        ctx.d.endpoints.since(from, (hit) => hit.url.searchParams.get('state') === state).length === 0,
      );
      ctx.run.check(
        'an error page is shown, not the login page',
        landing.kind === 'page' && /redirect_uri|cannot/i.test(landing.text),
        landing.kind === 'page' ? landing.text.slice(0, 200) : landing.kind,
      );
    },
  },
  {
    name: 'oidcc-ensure-request-with-valid-pkce-succeeds',
    plan,
    clients: 'each',
    checks: 'a request with an S256 code_challenge and the matching code_verifier succeeds (RFC 7636)',
    async run(ctx) {
      const request = await authRequestWithPkce(ctx.rp);
      await codeFlow(ctx, await ctx.browser(), {}, { request });
    },
  },
];
