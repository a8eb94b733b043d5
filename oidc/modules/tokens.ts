/**
 * Basic OP plan: a code used twice, at once and 30 s later (OIDF AbstractOIDCCAuthCodeReuse), and
 * refresh tokens (oidcc-refresh-token). A replayed code must get 400 invalid_grant as JSON, with
 * an error_description of RFC 6749 §5.2's characters, and what the first use issued is revoked
 * (RFC 6749 §4.1.2: SHOULD; Sesame does it, docs/security.md). The 30-second module redeems its
 * code before every other module and replays it after them, once the server's clock reads 30 s
 * later (lib/clock.ts), so the wait overlaps the suite.
 */
import * as client from 'openid-client';
import { serverSeconds, untilServerTime } from '../lib/clock.js';
import { codeFlow, describe, expectations, type Flow, userinfo } from '../lib/flow.js';
import { checkIdToken } from '../lib/id-token.js';
import type { Module, ModuleContext } from '../lib/module.js';
import { type Rp, tokenRequest } from '../lib/rp.js';

const plan = 'Basic OP' as const;

/** RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E. */
const DESCRIPTION = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Redeems the flow's code again and checks the refusal, then that the first use's tokens are dead. */
async function replay(ctx: ModuleContext, flow: Flow): Promise<void> {
  const code = flow.callback.searchParams.get('code')!;
  const answer = await tokenRequest(ctx.rp, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: ctx.rp.redirectUri,
  });
  ctx.run.check(
    'the second use answers 400 (Core §3.1.3.4)',
    answer.status === 400,
    `status ${answer.status}`,
  );
  ctx.run.check(
    'the answer is JSON (Core §3.1.3.4)',
    answer.contentType.startsWith('application/json'),
    answer.contentType,
  );
  ctx.run.check(
    'error is invalid_grant (RFC 6749 §5.2)',
    answer.body.error === 'invalid_grant',
    `error ${String(answer.body.error)}`,
  );
  ctx.run.check('no access token in the answer', answer.body.access_token === undefined);
  const description = answer.body.error_description;
  ctx.run.check(
    'error_description, when present, has only the characters of RFC 6749 §5.2',
    description === undefined || (typeof description === 'string' && DESCRIPTION.test(description)),
    JSON.stringify(description),
  );
  const uri = answer.body.error_uri;
  ctx.run.check(
    'error_uri, when present, is a URL (RFC 6749 §5.2)',
    uri === undefined || (typeof uri === 'string' && URL.canParse(uri)),
    JSON.stringify(uri),
  );
  const info = await fetch(ctx.rp.config.serverMetadata().userinfo_endpoint!, {
    headers: { authorization: `Bearer ${flow.tokens.access_token}` },
  });
  await info.arrayBuffer();
  ctx.run.check(
    'the access token of the first use is revoked: /userinfo answers 401 (RFC 6749 §4.1.2)',
    info.status === 401,
    `status ${info.status}`,
  );
  if (flow.tokens.refresh_token !== undefined) {
    const refreshed = await tokenRequest(ctx.rp, {
      grant_type: 'refresh_token',
      refresh_token: flow.tokens.refresh_token,
    });
    ctx.run.check(
      'the refresh token of the first use is revoked: refresh answers 400 invalid_grant',
      refreshed.status === 400 && refreshed.body.error === 'invalid_grant',
      `${refreshed.status} ${String(refreshed.body.error)}`,
    );
  }
}

/** RFC 6749 Appendix A.17: a refresh token is VSCHARs. */
const VSCHAR = /^[\x20-\x7e]+$/;

/** openid-client's refresh; null (and a failed check) when it throws. */
async function refresh(ctx: ModuleContext, rp: Rp, token: string) {
  try {
    return await client.refreshTokenGrant(rp.config, token);
  } catch (error) {
    ctx.run.check('openid-client refreshes the tokens', false, describe(error));
    return null;
  }
}

export const tokenModules: Module[] = [
  {
    name: 'oidcc-codereuse',
    plan,
    clients: 'each',
    checks:
      "a code redeemed twice: the second use gets 400 invalid_grant as JSON with a valid error_description, and the first use's access and refresh tokens are revoked",
    async run(ctx) {
      await replay(ctx, await codeFlow(ctx, await ctx.browser()));
    },
  },
  {
    name: 'oidcc-codereuse-30seconds',
    plan,
    clients: 'each',
    checks:
      "the same, the second use once the server's clock reads 30 s after the first (redeemed before the other modules, replayed after them)",
    async prepare(ctx) {
      const flow = await codeFlow(ctx, await ctx.browser());
      return { flow, usedAt: await serverSeconds(ctx.d.issuer) };
    },
    async run(ctx, prepared) {
      const { flow, usedAt } = prepared as { flow: Flow; usedAt: number };
      await untilServerTime(ctx.d.issuer, usedAt + 30);
      ctx.run.note(
        `replayed ${(await serverSeconds(ctx.d.issuer)) - usedAt} s after the first use, by the server's clock`,
      );
      await replay(ctx, flow);
    },
  },
  {
    name: 'oidcc-refresh-token',
    plan,
    clients: 'each',
    checks:
      "refresh with openid-client: a new access token that works and an ID token with the same iss, sub, aud and auth_time (Core §12.2); the other client's refresh token is refused with invalid_grant",
    async run(ctx) {
      const flow = await codeFlow(ctx, await ctx.browser());
      const token = flow.tokens.refresh_token;
      ctx.run.require('the token response has a refresh_token', typeof token === 'string');
      ctx.run.check('the refresh token is VSCHARs (RFC 6749 Appendix A.17)', VSCHAR.test(token!));
      const refreshed = await refresh(ctx, ctx.rp, token!);
      if (refreshed !== null) {
        ctx.run.check('a new access token', refreshed.access_token !== flow.tokens.access_token);
        const idToken = refreshed.id_token;
        ctx.run.require('the refresh response has an id_token (Core §12.2)', typeof idToken === 'string');
        const { claims } = await checkIdToken(
          ctx.run,
          idToken!,
          await expectations(ctx, ctx.rp, undefined, refreshed.access_token),
          'refreshed ID token',
        );
        for (const claim of ['iss', 'sub', 'auth_time'] as const) {
          ctx.run.check(
            `refreshed ID token: ${claim} is the first ID token's (Core §12.2)`,
            claims[claim] === flow.claims[claim],
            `${String(flow.claims[claim])} then ${String(claims[claim])}`,
          );
        }
        ctx.run.check(
          "refreshed ID token: aud is the first ID token's",
          JSON.stringify(claims.aud) === JSON.stringify(flow.claims.aud),
        );
        await userinfo(ctx, { ...flow, tokens: refreshed as Flow['tokens'] });
      }
      // The other client logs alice in too; its refresh token is bound to it (RFC 6749 §6).
      const theirs = await codeFlow(
        ctx,
        await ctx.browser(),
        {},
        { rp: ctx.other, label: "the other client's ID token" },
      );
      const stolen = await tokenRequest(ctx.rp, {
        grant_type: 'refresh_token',
        refresh_token: theirs.tokens.refresh_token ?? '',
      });
      ctx.run.check(
        "the other client's refresh token is refused: 400 invalid_grant",
        stolen.status === 400 && stolen.body.error === 'invalid_grant',
        `${stolen.status} ${String(stolen.body.error)}`,
      );
    },
  },
];
