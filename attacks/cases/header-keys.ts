import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectAccepted, expectRejected, login } from '../lib/deployment.js';
import { attackerKey, es256, forge, hmac, parts } from '../lib/jose.js';
import { sesameJson } from '../lib/processes.js';
import { inBatches } from '../lib/report.js';
import type { Context } from '../lib/setup.js';

const CATEGORY = 'header keys: jwk, jku, x5u, x5c, kid';

/** An attacker's web server on the loopback, serving its key set and counting every request. */
async function attackerServer(jwks: unknown) {
  let requests = 0;
  const server = createServer((request, response) => {
    requests++;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(jwks));
    request.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Tokens that bring their own key (RFC 8725 §3.10, RFC 7515 §4.1.2-4.1.6): an embedded `jwk`, a
 * `jku`/`x5u` URL on the attacker's server, an `x5c` chain — all signed by the attacker's key, which
 * must never be trusted — and `kid` values built to break a lookup: path traversal, SQL and shell
 * metacharacters, non-strings, and the kid of a retired key.
 *
 * The retired kid: a retired key is published until every token it signed has expired, by design,
 * so a token made with its leaked private key inside that window is indistinguishable from a
 * genuine one — no verifier can refuse it, and reading the key out of the data dir would only prove
 * that. What must hold is that a retired kid lends no trust to another key: the attacker's token
 * carrying it is refused.
 */
export async function headerKeyAttacks(ctx: Context): Promise<void> {
  const { report, main } = ctx;
  const genuine = (await login(main)).access_token;
  const { header, payload } = parts(genuine);
  const attacker = attackerKey();
  const server = await attackerServer({ keys: [attacker.jwk, { ...attacker.jwk, kid: header.kid }] });
  const marker = mkdtempSync(join(tmpdir(), 'sesame-attacks-shell-'));
  const pwned = join(marker, 'pwned');
  try {
    const escalated = { ...payload, scope: 'openid quiz admin' };
    const signed = (extra: Record<string, unknown>, body = escalated) =>
      forge({ alg: 'ES256', typ: 'at+jwt', ...extra }, body, (input) => es256(input, attacker.privateKey));
    const cases: Array<[string, string]> = [
      ['embedded jwk, no kid', signed({ jwk: attacker.jwk })],
      ['embedded jwk, kid of the signing key', signed({ kid: header.kid, jwk: attacker.jwk })],
      ['embedded jwk carrying the signing key kid', signed({ jwk: { ...attacker.jwk, kid: header.kid } })],
      ['jku to the attacker, attacker kid', signed({ kid: 'attacker', jku: `${server.url}/jwks.json` })],
      ['jku to the attacker, signing key kid', signed({ kid: header.kid, jku: `${server.url}/jwks.json` })],
      ['x5u to the attacker', signed({ kid: 'attacker', x5u: `${server.url}/cert.pem` })],
      ['x5u to the attacker, signing key kid', signed({ kid: header.kid, x5u: `${server.url}/cert.pem` })],
      [
        'jku and x5u and jwk at once',
        signed({ jku: `${server.url}/a`, x5u: `${server.url}/b`, jwk: attacker.jwk }),
      ],
      [
        'x5c with the attacker key (SPKI, not a certificate)',
        signed({ x5c: [attacker.publicKey.export({ format: 'der', type: 'spki' }).toString('base64')] }),
      ],
      ['crit naming jku', signed({ kid: 'attacker', jku: `${server.url}/jwks.json`, crit: ['jku'] })],
    ];

    const kids: Array<[string, unknown]> = [
      ['path traversal ../../../../etc/passwd', '../../../../etc/passwd'],
      ['path traversal to /dev/null', '../../../../../../dev/null'],
      ['absolute path /dev/null', '/dev/null'],
      ['path traversal, URL-encoded', '..%2f..%2f..%2fetc%2fpasswd'],
      ['a NUL byte', 'key\u0000.pem'],
      ['SQL: quote OR 1=1', "' OR '1'='1"],
      ['SQL: UNION SELECT of the private keys', "x' UNION SELECT private_jwk FROM signing_keys --"],
      ['SQL: DROP TABLE', "1'; DROP TABLE signing_keys; --"],
      ['shell: $( )', `$(touch ${pwned})`],
      ['shell: backticks', `\`touch ${pwned}\``],
      ['shell: ; and |', `x; touch ${pwned} | cat`],
      ['a 2000-character kid', 'k'.repeat(2000)],
      ['an empty kid', ''],
      ['kid as a number', 123],
      ['kid as null', null],
      ['kid as an array of the signing kid', [header.kid]],
      ['kid as a NoSQL operator object', { $ne: null }],
      ['kid of the signing key with the attacker signature', header.kid],
    ];
    const { keys } = (await (await fetch(`${main.issuer}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    const retired = (
      await sesameJson<Array<{ kid: string; state: string }>>(['keys', 'list', '--data-dir', main.dataDir])
    ).filter((key) => key.state === 'retired');
    report.check(
      CATEGORY,
      'a retired key exists and is still published',
      retired.some((key) => keys.some((k) => k.kid === key.kid)),
      `${retired.length} retired`,
    );
    for (const key of retired) kids.push([`kid of retired key ${key.kid.slice(0, 8)}`, key.kid]);

    for (const [name, kid] of kids) {
      cases.push([`kid: ${name} (ES256, attacker key)`, signed({ kid })]);
      // A kid read as a file path would make /dev/null an empty HMAC key.
      cases.push([
        `kid: ${name} (HS256, empty key)`,
        forge({ alg: 'HS256', typ: 'at+jwt', kid }, escalated, (input) => hmac(input, '')),
      ]);
    }
    await inBatches(cases, 8, ([name, token]) => expectRejected(report, main, CATEGORY, name, token));

    report.check(
      CATEGORY,
      'the attacker server received no request (jku/x5u never fetched)',
      server.requests() === 0,
      `${server.requests()} requests`,
    );
    report.check(CATEGORY, 'no shell command from a kid ran', !existsSync(pwned), `${pwned} exists`);
    // After the SQL kids: the store still answers and the genuine token still works everywhere.
    await expectAccepted(report, main, CATEGORY, 'the genuine token after the SQL kids', genuine);
  } finally {
    await server.close();
    rmSync(marker, { recursive: true, force: true });
  }
}
