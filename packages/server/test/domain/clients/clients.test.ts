import { createHash } from 'node:crypto';
import { openTempStore, testClock } from '@sesame/testkit/app';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ClientError,
  type ClientService,
  createClientService,
  type NewClient,
  verifySecret,
} from '../../../src/domain/clients/clients.js';
import type { Store } from '../../../src/store/types.js';

const codeOf = (fn: () => Promise<unknown>) =>
  fn().then(
    () => undefined,
    (error: unknown) => (error as { code?: string }).code,
  );

describe('clients', () => {
  let store: Store;
  let clients: ClientService;
  const clock = testClock();

  beforeEach(async () => {
    store = await openTempStore();
    clients = createClientService({ store, now: clock.now });
  });
  afterEach(() => store.close());

  it('creates a confidential client with a random URL-safe id and a 256-bit secret stored as SHA-256', async () => {
    const { client, clientSecret } = await clients.create({
      name: 'Quiz API',
      grantTypes: ['client_credentials'],
      scopes: ['quiz'],
      audience: ['https://quiz.example'],
    });
    expect(client.clientId).toMatch(/^[0-9a-f]{32}$/);
    expect(clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(clientSecret!, 'base64url')).toHaveLength(32);
    expect(client.secretHash).toBe(createHash('sha256').update(clientSecret!).digest('hex'));
    expect(await clients.find(client.clientId)).toEqual(client);
    expect(JSON.stringify(await store.listClients())).not.toContain(clientSecret);
    const other = await clients.create({ name: 'Other', grantTypes: ['password'] });
    expect(other.client.clientId).not.toBe(client.clientId);
    expect(other.clientSecret).not.toBe(clientSecret);
  });

  it('creates a public client without a secret, with a fixed id when asked', async () => {
    const { client, clientSecret } = await clients.create({
      clientId: 'sesame-docs',
      name: 'API docs',
      type: 'public',
      grantTypes: ['password', 'refresh_token', 'refresh_token'],
    });
    expect(clientSecret).toBeNull();
    expect(client).toMatchObject({ clientId: 'sesame-docs', type: 'public', secretHash: null });
    expect(client.grantTypes).toEqual(['password', 'refresh_token']);
  });

  it('verifies the secret in constant time; wrong, empty, missing and public all fail', async () => {
    const { client, clientSecret } = await clients.create({ name: 'c', grantTypes: ['client_credentials'] });
    expect(verifySecret(client, clientSecret)).toBe(true);
    expect(verifySecret(client, `${clientSecret}x`)).toBe(false);
    expect(verifySecret(client, clientSecret!.slice(0, -1))).toBe(false);
    expect(verifySecret(client, '')).toBe(false);
    expect(verifySecret(client, undefined)).toBe(false);
    expect(verifySecret(client, client.secretHash)).toBe(false); // the hash is not the secret
    expect(verifySecret({ secretHash: null }, '')).toBe(false);
    expect(verifySecret({ secretHash: null }, 'anything')).toBe(false);
    expect(verifySecret({ secretHash: 'not-hex' }, 'anything')).toBe(false);
  });

  it.each<[Partial<NewClient>, string]>([
    [{ grantTypes: [] }, 'no grant'],
    [{ grantTypes: ['implicit'] }, 'unknown grant'],
    [{ grantTypes: ['client_credentials'], type: 'public' as const }, 'public client_credentials'],
    [{ scopes: ['a b'] }, 'scope with a space'],
    [{ scopes: ['"q"'] }, 'scope with a quote'],
    [{ redirectUris: ['/relative/cb'] }, 'relative redirect URI'],
    [{ redirectUris: ['https://app.example/cb#frag'] }, 'redirect URI with a fragment'],
    [{ redirectUris: ['not a url'] }, 'not a URL'],
    [{ audience: [''] }, 'empty audience'],
    [{ name: '' }, 'empty name'],
    [{ name: 'bad\nname' }, 'control character in name'],
    [{ clientId: 'has space' }, 'client id not URL-safe'],
    [{ type: 'other' as 'public' }, 'unknown type'],
  ])('refuses %j (%s)', async (change) => {
    const input = { name: 'c', grantTypes: ['password'], ...change };
    expect(await codeOf(() => clients.create(input))).toBe('ERR_CLIENT_INVALID');
    expect(await clients.list()).toEqual([]);
  });

  it('accepts extension grants as absolute URIs and native-app redirect schemes', async () => {
    const { client } = await clients.create({
      name: 'native',
      type: 'public',
      grantTypes: ['urn:ietf:params:oauth:grant-type:device_code'],
      redirectUris: ['com.example.app:/oauth2redirect', 'http://127.0.0.1:7000/cb'],
    });
    expect(client.redirectUris).toHaveLength(2);
  });

  it('lists and removes clients; removing an unknown one is ERR_CLIENT_NOT_FOUND', async () => {
    const a = await clients.create({ name: 'a', grantTypes: ['password'] });
    clock.advance(1);
    const b = await clients.create({ name: 'b', grantTypes: ['password'] });
    expect((await clients.list()).map((c) => c.name)).toEqual(['a', 'b']);
    await clients.remove(a.client.clientId);
    expect(await clients.find(a.client.clientId)).toBeUndefined();
    expect((await clients.list()).map((c) => c.clientId)).toEqual([b.client.clientId]);
    const error = await clients.remove('nobody').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).code).toBe('ERR_CLIENT_NOT_FOUND');
  });

  it('refuses a duplicate fixed id', async () => {
    await clients.create({ clientId: 'fixed', name: 'a', grantTypes: ['password'] });
    expect(
      await codeOf(() => clients.create({ clientId: 'fixed', name: 'b', grantTypes: ['password'] })),
    ).toBe('ERR_STORE_DUPLICATE');
  });
});
