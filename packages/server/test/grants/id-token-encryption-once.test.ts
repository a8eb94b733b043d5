/**
 * The ID token's encryption is looked up once per token request: the code exchange and the refresh
 * read it before spending the code or rotating the refresh token (so a jwks_uri that cannot be read
 * costs the client nothing) and hand what they read to issueTokens, which does not read it again.
 * A caller of issueTokenResponse that hands nothing over still gets it read, so an ID token is never
 * sent in the clear to a client that asked for it encrypted.
 */
import { createTestApp, PageClient, type TestApp } from '@sesame/testkit/app';
import type { FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResponseEncryption } from '../../src/domain/clients/response-encryption.js';
import type { Services } from '../../src/domain/services.js';
import { authorizationCodeGrant } from '../../src/grants/authorization-code.js';
import { issueTokenResponse } from '../../src/grants/issue.js';
import { refreshTokenGrant } from '../../src/grants/refresh-token.js';
import { authorize, REDIRECT } from '../helpers/code-flow.js';
import { encryptionKey } from '../helpers/encryption-keys.js';

let t: TestApp;
afterEach(() => t.close());

/** The app's services with their ID token encryption lookups counted. */
function counted(services: Services): { services: Services; readonly lookups: number } {
  const real = services.responseEncryption;
  const result = { services, lookups: 0 };
  const counting: ResponseEncryption = {
    encrypterFor(client, response) {
      if (response === 'id_token') result.lookups++;
      return real.encrypterFor(client, response);
    },
  };
  result.services = { ...services, responseEncryption: counting };
  return result;
}

/** What the token endpoint hands a grant, after it authenticated the client. */
async function context(services: Services, clientId: string, params: Record<string, string>) {
  const client = (await t.services.clients.find(clientId))!;
  return { client, params, services, request: { ip: '127.0.0.1' } as FastifyRequest, dpop: undefined };
}

/** The code exchange, straight through the grant module. */
async function redeemWith(services: Services, clientId: string, grant: { code: string; verifier: string }) {
  return authorizationCodeGrant.handle(
    await context(services, clientId, {
      code: grant.code,
      code_verifier: grant.verifier,
      redirect_uri: REDIRECT,
    }),
  );
}

async function codeClient(id: string, fields: Record<string, unknown> = {}): Promise<void> {
  await t.services.clients.create(
    {
      name: `the ${id} app`,
      clientId: id,
      type: 'confidential',
      grantTypes: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'quiz'],
      redirectUris: [REDIRECT],
      ...fields,
    },
    'test',
  );
}

describe("the ID token's encryption, looked up once per token request", () => {
  it('the code exchange and the refresh with openid: one lookup each', async () => {
    t = await createTestApp();
    await codeClient('web-once');
    const grant = await authorize(new PageClient(t.app), 'web-once');
    const count = counted(t.services);
    const tokens = await redeemWith(count.services, 'web-once', grant);
    expect(tokens.id_token?.split('.')).toHaveLength(3);
    expect(count.lookups).toBe(1);
    const refreshed = await refreshTokenGrant.handle(
      await context(count.services, 'web-once', { refresh_token: tokens.refresh_token! }),
    );
    expect(refreshed.id_token?.split('.')).toHaveLength(3);
    expect(count.lookups).toBe(2);
  });

  it('an encrypting client: one lookup, and the ID token is encrypted with what it found', async () => {
    t = await createTestApp();
    const key = await encryptionKey('RSA-OAEP-256', 'enc-1');
    await codeClient('web-enc-once', {
      jwks: { keys: [key.jwk] },
      idTokenEncryptedResponseAlg: 'RSA-OAEP-256',
    });
    const grant = await authorize(new PageClient(t.app), 'web-enc-once');
    const count = counted(t.services);
    const tokens = await redeemWith(count.services, 'web-enc-once', grant);
    expect(tokens.id_token?.split('.')).toHaveLength(5);
    expect(count.lookups).toBe(1);
  });

  it('issueTokenResponse given an identity without its encryption looks it up itself', async () => {
    t = await createTestApp();
    const key = await encryptionKey('RSA-OAEP-256', 'enc-2');
    await codeClient('web-outside', {
      jwks: { keys: [key.jwk] },
      idTokenEncryptedResponseAlg: 'RSA-OAEP-256',
    });
    const client = (await t.services.clients.find('web-outside'))!;
    const count = counted(t.services);
    const response = await issueTokenResponse(count.services, {
      client,
      grantType: 'authorization_code',
      subject: 'someone',
      scopes: ['openid'],
      identity: { authTime: null },
    });
    expect(response.id_token?.split('.')).toHaveLength(5);
    expect(count.lookups).toBe(1);
  });
});
