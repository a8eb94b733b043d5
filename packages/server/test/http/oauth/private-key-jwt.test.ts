/**
 * private_key_jwt (RFC 7523 §2.2 and §3, OpenID Connect Core §9) at the token, revocation and
 * introspection endpoints: every rule with the refused case beside the accepted one. The clock is
 * the app's injected one; assertions are dated from it.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { base64urlEncode, exportJWK, generateKeyPair, type JwtPayload, type Key, sign } from '@sesame/jwt';
import { formatBasicCredentials } from '@sesame/protocol';
import { createTestApp, postForm, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
let t: TestApp;
let issuer: string;
const ec = generateKeyPair('ES256', { kid: 'ec-1' });
const rsa = generateKeyPair('RS256', { kid: 'rsa-1' });
const stranger = generateKeyPair('ES256', { kid: 'ec-1' }); // same kid, another key
let secretClient: { id: string; secret: string };

beforeAll(async () => {
  t = await createTestApp();
  issuer = t.services.config.issuer;
  for (const [clientId, key] of [
    ['signer', ec.publicKey],
    ['rsa-signer', rsa.publicKey],
    ['other-signer', stranger.publicKey],
  ] as const) {
    await t.services.clients.create(
      {
        name: clientId,
        clientId,
        grantTypes: ['client_credentials'],
        scopes: ['quiz'],
        permissions: clientId === 'signer' ? ['introspect', 'revocations'] : ['introspect'],
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwks: { keys: [exportJWK(key)] },
      },
      'test',
    );
  }
  secretClient = t.machine;
});
afterAll(() => t.close());

const nowS = () => Math.floor(t.clock.now() / 1000);

/** The claims of a good assertion for `clientId`, changed by `changes` (undefined removes). */
function claims(clientId: string, changes: Partial<Record<keyof JwtPayload, unknown>> = {}): JwtPayload {
  const base: JwtPayload = {
    iss: clientId,
    sub: clientId,
    aud: `${issuer}/oauth/token`,
    jti: randomUUID(),
    iat: nowS(),
    exp: nowS() + 60,
  };
  const merged: Record<string, unknown> = { ...base, ...changes };
  for (const name of Object.keys(merged)) if (merged[name] === undefined) delete merged[name];
  return merged as JwtPayload;
}

const assertion = (key: Key, payload: JwtPayload) => sign(payload, key, { issuedAt: false });

function tokenRequest(clientAssertion: string, extra: Record<string, string> = {}, headers = {}) {
  return postForm(
    t.app,
    '/oauth/token',
    {
      grant_type: 'client_credentials',
      client_assertion_type: TYPE,
      client_assertion: clientAssertion,
      ...extra,
    },
    headers,
  );
}

async function refused(response: Awaited<ReturnType<typeof tokenRequest>>, description?: RegExp) {
  expect(response.statusCode, response.body).toBe(401);
  const body = response.json();
  expect(body.error).toBe('invalid_client');
  if (description) expect(body.error_description).toMatch(description);
}

/** A JWS with any header, signed (or not) by hand: what an attacker sends. */
function forged(header: Record<string, unknown>, payload: JwtPayload, signWith?: Buffer): string {
  const head = base64urlEncode(JSON.stringify(header));
  const body = base64urlEncode(JSON.stringify(payload));
  const signature =
    signWith === undefined
      ? ''
      : createHmac('sha256', signWith).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

describe('private_key_jwt: accepted assertions', () => {
  it('a good assertion gets a token, at every accepted aud form', async () => {
    for (const aud of [`${issuer}/oauth/token`, issuer, [`${issuer}/oauth/token`]]) {
      const response = await tokenRequest(assertion(ec.privateKey, claims('signer', { aud })));
      expect(response.statusCode, `${JSON.stringify(aud)}: ${response.body}`).toBe(200);
      expect(response.json().token_type).toBe('Bearer');
    }
  });

  it('an RSA client, and a client_id sent beside the assertion, are accepted', async () => {
    const response = await tokenRequest(assertion(rsa.privateKey, claims('rsa-signer')), {
      client_id: 'rsa-signer',
    });
    expect(response.statusCode, response.body).toBe(200);
  });

  it('revocation and introspection authenticate the same way (aud: their own URL too)', async () => {
    for (const path of ['/oauth/revoke', '/oauth/introspect']) {
      for (const aud of [`${issuer}${path}`, `${issuer}/oauth/token`]) {
        const response = await postForm(t.app, path, {
          token: 'not-a-token',
          client_assertion_type: TYPE,
          client_assertion: assertion(ec.privateKey, claims('signer', { aud })),
        });
        expect(response.statusCode, `${path} ${aud}: ${response.body}`).toBe(200);
      }
      const wrong = await postForm(t.app, path, {
        token: 'not-a-token',
        client_assertion_type: TYPE,
        client_assertion: assertion(ec.privateKey, claims('signer', { aud: `${issuer}/oauth/other` })),
      });
      await refused(wrong, /aud/);
    }
  });
});

describe('the revocation feed (a GET): the assertion in the query', () => {
  const feed = (path: string, clientAssertion: string, type = TYPE) =>
    t.app.inject({
      url: `${path}?${new URLSearchParams({ client_assertion_type: type, client_assertion: clientAssertion })}`,
    });

  it('is accepted once, for the token endpoint or the feed as aud; a replay or a wrong type is refused', async () => {
    for (const aud of [`${issuer}/oauth/revocations`, `${issuer}/oauth/token`]) {
      const a = assertion(ec.privateKey, claims('signer', { aud }));
      const page = await feed('/oauth/revocations', a);
      expect(page.statusCode, page.body).toBe(200);
      expect(page.json()).toMatchObject({ entries: expect.any(Array) });
      await refused(await feed('/oauth/revocations', a), /used before/);
    }
    await refused(
      await feed('/oauth/revocations', assertion(ec.privateKey, claims('signer')), 'urn:example'),
      /client_assertion_type/,
    );
    // Without the revocations permission: authenticated, then forbidden.
    const other = await feed('/oauth/revocations', assertion(rsa.privateKey, claims('rsa-signer')));
    expect(other.statusCode).toBe(403);
  });
});

describe('private_key_jwt: each rule refuses', () => {
  it('aud of another server, or several audiences', async () => {
    await refused(
      await tokenRequest(
        assertion(ec.privateKey, claims('signer', { aud: 'https://other.example/oauth/token' })),
      ),
      /aud/,
    );
    const injected = [`${issuer}/oauth/token`, 'https://other.example'];
    await refused(
      await tokenRequest(assertion(ec.privateKey, claims('signer', { aud: injected }))),
      /one audience/,
    );
    await refused(await tokenRequest(assertion(ec.privateKey, claims('signer', { aud: undefined }))));
  });

  it('exp missing, too far away, or past; nbf and iat in the future', async () => {
    await refused(await tokenRequest(assertion(ec.privateKey, claims('signer', { exp: undefined }))), /exp/);
    await refused(
      await tokenRequest(assertion(ec.privateKey, claims('signer', { exp: nowS() + 600 }))),
      /more than 300 s away/,
    );
    // Within the bound: accepted.
    const near = await tokenRequest(assertion(ec.privateKey, claims('signer', { exp: nowS() + 290 })));
    expect(near.statusCode).toBe(200);
    await refused(
      await tokenRequest(assertion(ec.privateKey, claims('signer', { exp: nowS() - 60 }))),
      /expired/,
    );
    await refused(
      await tokenRequest(assertion(ec.privateKey, claims('signer', { nbf: nowS() + 120 }))),
      /not valid yet/,
    );
    await refused(
      await tokenRequest(assertion(ec.privateKey, claims('signer', { iat: nowS() + 120 }))),
      /not valid yet/,
    );
  });

  it('the clock moves: an assertion accepted now is expired later', async () => {
    const a = assertion(ec.privateKey, claims('signer', { exp: nowS() + 60 }));
    t.clock.advance(120_000);
    try {
      await refused(await tokenRequest(a), /expired/);
    } finally {
      t.clock.advance(-120_000);
    }
    expect((await tokenRequest(a)).statusCode).toBe(200);
  });

  it('jti missing, or used before (replay), even at another endpoint', async () => {
    await refused(await tokenRequest(assertion(ec.privateKey, claims('signer', { jti: undefined }))), /jti/);
    const once = assertion(ec.privateKey, claims('signer'));
    expect((await tokenRequest(once)).statusCode).toBe(200);
    await refused(await tokenRequest(once), /used before/);
    const atIntrospect = await postForm(t.app, '/oauth/introspect', {
      token: 'x',
      client_assertion_type: TYPE,
      client_assertion: once,
    });
    await refused(atIntrospect, /used before/);
  });

  it('signed by another key than the registered one (no Basic challenge: RFC 6749 §5.2)', async () => {
    const response = await tokenRequest(assertion(stranger.privateKey, claims('signer')));
    await refused(response, /signature/);
    expect(response.headers['www-authenticate']).toBeUndefined();
  });

  it('alg none, with or without a signature', async () => {
    const payload = claims('signer');
    await refused(await tokenRequest(forged({ alg: 'none', kid: 'ec-1' }, payload)));
    await refused(await tokenRequest(forged({ alg: 'none' }, payload, Buffer.from('x'))));
  });

  it('HS256 keyed with the RSA public key (algorithm confusion), or with a client secret', async () => {
    const publicJwk = JSON.stringify(exportJWK(rsa.publicKey));
    const pem = rsa.publicKey.keyObject.export({ type: 'spki', format: 'pem' }).toString();
    for (const secret of [publicJwk, pem]) {
      const token = forged(
        { alg: 'HS256', kid: 'rsa-1', typ: 'JWT' },
        claims('rsa-signer'),
        Buffer.from(secret),
      );
      await refused(await tokenRequest(token), /alg/);
    }
  });

  it('iss different from sub', async () => {
    await refused(
      await tokenRequest(assertion(ec.privateKey, claims('signer', { sub: 'rsa-signer' }))),
      /sub/,
    );
  });

  it("an assertion for another client: client_id differs, or signed by one claiming the other's id", async () => {
    await refused(
      await tokenRequest(assertion(ec.privateKey, claims('signer')), { client_id: 'rsa-signer' }),
      /client_id does not match/,
    );
    // other-signer's key has the same kid as signer's: it still cannot speak for signer.
    await refused(await tokenRequest(assertion(stranger.privateKey, claims('signer'))), /signature/);
    await refused(await tokenRequest(assertion(ec.privateKey, claims('other-signer'))), /signature/);
  });

  it('two methods at once: Basic or client_secret beside the assertion', async () => {
    const a = () => assertion(ec.privateKey, claims('signer'));
    await refused(
      await tokenRequest(
        a(),
        {},
        { authorization: formatBasicCredentials(secretClient.id, secretClient.secret) },
      ),
      /one client authentication method/,
    );
    await refused(
      await tokenRequest(a(), { client_secret: secretClient.secret }),
      /one client authentication method/,
    );
  });

  it('a method other than the registered one', async () => {
    // A secret client presenting an assertion (it has no keys; its method is a secret one).
    const token = assertion(ec.privateKey, claims(secretClient.id));
    await refused(await tokenRequest(token), /registered for/);
    // A private_key_jwt client without an assertion: no secret to use, client_id alone is refused.
    const bare = await postForm(t.app, '/oauth/token', {
      grant_type: 'client_credentials',
      client_id: 'signer',
    });
    await refused(bare);
    const guessed = await postForm(
      t.app,
      '/oauth/token',
      { grant_type: 'client_credentials' },
      {
        authorization: formatBasicCredentials('signer', 'anything'),
      },
    );
    await refused(guessed);
  });

  it('client_assertion_type wrong or alone, and assertions that are not JWTs', async () => {
    const a = assertion(ec.privateKey, claims('signer'));
    await refused(
      await tokenRequest(a, { client_assertion_type: 'urn:example:saml' }),
      /client_assertion_type/,
    );
    await refused(
      await postForm(t.app, '/oauth/token', {
        grant_type: 'client_credentials',
        client_assertion_type: TYPE,
      }),
      /client_assertion is missing/,
    );
    await refused(await tokenRequest('not.a.jwt'), /not a JWT/);
    await refused(
      await tokenRequest(assertion(ec.privateKey, claims('signer', { iss: undefined }))),
      /no iss/,
    );
    await refused(await tokenRequest(assertion(ec.privateKey, claims('nobody'))));
  });
});

describe('metadata', () => {
  it('advertises private_key_jwt and its algorithms, never client_secret_jwt or none/HS', async () => {
    const metadata = (await t.app.inject('/.well-known/openid-configuration')).json();
    for (const endpoint of ['token', 'revocation', 'introspection']) {
      expect(metadata[`${endpoint}_endpoint_auth_methods_supported`]).toContain('private_key_jwt');
      expect(metadata[`${endpoint}_endpoint_auth_methods_supported`]).not.toContain('client_secret_jwt');
      const algs: string[] = metadata[`${endpoint}_endpoint_auth_signing_alg_values_supported`];
      expect(algs).toContain('ES256');
      expect(algs.filter((alg) => alg === 'none' || alg.startsWith('HS'))).toEqual([]);
    }
  });
});
