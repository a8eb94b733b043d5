/**
 * The invite grant, added from outside the package through @sesame/server's public exports only:
 * a token is issued through it by the real token endpoint (app.inject), and every refusal is seen.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, DEFAULT_GRANTS, loadConfig, openStore, type Store } from '@sesame/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInviteBook, INVITE_GRANT_TYPE, inviteGrant } from '../src/invite-grant.js';

const dir = mkdtempSync(join(tmpdir(), 'sesame-custom-grant-'));
const book = createInviteBook();
let app: Awaited<ReturnType<typeof buildApp>>;
let store: Store;
let aliceId: string;
let client: { id: string; secret: string };
let other: { id: string; secret: string };

beforeAll(async () => {
  const config = loadConfig({ values: { dataDir: dir, logLevel: 'silent' } });
  store = await openStore(config);
  app = await buildApp({ config, store, logger: false, grants: [...DEFAULT_GRANTS, inviteGrant(book)] });
  const alice = await app.sesame.users.create(
    {
      username: 'alice',
      password: 'a long password 1',
      scopes: ['openid', 'quiz'],
    },
    'test',
  );
  aliceId = alice.id;
  await app.sesame.users.create({ username: 'bob', password: 'a long password 2', scopes: ['quiz'] }, 'test');
  const made = await app.sesame.clients.create(
    {
      name: 'invites app',
      grantTypes: [INVITE_GRANT_TYPE],
      scopes: ['openid', 'quiz'],
      redirectUris: [],
    },
    'test',
  );
  client = { id: made.client.clientId, secret: made.clientSecret! };
  const plain = await app.sesame.clients.create(
    {
      name: 'machine',
      grantTypes: ['client_credentials'],
      scopes: [],
      redirectUris: [],
    },
    'test',
  );
  other = { id: plain.client.clientId, secret: plain.clientSecret! };
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function token(fields: Record<string, string>, as = client) {
  return app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${as.id}:${as.secret}`).toString('base64')}`,
    },
    payload: new URLSearchParams(fields).toString(),
  });
}

describe('a grant added from outside @sesame/server', () => {
  it('issues a token for the invited user, once per invite', async () => {
    const code = book.invite('alice');
    const response = await token({ grant_type: INVITE_GRANT_TYPE, invite: code, scope: 'quiz' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'quiz' });
    expect(body.refresh_token).toBeUndefined();
    const claims = app.sesame.accessTokens.verify(body.access_token);
    expect(claims).toMatchObject({ sub: aliceId, client_id: client.id, scopes: ['quiz'], username: 'alice' });

    // The same code again: spent.
    const again = await token({ grant_type: INVITE_GRANT_TYPE, invite: code });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('answers to its alias and is listed in the metadata', async () => {
    const response = await token({ grant_type: 'invite', invite: book.invite('alice') });
    expect(response.statusCode).toBe(200);
    expect(response.json().scope).toBe('openid quiz');
    const metadata = await app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' });
    expect(metadata.json().grant_types_supported).toContain(INVITE_GRANT_TYPE);
  });

  it('refuses an unknown code, a disabled user, a scope beyond the grant and a missing invite', async () => {
    const unknown = await token({ grant_type: INVITE_GRANT_TYPE, invite: 'not-a-code' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ error: 'invalid_grant' });

    const bob = (await app.sesame.users.find({ username: 'bob' }))!;
    const bobsCode = book.invite('bob');
    await app.sesame.users.change(bob, { disabled: true }, 'test');
    const disabled = await token({ grant_type: INVITE_GRANT_TYPE, invite: bobsCode });
    expect(disabled.statusCode).toBe(400);
    expect(disabled.json()).toMatchObject({ error: 'invalid_grant' });

    const tooMuch = await token({
      grant_type: INVITE_GRANT_TYPE,
      invite: book.invite('alice'),
      scope: 'quiz admin',
    });
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.json()).toMatchObject({ error: 'invalid_scope' });

    const missing = await token({ grant_type: INVITE_GRANT_TYPE });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('is refused to a client that does not list it', async () => {
    const response = await token({ grant_type: INVITE_GRANT_TYPE, invite: book.invite('alice') }, other);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'unauthorized_client' });
  });

  it('is unknown to an app built with the default grants only', async () => {
    const config = loadConfig({ values: { dataDir: dir, logLevel: 'silent' } });
    const plain = await buildApp({ config, store, logger: false });
    try {
      const response = await plain.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: {
          authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
        },
        payload: { grant_type: INVITE_GRANT_TYPE, invite: book.invite('alice') },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'unsupported_grant_type' });
    } finally {
      await plain.close();
    }
  });
});
