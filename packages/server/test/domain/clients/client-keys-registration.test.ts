/**
 * Registering a private_key_jwt client (RFC 7591 §2 `jwks` / `jwks_uri`): what is accepted beside
 * what is refused, the SSRF rules of jwks_uri (no loopback, private or link-local literal, no
 * localhost, https only) unless the deployment allows private addresses, and no secret made.
 */
import { exportJWK, generateKeyPair, generateSecret } from '@sesame/jwt';
import { openTempStore, testClock } from '@sesame/testkit/app';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ClientService,
  createClientService,
  type NewClient,
} from '../../../src/domain/clients/clients.js';
import type { Store } from '../../../src/store/types.js';

const publicJwk = exportJWK(generateKeyPair('ES256', { kid: 'k1' }).publicKey);
const SIGNER: NewClient = {
  name: 'signer',
  grantTypes: ['client_credentials'],
  tokenEndpointAuthMethod: 'private_key_jwt',
};

let store: Store & { close(): Promise<void> };
let clients: ClientService;
let lenient: ClientService;
beforeEach(async () => {
  store = await openTempStore();
  const { now } = testClock();
  clients = createClientService({ store, now });
  lenient = createClientService({ store, now, allowPrivateJwksUri: true });
});
afterEach(() => store.close());

async function refusal(service: ClientService, input: NewClient): Promise<string> {
  const error = await service.create(input).then(
    () => undefined,
    (e: unknown) => e as { code?: string; message?: string },
  );
  expect(error?.code, JSON.stringify(input).slice(0, 200)).toBe('ERR_CLIENT_INVALID');
  return error!.message!;
}

describe('private_key_jwt registration', () => {
  it('inline jwks: accepted, stored as given, and no secret is made', async () => {
    const { client, clientSecret } = await clients.create({ ...SIGNER, jwks: { keys: [publicJwk] } });
    expect(clientSecret).toBeNull();
    expect(client.secretHash).toBeNull();
    expect((await store.findClient(client.clientId))?.jwks).toEqual({ keys: [publicJwk] });
  });

  it('jwks refused: a private key, a secret, an HMAC alg, an invalid key, empty, duplicate kids', async () => {
    const privateJwk = exportJWK(generateKeyPair('ES256').privateKey, { private: true });
    const octJwk = exportJWK(generateSecret('HS256'), { private: true });
    for (const [keys, pattern] of [
      [[privateJwk], /private members/],
      [[octJwk], /symmetric/],
      [[{ ...publicJwk, alg: 'HS256' }], /alg must be one of/],
      [[{ ...publicJwk, alg: 'none' }], /alg must be one of/],
      [[{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }], /not a valid public signing key/],
      [[], /1 to 20 keys/],
      [[publicJwk, publicJwk], /distinct kids/],
    ] as const) {
      expect(await refusal(clients, { ...SIGNER, jwks: { keys: keys as never } })).toMatch(pattern);
    }
    expect(await refusal(clients, { ...SIGNER, jwks: 'keys' as never })).toMatch(/JWK Set/);
  });

  it('private_key_jwt without keys, and jwks with jwksUri, are refused', async () => {
    expect(await refusal(clients, SIGNER)).toMatch(/needs the public keys/);
    expect(
      await refusal(clients, { ...SIGNER, jwks: { keys: [publicJwk] }, jwksUri: 'https://rp.example/jwks' }),
    ).toMatch(/not both/);
  });

  it('client_secret_jwt is refused with the reason; a public client cannot sign', async () => {
    expect(
      await refusal(clients, { ...SIGNER, tokenEndpointAuthMethod: 'client_secret_jwt' as never }),
    ).toMatch(/stored hashed/);
    expect(
      await refusal(clients, {
        ...SIGNER,
        type: 'public',
        grantTypes: ['authorization_code'],
        jwks: { keys: [publicJwk] },
      }),
    ).toMatch(/public client has no secret/);
  });

  it('jwksUri: a public https URL is accepted', async () => {
    const { client } = await clients.create({
      ...SIGNER,
      jwksUri: 'https://rp.example/.well-known/jwks.json',
    });
    expect(client.jwksUri).toBe('https://rp.example/.well-known/jwks.json');
    expect(client.jwks).toBeNull();
  });

  it.each([
    ['http://rp.example/jwks', /https/],
    ['https://127.0.0.1/jwks', /loopback, private/],
    ['https://127.1/jwks', /loopback, private/],
    ['https://2130706433/jwks', /loopback, private/],
    ['https://169.254.169.254/latest/meta-data/', /loopback, private/],
    ['https://10.0.0.8/jwks', /loopback, private/],
    ['https://192.168.1.1/jwks', /loopback, private/],
    ['https://[::1]/jwks', /loopback, private/],
    ['https://[::ffff:127.0.0.1]/jwks', /loopback, private/],
    ['https://[fd00::1]/jwks', /loopback, private/],
    ['https://0.0.0.0/jwks', /loopback, private/],
    ['https://localhost/jwks', /localhost/],
    ['https://keys.localhost./jwks', /localhost/],
    ['https://user:pw@rp.example/jwks', /userinfo/],
    ['https://rp.example/jwks#k', /fragment/],
    ['jwks.json', /absolute URL/],
  ])('jwksUri %s is refused', async (uri, pattern) => {
    expect(await refusal(clients, { ...SIGNER, jwksUri: uri })).toMatch(pattern);
  });

  it('with jwksUriAllowPrivate, loopback and http are accepted (tests, development)', async () => {
    for (const uri of ['http://127.0.0.1:9/jwks', 'https://169.254.169.254/x', 'http://localhost/jwks']) {
      const { client } = await lenient.create({ ...SIGNER, jwksUri: uri });
      expect(client.jwksUri).toBe(uri);
    }
  });

  it('change: a secret client may move to private_key_jwt with keys, not without', async () => {
    const { client } = await clients.create({ name: 'moving', grantTypes: ['client_credentials'] });
    await expect(
      clients.change(client.clientId, { tokenEndpointAuthMethod: 'private_key_jwt' }),
    ).rejects.toThrow(/needs the public keys/);
    const changed = await clients.change(client.clientId, {
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwksUri: 'https://rp.example/jwks',
    });
    expect(changed.jwksUri).toBe('https://rp.example/jwks');
    await expect(clients.change(client.clientId, { jwks: { keys: [publicJwk] } })).rejects.toThrow(
      /not both/,
    );
    await expect(clients.change(client.clientId, { jwksUri: 'https://169.254.169.254/' })).rejects.toThrow(
      /loopback, private/,
    );
    const inline = await clients.change(client.clientId, { jwksUri: null, jwks: { keys: [publicJwk] } });
    expect(inline.jwks).toEqual({ keys: [publicJwk] });
  });
});
