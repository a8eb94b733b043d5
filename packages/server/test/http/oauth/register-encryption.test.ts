/**
 * Dynamic client registration (RFC 7591) of encrypted responses (OpenID Connect Registration §2):
 * `id_token_encrypted_response_alg`/`_enc` and the `userinfo_` fields are kept and answered back,
 * under the same rules as an administrator's registration, refused as `invalid_client_metadata`
 * in RFC 7591's words when they cannot be honoured.
 */
import { createTestApp, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EncryptionKey, encryptionKey } from '../../helpers/encryption-keys.js';

let t: TestApp;
let key: EncryptionKey;
beforeAll(async () => {
  t = await createTestApp({ registration: 'open' });
  key = await encryptionKey('RSA-OAEP-256', 'dyn-enc');
});
afterAll(() => t.close());

const WEB = { redirect_uris: ['https://rp.example.com/callback'], client_name: 'RP' };

const register = (body: unknown) =>
  t.app.inject({
    method: 'POST',
    url: '/oauth/register',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

describe('dynamic registration of encrypted responses', () => {
  it('keeps the fields, enc defaulting to A128CBC-HS256, and answers them back', async () => {
    const response = await register({
      ...WEB,
      jwks: { keys: [key.jwk] },
      id_token_encrypted_response_alg: 'RSA-OAEP-256',
      userinfo_signed_response_alg: 'RS256',
      userinfo_encrypted_response_alg: 'RSA-OAEP',
      userinfo_encrypted_response_enc: 'A256GCM',
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({
      id_token_encrypted_response_alg: 'RSA-OAEP-256',
      id_token_encrypted_response_enc: 'A128CBC-HS256',
      userinfo_signed_response_alg: 'RS256',
      userinfo_encrypted_response_alg: 'RSA-OAEP',
      userinfo_encrypted_response_enc: 'A256GCM',
    });
    const plain = await register(WEB);
    expect(plain.json()).not.toHaveProperty('id_token_encrypted_response_alg');
  });

  it.each([
    ['no keys', { id_token_encrypted_response_alg: 'RSA-OAEP' }, /needs the client's public keys/],
    ['RSA1_5', { jwks: { keys: [] }, id_token_encrypted_response_alg: 'RSA1_5' }, /./],
    [
      'an enc without alg',
      { userinfo_encrypted_response_enc: 'A128GCM' },
      /userinfo_encrypted_response_enc needs userinfo_encrypted_response_alg/,
    ],
    [
      'a dir alg',
      { id_token_encrypted_response_alg: 'dir' },
      /id_token_encrypted_response_alg.*is not offered/,
    ],
  ] as const)('refuses %s as invalid_client_metadata', async (_name, fields, description) => {
    const response = await register({ ...WEB, ...fields });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error).toBe('invalid_client_metadata');
    expect(response.json().error_description).toMatch(description);
  });
});
