import { randomBytes } from 'node:crypto';
import { authorizeUrl, Browser, pkce, signInAndConsent } from '@sesame/testkit';
import { basic, type Deployment, expectRejected, PLAYER, type TokenResponse } from '../lib/deployment.js';
import { sesameJson } from '../lib/processes.js';
import type { Context } from '../lib/setup.js';

const CATEGORY = 'replayed refresh tokens and codes';
const REDIRECT = 'http://127.0.0.1:9/callback';

/** Logs the player in through the pages, consents, and returns a fresh code with its PKCE verifier. */
async function getCode(d: Deployment, clientId: string): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkce();
  const url = authorizeUrl({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope: 'openid quiz',
    state: 'attack',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  // A consent given before is remembered: the request then goes straight back with a code.
  const { back: done } = await signInAndConsent(new Browser(d.issuer), url, PLAYER);
  const code = new URL(done.location ?? '', d.issuer).searchParams.get('code');
  if (code === null) throw new Error(`no code in the redirect (${done.status})`);
  return { code, verifier };
}

/**
 * Authorization codes are single-use (RFC 6749 §4.1.2): a second redemption is refused and, per
 * §4.1.2 and RFC 9700 §4.2.4, revokes what the first one issued. Two redemptions at once get at
 * most one token response, and a wrong PKCE verifier gets none. Runs only once the server offers
 * the grant.
 */
export async function codeReplayAttacks(ctx: Context): Promise<void> {
  const { report, main } = ctx;
  const metadata = (await (await fetch(`${main.issuer}/.well-known/oauth-authorization-server`)).json()) as {
    grant_types_supported?: string[];
  };
  if (!metadata.grant_types_supported?.includes('authorization_code')) {
    report.note('pending: replayed authorization codes — the server does not offer authorization_code yet');
    return;
  }
  const web = await sesameJson<{ client_id: string; client_secret: string }>([
    ...[
      'clients',
      'add',
      'quiz web',
      '--grant',
      'authorization_code,refresh_token',
      '--scopes',
      'openid quiz',
    ],
    ...['--redirect-uri', REDIRECT, '--audience', 'quiz-api', '--data-dir', main.dataDir],
  ]);
  const redeem = async (code: string, verifier: string) => {
    const response = await fetch(`${main.issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(web.client_id, web.client_secret) },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: REDIRECT,
      }),
    });
    return { status: response.status, body: (await response.json()) as TokenResponse & { error?: string } };
  };

  const first = await getCode(main, web.client_id);
  const issued = await redeem(first.code, first.verifier);
  if (!report.check(CATEGORY, 'control: the code gives tokens', issued.status === 200, `${issued.status}`))
    return;
  const again = await redeem(first.code, first.verifier);
  report.check(
    CATEGORY,
    'the code redeemed a second time is refused',
    again.status === 400 && again.body.error === 'invalid_grant',
    `${again.status} ${again.body.error}`,
  );
  const deadline = Date.now() + 2500;
  while (Date.now() < deadline) {
    const seen = await fetch(`${main.api}/answers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${issued.body.access_token}`, 'content-type': 'application/json' },
      body: '{"questionId":1,"choice":1}',
    });
    if (seen.status !== 200) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await expectRejected(
    report,
    main,
    CATEGORY,
    'after the code replay, the access token it gave',
    issued.body.access_token,
  );

  const raced = await getCode(main, web.client_id);
  const both = await Promise.all([redeem(raced.code, raced.verifier), redeem(raced.code, raced.verifier)]);
  report.check(
    CATEGORY,
    'one code redeemed twice at once: at most one token response',
    both.filter((result) => result.status === 200).length <= 1,
    both.map((result) => result.status).join(','),
  );

  const wrong = await getCode(main, web.client_id);
  const forged = await redeem(wrong.code, randomBytes(32).toString('base64url'));
  report.check(
    CATEGORY,
    'a code with a wrong PKCE verifier is refused',
    forged.status === 400,
    `${forged.status}`,
  );
}
