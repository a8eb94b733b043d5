import type { JsonWebKey } from 'node:crypto';
import { expectRejected, login } from '../lib/deployment.js';
import { forge, hmac, parts, publicKeyForms } from '../lib/jose.js';
import { inBatches } from '../lib/report.js';
import type { Context } from '../lib/setup.js';

const CATEGORY = 'key confusion (HMAC keyed with the public key)';

/**
 * The classic algorithm confusion (RFC 8725 §2.1): the server's public key is public, so an
 * attacker who switches `alg` to HS256/384/512 and uses that key's bytes as the HMAC secret forges
 * a token a verifier accepts if it lets the token pick the algorithm for a key it holds. Every
 * published key is tried (current, next and the retired one), in every form the key's text takes.
 */
export async function keyConfusionAttacks(ctx: Context): Promise<void> {
  const { report, main } = ctx;
  const genuine = (await login(main)).access_token;
  const { header, payload } = parts(genuine);
  const jwks = (await (await fetch(`${main.issuer}/.well-known/jwks.json`)).json()) as {
    keys: Array<JsonWebKey & { kid: string }>;
  };
  report.check(
    CATEGORY,
    'the JWKS publishes at least three keys (next, current, retired)',
    jwks.keys.length >= 3,
    `${jwks.keys.length} keys`,
  );

  const cases: Array<[string, string]> = [];
  for (const jwk of jwks.keys) {
    const role = jwk.kid === header.kid ? 'the signing key' : `key ${jwk.kid.slice(0, 8)}`;
    for (const [form, secret] of Object.entries(publicKeyForms(jwk))) {
      for (const bits of [256, 384, 512] as const) {
        // The other hashes only for the signing key: enough to show the family is refused whole.
        if (bits !== 256 && jwk.kid !== header.kid) continue;
        const forged = forge({ ...header, alg: `HS${bits}`, kid: jwk.kid }, payload, (input) =>
          hmac(input, secret, bits),
        );
        cases.push([`HS${bits} keyed with ${role} as ${form}`, forged]);
      }
    }
    // The same, with the kid left out: a verifier that then tries every key it has.
    const { kid: _kid, ...anonymous } = header;
    const pem = publicKeyForms(jwk)['PEM text']!;
    cases.push([
      `HS256 keyed with ${role} as PEM text, no kid`,
      forge({ ...anonymous, alg: 'HS256' }, payload, (input) => hmac(input, pem)),
    ]);
  }
  // Escalation attempt on top: the forged token also asks for admin.
  const current = jwks.keys.find((jwk) => jwk.kid === header.kid);
  if (current) {
    const pem = publicKeyForms(current)['PEM text']!;
    cases.push([
      'HS256 keyed with the signing key as PEM text, scope raised to admin',
      forge({ ...header, alg: 'HS256' }, { ...payload, scope: 'openid quiz admin' }, (input) =>
        hmac(input, pem),
      ),
    ]);
  }
  await inBatches(cases, 8, ([name, token]) => expectRejected(report, main, CATEGORY, name, token));
}
