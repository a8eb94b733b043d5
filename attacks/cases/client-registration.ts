import { authorizeUrl, Browser, pkce, signInAndConsent } from '@sesame/testkit';
import { basic, type Deployment, PLAYER } from '../lib/deployment.js';
import { sesameJson } from '../lib/processes.js';
import type { Context } from '../lib/setup.js';
import { dynamicRegistrationAttacks } from './dynamic-registration.js';

const CATEGORY = 'client registration';
const REDIRECT = 'http://127.0.0.1:9/callback';

/** Logs the player in for the client and returns the code; a challenge only when one is given. */
async function getCode(d: Deployment, clientId: string, challenge?: string): Promise<string> {
  const url = authorizeUrl({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope: 'openid',
    state: 'attack',
    ...(challenge ? { code_challenge: challenge, code_challenge_method: 'S256' } : {}),
  });
  const { back } = await signInAndConsent(new Browser(d.issuer), url, PLAYER);
  const code = new URL(back.location ?? '', d.issuer).searchParams.get('code');
  if (code === null) throw new Error(`no code in the redirect (${back.status} ${back.location})`);
  return code;
}

async function post(d: Deployment, fields: Record<string, string>, authorization?: string) {
  const response = await fetch(`${d.issuer}/oauth/token`, {
    method: 'POST',
    headers: authorization ? { authorization } : {},
    body: new URLSearchParams(fields),
  });
  return { status: response.status, error: ((await response.json()) as { error?: string }).error };
}

/**
 * The per-client settings hold (RFC 9700 §2.1.1, RFC 6749 §2.3.1): PKCE downgrade — a client
 * registered without required PKCE gets a code without a challenge; a code_verifier put to such a
 * code (an attacker stripped the challenge, or injected a code) is refused. Auth-method confusion —
 * a client registered for client_secret_basic is refused when its secret comes in the body. Then
 * dynamic registration itself (dynamic-registration.ts), on a deployment of its own.
 */
export async function clientRegistrationAttacks(ctx: Context): Promise<void> {
  const { report, main } = ctx;
  const dir = ['--data-dir', main.dataDir];
  const rp = await sesameJson<{ client_id: string; client_secret: string }>([
    ...['clients', 'add', 'oidc rp', '--grant', 'authorization_code', '--scopes', 'openid'],
    ...['--redirect-uri', REDIRECT, '--no-pkce', '--auth-method', 'client_secret_basic', ...dir],
  ]);
  const auth = basic(rp.client_id, rp.client_secret);
  const redeem = (code: string, extra: Record<string, string> = {}) =>
    post(main, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...extra }, auth);

  const code = await getCode(main, rp.client_id);
  const downgraded = await redeem(code, { code_verifier: pkce().verifier });
  report.check(
    CATEGORY,
    'PKCE downgrade: a code_verifier for a code issued without a challenge is refused',
    downgraded.status === 400 && downgraded.error === 'invalid_grant',
    `${downgraded.status} ${downgraded.error}`,
  );
  const control = await redeem(code);
  report.check(
    CATEGORY,
    'control: the same code without a verifier gives tokens',
    control.status === 200,
    `${control.status}`,
  );

  const { verifier, challenge } = pkce();
  const withChallenge = await getCode(main, rp.client_id, challenge);
  const stripped = await redeem(withChallenge);
  report.check(
    CATEGORY,
    'a code issued with a challenge is refused without its verifier',
    stripped.status === 400,
    `${stripped.status} ${stripped.error}`,
  );
  const withVerifier = await redeem(withChallenge, { code_verifier: verifier });
  report.check(
    CATEGORY,
    'control: with its verifier it gives tokens',
    withVerifier.status === 200,
    `${withVerifier.status}`,
  );

  const confused = await post(main, {
    grant_type: 'authorization_code',
    code: await getCode(main, rp.client_id),
    redirect_uri: REDIRECT,
    client_id: rp.client_id,
    client_secret: rp.client_secret,
  });
  report.check(
    CATEGORY,
    'auth-method confusion: the secret in the body, for a client registered for client_secret_basic, is refused',
    confused.status === 401 && confused.error === 'invalid_client',
    `${confused.status} ${confused.error}`,
  );
  await dynamicRegistrationAttacks(ctx);
}
