import { randomBytes } from 'node:crypto';
import { createLocalKeySet, decode, type JWKS, verify } from '@sesame/jwt';
import { authorizeUrl, Browser, pkce, signInAndConsent } from '@sesame/testkit';
import { basic, expectRejected, PLAYER } from '../lib/deployment.js';
import { sesameJson } from '../lib/processes.js';
import type { Context } from '../lib/setup.js';

const CATEGORY = 'id token substitution';
const REDIRECT = 'http://127.0.0.1:9/callback';

interface Client {
  client_id: string;
  client_secret: string;
}

/**
 * ID tokens (OpenID Connect Core §2, §3.1.3.7): each names only the client its code was issued to
 * (`aud`, `azp`) and carries only its own authorization request's nonce — never another client's
 * or another request's, so a relying party's nonce and audience checks can catch an injected code
 * or a token taken from another client. A code of client A is refused to client B, and an ID
 * token is never taken for an access token (guard, /userinfo, introspection).
 */
export async function idTokenAttacks(ctx: Context): Promise<void> {
  const { report, main } = ctx;
  const metadata = (await (await fetch(`${main.issuer}/.well-known/openid-configuration`)).json()) as {
    id_token_signing_alg_values_supported?: string[];
  };
  if (metadata.id_token_signing_alg_values_supported === undefined) {
    report.note('pending: ID token substitution — the server advertises no ID tokens');
    return;
  }
  const client = (name: string) =>
    sesameJson<Client>([
      ...['clients', 'add', name, '--grant', 'authorization_code,refresh_token', '--scopes', 'openid quiz'],
      ...['--redirect-uri', REDIRECT, '--audience', 'quiz-api', '--data-dir', main.dataDir],
    ]);
  const [a, b] = [await client('oidc app A'), await client('oidc app B')];
  const jwks = createLocalKeySet(
    (await (await fetch(`${main.issuer}/.well-known/jwks.json`)).json()) as JWKS,
  );

  /** One login in a fresh browser: the code for `of`, with a nonce when given. */
  const codeFor = async (of: Client, nonce: string | undefined) => {
    const { verifier, challenge } = pkce();
    const url = authorizeUrl({
      response_type: 'code',
      client_id: of.client_id,
      redirect_uri: REDIRECT,
      scope: 'openid quiz',
      state: 'attack',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...(nonce === undefined ? {} : { nonce }),
    });
    const { back } = await signInAndConsent(new Browser(main.issuer), url, PLAYER);
    const code = new URL(back.location ?? '', main.issuer).searchParams.get('code');
    if (code === null) throw new Error(`no code in the redirect (${back.status})`);
    return { code, verifier };
  };
  const redeem = async (by: Client, grant: { code: string; verifier: string }) => {
    const response = await fetch(`${main.issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(by.client_id, by.client_secret) },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: grant.code,
        code_verifier: grant.verifier,
        redirect_uri: REDIRECT,
      }),
    });
    return {
      status: response.status,
      body: (await response.json()) as { id_token?: string; access_token?: string; error?: string },
    };
  };
  /** The ID token's claims as the client it names verifies them: signature, issuer, audience. */
  const claimsFor = (token: string | undefined, audience: string) => {
    if (token === undefined) return undefined;
    try {
      return verify(token, jwks, {
        algorithms: metadata.id_token_signing_alg_values_supported as never,
        issuer: main.issuer,
        audience,
      }).payload;
    } catch {
      return undefined;
    }
  };

  const nonceA = `A-${randomBytes(16).toString('base64url')}`;
  const nonceB = `B-${randomBytes(16).toString('base64url')}`;
  const ofA = await redeem(a, await codeFor(a, nonceA));
  const claimsA = claimsFor(ofA.body.id_token, a.client_id);
  if (
    !report.check(
      CATEGORY,
      'control: A redeems its code for an ID token for A',
      claimsA !== undefined,
      `${ofA.status}`,
    )
  )
    return;
  report.check(
    CATEGORY,
    "A's ID token names A only (aud and azp)",
    claimsA!.aud === a.client_id && claimsA!.azp === a.client_id,
    JSON.stringify({ aud: claimsA!.aud, azp: claimsA!.azp }),
  );
  report.check(
    CATEGORY,
    "A's ID token carries A's nonce exactly",
    claimsA!.nonce === nonceA,
    String(claimsA!.nonce),
  );
  report.check(
    CATEGORY,
    "A's ID token does not verify for B (audience)",
    claimsFor(ofA.body.id_token, b.client_id) === undefined,
  );

  const stolen = await redeem(b, await codeFor(a, nonceA));
  report.check(
    CATEGORY,
    "A's code redeemed by B is refused, with no ID token",
    stolen.status === 400 && stolen.body.error === 'invalid_grant' && stolen.body.id_token === undefined,
    `${stolen.status} ${stolen.body.error}`,
  );

  const ofB = await redeem(b, await codeFor(b, nonceB));
  const claimsB = claimsFor(ofB.body.id_token, b.client_id);
  report.check(
    CATEGORY,
    "B's ID token names B and carries B's nonce, never A's",
    claimsB?.aud === b.client_id && claimsB.nonce === nonceB && !(ofB.body.id_token ?? '').includes(nonceA),
    JSON.stringify({ aud: claimsB?.aud, nonce: claimsB?.nonce }),
  );
  const without = await redeem(a, await codeFor(a, undefined));
  const claimsWithout = without.body.id_token ? decode(without.body.id_token).payload : undefined;
  report.check(
    CATEGORY,
    'a request without a nonce gets an ID token without one (no earlier nonce carried over)',
    claimsWithout !== undefined && !('nonce' in claimsWithout),
    JSON.stringify(claimsWithout?.nonce),
  );
  await expectRejected(report, main, CATEGORY, "A's ID token used as an access token", ofA.body.id_token!);
}
