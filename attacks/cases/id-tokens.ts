import { randomBytes } from 'node:crypto';
import { createLocalKeySet, decode, type JWKS, verify } from '@sesame/jwt';
import { authorizeUrl, Browser, pkce, signInAndConsent } from '@sesame/testkit';
import { basic, expectRejected, PLAYER } from '../lib/deployment.js';
import { sesame, sesameJson } from '../lib/processes.js';
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
 * token is never taken for an access token (guard, /userinfo, introspection). A client registered
 * for RS256 gets RS256 ID tokens (its access tokens stay on the server's algorithm); relabelling
 * one's header (alg, typ) breaks it everywhere; no other algorithm can be registered.
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
  const client = (name: string, extra: string[] = []) =>
    sesameJson<Client>([
      ...['clients', 'add', name, '--grant', 'authorization_code,refresh_token', '--scopes', 'openid quiz'],
      ...['--redirect-uri', REDIRECT, '--audience', 'quiz-api', '--data-dir', main.dataDir, ...extra],
    ]);
  const [a, b] = [await client('oidc app A'), await client('oidc app B')];
  // Discovery §3's RS256, chosen by a client at registration (id_token_signed_response_alg).
  const r = await client('oidc app R', ['--id-token-alg', 'RS256']);
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

  // Nonce replay: a response replayed (the same code again) or a session refreshed must never mint
  // another ID token carrying the login's nonce, which a relying party would take as fresh.
  const grant = await codeFor(a, nonceA);
  const first = await redeem(a, grant);
  const replayed = await redeem(a, grant);
  report.check(
    CATEGORY,
    'nonce replay: the same code redeemed again is refused, with no second ID token',
    first.status === 200 && replayed.status === 400 && replayed.body.id_token === undefined,
    `${first.status} then ${replayed.status} ${replayed.body.error}`,
  );
  const refreshed = await fetch(`${main.issuer}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic(a.client_id, a.client_secret) },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: (ofA.body as { refresh_token?: string }).refresh_token ?? '',
    }),
  });
  const refreshedBody = (await refreshed.json()) as { id_token?: string };
  const refreshedClaims = claimsFor(refreshedBody.id_token, a.client_id);
  report.check(
    CATEGORY,
    "nonce replay: a refresh of A's session gives an ID token without the login's nonce (Core §12.2)",
    refreshed.status === 200 && refreshedClaims !== undefined && !('nonce' in refreshedClaims),
    `${refreshed.status} ${JSON.stringify(refreshedClaims?.nonce)}`,
  );

  // RS256 beside ES256: a second family of published keys, and a second kind of ID token.
  const ofR = await redeem(r, await codeFor(r, nonceA));
  const headerR = ofR.body.id_token ? decode(ofR.body.id_token).header : undefined;
  const claimsR = claimsFor(ofR.body.id_token, r.client_id);
  report.check(
    CATEGORY,
    'control: a client registered for RS256 gets an RS256 ID token that verifies for it',
    headerR?.alg === 'RS256' && claimsR?.aud === r.client_id,
    JSON.stringify({ alg: headerR?.alg, aud: claimsR?.aud }),
  );
  report.check(
    CATEGORY,
    "its access token stays on the server's algorithm (RS256 is for ID tokens only)",
    ofR.body.access_token !== undefined && decode(ofR.body.access_token).header.alg !== 'RS256',
    ofR.body.access_token ? String(decode(ofR.body.access_token).header.alg) : `${ofR.status}`,
  );
  report.check(
    CATEGORY,
    "R's RS256 ID token does not verify for A (audience)",
    claimsFor(ofR.body.id_token, a.client_id) === undefined,
  );
  if (ofR.body.id_token !== undefined) {
    await expectRejected(
      report,
      main,
      CATEGORY,
      "R's RS256 ID token used as an access token",
      ofR.body.id_token,
    );
    // The same signature under another header: alg ES256 naming the RSA key, typ at+jwt.
    const [, payloadPart, signature] = ofR.body.id_token.split('.');
    const relabelled = (header: Record<string, unknown>) =>
      `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${payloadPart}.${signature}`;
    for (const [name, header] of [
      ['alg ES256 on the RSA key', { ...headerR, alg: 'ES256' }],
      ['alg PS256 on the RSA key', { ...headerR, alg: 'PS256' }],
      ['typ at+jwt', { ...headerR, typ: 'at+jwt' }],
    ] as const) {
      const token = relabelled(header);
      report.check(
        CATEGORY,
        `R's ID token relabelled (${name}) does not verify for R`,
        claimsFor(token, r.client_id) === undefined,
      );
      await expectRejected(
        report,
        main,
        CATEGORY,
        `R's ID token relabelled (${name}) as an access token`,
        token,
      );
    }
  }
  for (const alg of ['none', 'HS256', 'PS256', 'RS256 ']) {
    const refused = await sesame([
      ...['clients', 'add', 'oidc app X', '--id-token-alg', alg, '--data-dir', main.dataDir],
    ]);
    report.check(
      CATEGORY,
      `a client cannot register id_token_signed_response_alg ${JSON.stringify(alg)} (not one the server signs with)`,
      refused.code !== 0 && /ERR_CLIENT_INVALID/.test(refused.stderr),
      `${refused.code} ${refused.stderr.trim().slice(0, 120)}`,
    );
  }
}
