/**
 * The OpenID Connect registration fields of a client (Registration 1.0 §2): their defaults, every
 * refusal naming its field, and the `change` step that audits the names of what it changed.
 */
import { openTempStore, testClock } from '@sesame/testkit/app';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ClientService,
  createClientService,
  type NewClient,
} from '../../../src/domain/clients/clients.js';
import type { Store } from '../../../src/store/types.js';
import { type DomainFixture, openDomainFixture } from '../fixture.js';

const CODE_FLOW: NewClient = {
  name: 'rp',
  grantTypes: ['authorization_code'],
  redirectUris: ['https://rp.example/cb'],
};

/** [what, the client's fields, the refusal's pattern] */
const REFUSED: Array<[string, Partial<NewClient>, RegExp]> = [
  [
    'a post-logout URI with javascript:',
    { postLogoutRedirectUris: ['javascript:alert(1)'] },
    /^postLogoutRedirectUris: 'javascript:alert\(1\)' refused: the scheme javascript:/,
  ],
  [
    'a post-logout URI over plain http',
    { postLogoutRedirectUris: ['http://rp.example/bye'] },
    /^postLogoutRedirectUris: .*loopback/,
  ],
  [
    'a post-logout URI with a fragment',
    { postLogoutRedirectUris: ['https://rp.example/bye#x'] },
    /^postLogoutRedirectUris: .*fragment/,
  ],
  [
    'post-logout URIs not a list',
    { postLogoutRedirectUris: 'https://rp.example/bye' as never },
    /^postLogoutRedirectUris must be a list/,
  ],
  [
    'a back-channel URI over plain http',
    { backchannelLogoutUri: 'http://rp.example/logout' },
    /^backchannelLogoutUri: .*loopback/,
  ],
  [
    'a back-channel URI with a fragment',
    { backchannelLogoutUri: 'https://rp.example/logout#f' },
    /^backchannelLogoutUri: .*fragment/,
  ],
  [
    'a back-channel URI of a private scheme',
    { backchannelLogoutUri: 'com.example.app:/logout' },
    /^backchannelLogoutUri: .*https URL/,
  ],
  ['a relative back-channel URI', { backchannelLogoutUri: '/logout' }, /^backchannelLogoutUri: .*absolute/],
  [
    'a back-channel URI not a string',
    { backchannelLogoutUri: 42 as never },
    /^backchannelLogoutUri must be a string/,
  ],
  [
    'an algorithm the server does not sign with',
    { idTokenSignedResponseAlg: 'RS256' },
    /^idTokenSignedResponseAlg: 'RS256' is not an algorithm this server signs with; valid: ES256/,
  ],
  ['alg none', { idTokenSignedResponseAlg: 'none' }, /^idTokenSignedResponseAlg: 'none'/],
  [
    'an unknown auth method',
    { tokenEndpointAuthMethod: 'tls_client_auth' as never },
    /^tokenEndpointAuthMethod: 'tls_client_auth' is not a method/,
  ],
  [
    'a confidential client with none',
    { tokenEndpointAuthMethod: 'none' },
    /^tokenEndpointAuthMethod: a confidential client authenticates with/,
  ],
  [
    'a public client with a secret method',
    { type: 'public', tokenEndpointAuthMethod: 'client_secret_basic' },
    /^tokenEndpointAuthMethod: a public client has no secret/,
  ],
  [
    'a public client without PKCE',
    { type: 'public', requirePkce: false },
    /^requirePkce: a public client always needs PKCE/,
  ],
  ['requirePkce not a boolean', { requirePkce: 'false' as never }, /^requirePkce must be true or false/],
  ['a pairwise subject', { subjectType: 'pairwise' as never }, /^subjectType: only public is supported/],
];

describe('client registration fields', () => {
  let store: Store;
  let clients: ClientService;
  beforeEach(async () => {
    store = await openTempStore();
    clients = createClientService({ store, now: testClock().now, signingAlgorithms: ['ES256'] });
  });
  afterEach(() => store.close());

  it('defaults: no logout URIs, the server algorithm, PKCE required, public subjects; none for a public client', async () => {
    const { client } = await clients.create(CODE_FLOW);
    expect(client).toMatchObject({
      postLogoutRedirectUris: [],
      backchannelLogoutUri: null,
      idTokenSignedResponseAlg: null,
      tokenEndpointAuthMethod: null,
      requirePkce: true,
      subjectType: 'public',
    });
    const pub = await clients.create({ ...CODE_FLOW, type: 'public' });
    expect(pub.client).toMatchObject({ tokenEndpointAuthMethod: 'none', requirePkce: true });
    expect(await store.findClient(pub.client.clientId)).toEqual(pub.client);
  });

  it('stores every field given, and reads them back from the store', async () => {
    const { client } = await clients.create({
      ...CODE_FLOW,
      postLogoutRedirectUris: ['https://rp.example/bye', 'http://127.0.0.1:3000/bye'],
      backchannelLogoutUri: 'http://localhost:3000/logout?rp=1',
      idTokenSignedResponseAlg: 'ES256',
      tokenEndpointAuthMethod: 'client_secret_post',
      requirePkce: false,
      subjectType: 'public',
    });
    expect(await store.findClient(client.clientId)).toEqual(client);
    expect(client).toMatchObject({
      postLogoutRedirectUris: ['https://rp.example/bye', 'http://127.0.0.1:3000/bye'],
      backchannelLogoutUri: 'http://localhost:3000/logout?rp=1',
      idTokenSignedResponseAlg: 'ES256',
      tokenEndpointAuthMethod: 'client_secret_post',
      requirePkce: false,
    });
  });

  it.each(REFUSED)('refuses %s, naming the field; nothing is stored', async (_what, fields, pattern) => {
    const error = await clients.create({ ...CODE_FLOW, ...fields }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ClientError', code: 'ERR_CLIENT_INVALID' });
    expect((error as Error).message).toMatch(pattern);
    expect(await store.listClients()).toEqual([]);
  });

  it('change validates against the client type, clears with null, and leaves the rest alone', async () => {
    const { client } = await clients.create({
      ...CODE_FLOW,
      tokenEndpointAuthMethod: 'client_secret_basic',
      backchannelLogoutUri: 'https://rp.example/logout',
    });
    const changed = await clients.change(client.clientId, { requirePkce: false, backchannelLogoutUri: null });
    expect(changed).toMatchObject({
      requirePkce: false,
      backchannelLogoutUri: null,
      tokenEndpointAuthMethod: 'client_secret_basic',
      redirectUris: ['https://rp.example/cb'],
    });
    const pub = await clients.create({ ...CODE_FLOW, type: 'public' });
    await expect(clients.change(pub.client.clientId, { requirePkce: false })).rejects.toThrow(
      /^requirePkce: a public client always needs PKCE/,
    );
    await expect(
      clients.change(pub.client.clientId, { tokenEndpointAuthMethod: null }),
    ).resolves.toMatchObject({
      tokenEndpointAuthMethod: 'none',
    });
    await expect(clients.change('nobody', { requirePkce: true })).rejects.toMatchObject({
      code: 'ERR_CLIENT_NOT_FOUND',
    });
  });

  it('a change counts at once, even for a client find remembered', async () => {
    const { client } = await clients.create(CODE_FLOW);
    expect((await clients.find(client.clientId))?.requirePkce).toBe(true);
    await clients.change(client.clientId, { requirePkce: false });
    expect((await clients.find(client.clientId))?.requirePkce).toBe(false);
  });
});

describe('the change step', () => {
  let f: DomainFixture;
  beforeEach(async () => {
    f = await openDomainFixture();
  });
  afterEach(() => f.close());

  it('audits the names of the fields changed (and the new permission list); a refusal is not audited', async () => {
    const { client } = await f.services.clients.create(CODE_FLOW, 'admin-1');
    await f.services.clients.change(
      client.clientId,
      { requirePkce: false, postLogoutRedirectUris: ['https://rp.example/bye'], permissions: ['introspect'] },
      'admin-1',
    );
    await expect(
      f.services.clients.change(client.clientId, { idTokenSignedResponseAlg: 'HS512' }, 'admin-1'),
    ).rejects.toThrow(/idTokenSignedResponseAlg/);
    const events = await f.audits('admin.client.changed');
    expect(events.map((event) => [event.actor, event.subject, event.details])).toEqual([
      [
        'admin-1',
        client.clientId,
        { changed: ['requirePkce', 'postLogoutRedirectUris', 'permissions'], permissions: ['introspect'] },
      ],
    ]);
  });
});

describe("the ID token algorithms a client may register: the server's keyring", () => {
  it.each([
    [{}, ['ES256', 'RS256'], 'PS256'],
    [{ algorithm: 'EdDSA' }, ['EdDSA', 'RS256'], 'ES256'],
    [{ tokenProfile: 'classic', hmacSecret: 'the-classic-shared-secret-32-bytes-long!' }, ['HS256'], 'RS256'],
  ])('with %j: %j, and %s is refused', async (values, valid, refused) => {
    const f = await openDomainFixture(values);
    try {
      for (const alg of valid) {
        const { client } = await f.services.clients.create(
          { ...CODE_FLOW, idTokenSignedResponseAlg: alg },
          'cli',
        );
        expect(client.idTokenSignedResponseAlg).toBe(alg);
      }
      const error = await f.services.clients
        .create({ ...CODE_FLOW, idTokenSignedResponseAlg: refused }, 'cli')
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ERR_CLIENT_INVALID' });
      expect((error as Error).message).toBe(
        `idTokenSignedResponseAlg: '${refused}' is not an algorithm this server signs with; valid: ${valid.join(', ')}`,
      );
    } finally {
      await f.close();
    }
  });
});
