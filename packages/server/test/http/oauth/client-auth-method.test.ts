/**
 * token_endpoint_auth_method enforced (RFC 6749 §2.3.1, RFC 7591 §2): a client registered for
 * client_secret_basic is refused invalid_client when it sends its secret in the body, and one
 * registered for client_secret_post when it uses Basic; at the token, revocation and introspection
 * endpoints alike. A client registered for neither may use either.
 */
import { formatBasicCredentials } from '@sesame/protocol';
import { createTestApp, postForm, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenEndpointAuthMethod } from '../../../src/store/types.js';

let t: TestApp;
const secrets: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  for (const method of ['client_secret_basic', 'client_secret_post', null] as const) {
    const clientId = method ?? 'either';
    const made = await t.services.clients.create(
      {
        name: clientId,
        clientId,
        grantTypes: ['client_credentials'],
        scopes: ['quiz'],
        permissions: ['introspect'],
        tokenEndpointAuthMethod: method as TokenEndpointAuthMethod | null,
      },
      'test',
    );
    secrets[clientId] = made.clientSecret!;
  }
});
afterAll(() => t.close());

const ENDPOINTS: Array<[string, Record<string, string>]> = [
  ['/oauth/token', { grant_type: 'client_credentials' }],
  ['/oauth/revoke', { token: 'not-a-token' }],
  ['/oauth/introspect', { token: 'not-a-token' }],
];

function send(url: string, fields: Record<string, string>, clientId: string, how: 'basic' | 'post') {
  const secret = secrets[clientId]!;
  return how === 'basic'
    ? postForm(t.app, url, fields, { authorization: formatBasicCredentials(clientId, secret) })
    : postForm(t.app, url, { ...fields, client_id: clientId, client_secret: secret });
}

describe('token_endpoint_auth_method', () => {
  it.each(ENDPOINTS)(
    '%s: each registered method is accepted and the other refused invalid_client',
    async (url, fields) => {
      for (const [clientId, good, bad] of [
        ['client_secret_basic', 'basic', 'post'],
        ['client_secret_post', 'post', 'basic'],
      ] as const) {
        const accepted = await send(url, fields, clientId, good);
        expect(accepted.statusCode, `${clientId} ${good}: ${accepted.body}`).toBe(200);
        const refused = await send(url, fields, clientId, bad);
        expect(refused.statusCode, `${clientId} ${bad}`).toBe(401);
        expect(refused.json()).toEqual({
          error: 'invalid_client',
          error_description: `the client is registered for ${clientId}`,
        });
      }
    },
  );

  it('a confidential client registered for neither may use either', async () => {
    for (const how of ['basic', 'post'] as const) {
      const response = await send('/oauth/token', { grant_type: 'client_credentials' }, 'either', how);
      expect(response.statusCode, how).toBe(200);
    }
  });

  it('a change of method counts at once', async () => {
    await t.services.clients.change('either', { tokenEndpointAuthMethod: 'client_secret_basic' }, 'test');
    const post = await send('/oauth/token', { grant_type: 'client_credentials' }, 'either', 'post');
    expect(post.statusCode).toBe(401);
    await t.services.clients.change('either', { tokenEndpointAuthMethod: null }, 'test');
  });
});
