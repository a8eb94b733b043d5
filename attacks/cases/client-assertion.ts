import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '@sesame/testkit';
import type { Deployment } from '../lib/deployment.js';
import { attackerKey, es256, forge, hmac, publicKeyForms } from '../lib/jose.js';
import { sesame, sesameJson } from '../lib/processes.js';
import type { Context } from '../lib/setup.js';

const CATEGORY = 'client assertion';
const TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** POSTs an assertion to an endpoint of `d`; answers the status and the error code. */
async function present(
  d: Deployment,
  assertion: string,
  path = '/oauth/token',
  extra: Record<string, string> = {},
) {
  const response = await fetch(`${d.issuer}${path}`, {
    method: 'POST',
    body: new URLSearchParams({
      ...(path === '/oauth/token' ? { grant_type: 'client_credentials' } : { token: 'x' }),
      client_assertion_type: TYPE,
      client_assertion: assertion,
      ...extra,
    }),
  });
  const body = (await response.json()) as { error?: string };
  return { status: response.status, error: body.error, shown: `${response.status} ${body.error ?? ''}` };
}

/** The claims of a good assertion of `clientId` for `d`, changed by `changes`. */
function claims(d: Deployment, clientId: string, changes: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: clientId,
    sub: clientId,
    aud: `${d.issuer}/oauth/token`,
    jti: randomUUID(),
    iat: now,
    exp: now + 60,
    ...changes,
  };
}

/**
 * private_key_jwt (RFC 7523 §2.2, §3) from the outside: a signed assertion is single-use, bound to
 * this server, short-lived, signed by the client's registered public key with an asymmetric
 * algorithm only (never none, never an HMAC keyed with a public key or an old secret); a jwks_uri
 * aimed at loopback or the cloud metadata address is refused at registration, and a listener on
 * loopback records that no request was made.
 */
export async function clientAssertionAttacks(ctx: Context): Promise<void> {
  const { report, main, other } = ctx;
  const dir = ['--data-dir', main.dataDir];
  const folder = tempDir('sesame-attacks-assertion-');
  const key = attackerKey('ca-ec-1'); // the client's own key here: the attacker is everyone else
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsaJwk = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'ca-rsa-1', alg: 'RS256' };
  const jwksFile = join(folder, 'ec.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [key.jwk] }));
  const rsaFile = join(folder, 'rsa.json');
  writeFileSync(rsaFile, JSON.stringify({ keys: [rsaJwk] }));

  const signer = await sesameJson<{ client_id: string }>([
    ...['clients', 'add', 'ca signer', '--grant', 'client_credentials', '--scopes', 'quiz'],
    ...['--permission', 'introspect', '--auth', 'private_key_jwt', '--jwks', jwksFile, ...dir],
  ]);
  // A client that had a secret, then moved to private_key_jwt: its old secret is known to the attacker.
  const moved = await sesameJson<{ client_id: string; client_secret: string }>([
    ...['clients', 'add', 'ca moved', '--grant', 'client_credentials', '--scopes', 'quiz', ...dir],
  ]);
  const set = await sesame([
    'clients',
    'set',
    moved.client_id,
    '--auth',
    'private_key_jwt',
    '--jwks',
    rsaFile,
    ...dir,
  ]);
  if (
    !report.check(
      CATEGORY,
      'set-up: a secret client moves to private_key_jwt',
      set.code === 0,
      set.stderr.trim(),
    )
  )
    return;
  const ec = (payload: object) =>
    forge({ alg: 'ES256', kid: 'ca-ec-1', typ: 'JWT' }, payload, (i) => es256(i, key.privateKey));
  const rs = (payload: object) =>
    forge({ alg: 'RS256', kid: 'ca-rsa-1', typ: 'JWT' }, payload, (i) =>
      sign('sha256', Buffer.from(i, 'latin1'), rsa.privateKey).toString('base64url'),
    );
  const refused = (r: { status: number; error?: string }) => r.status === 401 && r.error === 'invalid_client';

  const once = ec(claims(main, signer.client_id));
  const first = await present(main, once);
  if (
    !report.check(
      CATEGORY,
      'control: a good private_key_jwt assertion gets a token',
      first.status === 200,
      first.shown,
    )
  )
    return;
  const controlRsa = await present(main, rs(claims(main, moved.client_id)));
  report.check(
    CATEGORY,
    'control: the moved client signs with its RSA key',
    controlRsa.status === 200,
    controlRsa.shown,
  );

  const replayed = await present(main, once);
  report.check(
    CATEGORY,
    'the same assertion replayed (same jti) is refused',
    refused(replayed),
    replayed.shown,
  );
  const elsewhere = await present(main, once, '/oauth/introspect');
  report.check(
    CATEGORY,
    'the same assertion replayed at introspection is refused',
    refused(elsewhere),
    elsewhere.shown,
  );

  const none = forge({ alg: 'none', typ: 'JWT' }, claims(main, signer.client_id), () => '');
  const noneResult = await present(main, none);
  report.check(CATEGORY, 'alg none is refused', refused(noneResult), noneResult.shown);

  for (const [form, secret] of Object.entries(publicKeyForms(rsaJwk))) {
    const confused = forge(
      { alg: 'HS256', kid: 'ca-rsa-1', typ: 'JWT' },
      claims(main, moved.client_id),
      (i) => hmac(i, secret),
    );
    const result = await present(main, confused);
    report.check(
      CATEGORY,
      `HS256 keyed with the client's public key (${form}) is refused`,
      refused(result),
      result.shown,
    );
  }
  const withOldSecret = forge({ alg: 'HS256', typ: 'JWT' }, claims(main, moved.client_id), (i) =>
    hmac(i, moved.client_secret),
  );
  const oldSecret = await present(main, withOldSecret);
  report.check(
    CATEGORY,
    'HS256 keyed with the client secret, for a private_key_jwt client (algorithm confusion), is refused',
    refused(oldSecret),
    oldSecret.shown,
  );
  const basicNow = await fetch(`${main.issuer}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${moved.client_id}:${moved.client_secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  report.check(
    CATEGORY,
    'its old secret over Basic is refused (registered for private_key_jwt)',
    basicNow.status === 401,
    `${basicNow.status}`,
  );

  const now = Math.floor(Date.now() / 1000);
  const expired = await present(main, ec(claims(main, signer.client_id, { iat: now - 600, exp: now - 300 })));
  report.check(CATEGORY, 'an expired assertion is refused', refused(expired), expired.shown);
  const longLived = await present(main, ec(claims(main, signer.client_id, { exp: now + 86_400 })));
  report.check(
    CATEGORY,
    'an assertion valid for a day (exp too far) is refused',
    refused(longLived),
    longLived.shown,
  );
  const otherAud = await present(
    main,
    ec(claims(main, signer.client_id, { aud: `${other.issuer}/oauth/token` })),
  );
  report.check(
    CATEGORY,
    "an assertion for another server's token endpoint (aud) is refused",
    refused(otherAud),
    otherAud.shown,
  );
  const injected = await present(
    main,
    ec(
      claims(main, signer.client_id, { aud: [`${other.issuer}/oauth/token`, `${main.issuer}/oauth/token`] }),
    ),
  );
  report.check(
    CATEGORY,
    'an assertion naming this server among several audiences is refused',
    refused(injected),
    injected.shown,
  );
  const stranger = attackerKey('ca-ec-1');
  const wrongKey = await present(
    main,
    forge({ alg: 'ES256', kid: 'ca-ec-1', typ: 'JWT' }, claims(main, signer.client_id), (i) =>
      es256(i, stranger.privateKey),
    ),
  );
  report.check(
    CATEGORY,
    "an assertion signed by another key with the client's kid is refused",
    refused(wrongKey),
    wrongKey.shown,
  );
  const forOther = await present(main, ec(claims(main, signer.client_id)), '/oauth/token', {
    client_id: moved.client_id,
  });
  report.check(
    CATEGORY,
    "one client's assertion with another client's client_id is refused",
    refused(forOther),
    forOther.shown,
  );

  // SSRF: a jwks_uri at loopback (a listener that records every request) or the metadata address.
  const hits: string[] = [];
  const listener = createServer((request, response) => {
    hits.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [key.jwk] }));
  });
  await new Promise<void>((done) => listener.listen(0, '127.0.0.1', done));
  try {
    const port = (listener.address() as AddressInfo).port;
    for (const uri of [
      `https://127.0.0.1:${port}/jwks`,
      `http://127.0.0.1:${port}/jwks`,
      `https://[::ffff:127.0.0.1]:${port}/jwks`,
      `https://localhost:${port}/jwks`,
      'https://169.254.169.254/latest/meta-data/iam/security-credentials/',
    ]) {
      const add = await sesame([
        ...['clients', 'add', 'ca ssrf', '--grant', 'client_credentials', '--auth', 'private_key_jwt'],
        ...['--jwks-uri', uri, ...dir],
      ]);
      const onSet = await sesame(['clients', 'set', signer.client_id, '--jwks-uri', uri, ...dir]);
      report.check(
        CATEGORY,
        `a jwks_uri at ${uri.replace(String(port), 'PORT')} is refused at registration and change`,
        add.code !== 0 && onSet.code !== 0 && /jwksUri refused/.test(add.stderr),
        `add ${add.code}, set ${onSet.code}: ${add.stderr.trim()}`,
      );
    }
    // The signer still authenticates with its inline keys; nothing was ever fetched from loopback.
    const after = await present(main, ec(claims(main, signer.client_id)));
    report.check(
      CATEGORY,
      'control: the signer still authenticates after the refused changes',
      after.status === 200,
      after.shown,
    );
    report.check(CATEGORY, 'the loopback listener received no request', hits.length === 0, hits.join(', '));
  } finally {
    listener.close();
  }
}
