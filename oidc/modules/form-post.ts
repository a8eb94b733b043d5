/**
 * Form Post OP plan: the OIDF runs the Basic plan's modules with response_mode=form_post (OAuth 2.0
 * Form Post Response Mode): the answer reaches the client as a POST of an HTML form, never in the
 * URL. Ported here: its oidcc-server, the flow that every other module builds on.
 */
import * as client from 'openid-client';
import { describe, expectations, userinfo } from '../lib/flow.js';
import { checkIdToken } from '../lib/id-token.js';
import type { Module } from '../lib/module.js';
import { authRequest } from '../lib/rp.js';

export const formPostModules: Module[] = [
  {
    name: 'oidcc-server',
    plan: 'Form Post OP',
    clients: 'each',
    checks:
      'response_mode=form_post: discovery lists form_post; the code, state and iss reach the redirect URI as a POSTed form, nothing in the URL; openid-client redeems it; the ID token checks of oidcc-server',
    async run(ctx) {
      const modes = ctx.d.metadata.response_modes_supported as string[] | undefined;
      ctx.run.check(
        'discovery lists form_post in response_modes_supported',
        modes?.includes('form_post') === true,
        JSON.stringify(modes),
      );
      const from = ctx.d.endpoints.hits.length;
      const request = authRequest(ctx.rp, { response_mode: 'form_post' });
      const journey = await (await ctx.browser()).drive(request.url, ctx.d.alice);
      let hit: Awaited<ReturnType<typeof ctx.d.endpoints.waitFor>> | undefined;
      try {
        // The form is sent by the page itself: wait for it to arrive (a bound, not a delay).
        hit = await ctx.d.endpoints.waitFor(from, (h) => h.url.pathname === '/cb', 30_000);
      } catch {
        hit = undefined;
      }
      ctx.run.require(
        'the answer reaches the redirect URI',
        hit !== undefined,
        journey.landing.kind === 'page' ? journey.landing.text.slice(0, 200) : journey.landing.kind,
      );
      ctx.run.check('it comes as a POST', hit!.method === 'POST', hit!.method);
      ctx.run.check("nothing in the redirect URI's query", hit!.url.search === '', hit!.url.search);
      const body = new URLSearchParams(hit!.body);
      ctx.run.check('the form has the state sent', body.get('state') === request.state);
      ctx.run.check(
        'the form has iss (RFC 9207)',
        body.get('iss') === ctx.d.issuer,
        `iss ${body.get('iss')}`,
      );
      ctx.run.require(
        'the form has a code, no error',
        body.has('code') && !body.has('error'),
        hit!.body.slice(0, 200),
      );
      const posted = new Request(ctx.rp.redirectUri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: hit!.body,
      });
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>> | undefined;
      try {
        tokens = await client.authorizationCodeGrant(ctx.rp.config, posted, {
          expectedState: request.state,
          expectedNonce: request.nonce,
          idTokenExpected: true,
        });
      } catch (error) {
        ctx.run.require('openid-client redeems the posted code', false, describe(error));
      }
      await checkIdToken(
        ctx.run,
        tokens!.id_token!,
        await expectations(ctx, ctx.rp, request.nonce, tokens!.access_token),
      );
      const claims = tokens!.claims()!;
      await userinfo(ctx, {
        request,
        journey,
        callback: hit!.url,
        tokens: tokens!,
        idToken: tokens!.id_token!,
        claims,
      });
    },
  },
];
