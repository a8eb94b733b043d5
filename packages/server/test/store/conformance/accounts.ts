import { describe, expect, it } from 'vitest';
import { aClient, aUser, type ConformanceContext, codeOf, hash, T0 } from './fixtures.js';

export function accountsConformance(ctx: ConformanceContext): void {
  describe('users', () => {
    it('creates a user and finds it by id and by name, case-insensitively', async () => {
      const user = aUser({ username: 'Alice', scopes: ['admin'], disabled: false });
      await ctx.store.createUser(user);
      expect(await ctx.store.findUserById(user.id)).toEqual(user);
      expect(await ctx.store.findUserByName('alice')).toEqual(user);
      expect(await ctx.store.findUserByName('ALICE')).toEqual(user);
      expect((await ctx.store.findUserByName('ALICE'))?.username).toBe('Alice');
    });

    it('refuses a duplicate username case-insensitively, and a duplicate id', async () => {
      const user = aUser({ username: 'Bob' });
      await ctx.store.createUser(user);
      expect(await codeOf(ctx.store.createUser(aUser({ username: 'bOB' })))).toBe('ERR_STORE_DUPLICATE');
      expect(await codeOf(ctx.store.createUser(aUser({ id: user.id })))).toBe('ERR_STORE_DUPLICATE');
      expect(await ctx.store.countUsers()).toBe(1);
    });

    it('answers undefined for unknown ids and names', async () => {
      expect(await ctx.store.findUserById('nobody')).toBeUndefined();
      expect(await ctx.store.findUserByName('nobody')).toBeUndefined();
    });

    it('lists in creation order with limit and offset, and counts', async () => {
      const users = [aUser({ createdAt: T0 + 2 }), aUser({ createdAt: T0 }), aUser({ createdAt: T0 + 1 })];
      for (const user of users) await ctx.store.createUser(user);
      const ids = (await ctx.store.listUsers()).map((u) => u.id);
      expect(ids).toEqual([users[1]!.id, users[2]!.id, users[0]!.id]);
      expect((await ctx.store.listUsers({ limit: 1, offset: 1 })).map((u) => u.id)).toEqual([users[2]!.id]);
      expect(await ctx.store.countUsers()).toBe(3);
    });

    it('updates only the fields given, and answers false for an unknown id', async () => {
      const user = aUser();
      await ctx.store.createUser(user);
      expect(await ctx.store.updateUser(user.id, { disabled: true, updatedAt: T0 + 5 })).toBe(true);
      expect(await ctx.store.findUserById(user.id)).toEqual({ ...user, disabled: true, updatedAt: T0 + 5 });
      expect(await ctx.store.updateUser(user.id, { passwordHash: 'h2', scopes: [], updatedAt: T0 + 6 })).toBe(
        true,
      );
      expect(await ctx.store.findUserById(user.id)).toMatchObject({
        passwordHash: 'h2',
        scopes: [],
        disabled: true,
      });
      expect(await ctx.store.updateUser('nobody', { disabled: true, updatedAt: T0 })).toBe(false);
    });

    it('keeps the profile claims as written, nested address and booleans included', async () => {
      const profile = {
        name: 'Zoë Ünal',
        email: 'zoe@example.com',
        email_verified: true,
        phone_number_verified: false,
        address: { street_address: '1 Rue de la Paix\nBâtiment B', country: 'FR' },
        updated_at: 1_700_000_000,
      };
      const user = aUser({ profile });
      await ctx.store.createUser(user);
      expect((await ctx.store.findUserById(user.id))?.profile).toEqual(profile);
      expect((await ctx.store.listUsers()).find((u) => u.id === user.id)?.profile).toEqual(profile);
      const next = { name: 'Zoë', updated_at: 1_700_000_100 };
      expect(await ctx.store.updateUser(user.id, { profile: next, updatedAt: T0 + 7 })).toBe(true);
      expect(await ctx.store.findUserByName(user.username)).toEqual({
        ...user,
        profile: next,
        updatedAt: T0 + 7,
      });
      // Another change leaves the profile alone.
      await ctx.store.updateUser(user.id, { disabled: true, updatedAt: T0 + 8 });
      expect((await ctx.store.findUserById(user.id))?.profile).toEqual(next);
    });
  });

  describe('clients', () => {
    it('creates, finds and lists clients with their lists intact', async () => {
      const confidential = aClient({ createdAt: T0 + 1 });
      const pub = aClient({
        type: 'public',
        secretHash: null,
        redirectUris: [],
        audience: [],
        permissions: [],
        postLogoutRedirectUris: [],
        backchannelLogoutUri: null,
        tokenEndpointAuthMethod: 'none',
        requirePkce: true,
        createdAt: T0,
      });
      await ctx.store.createClient(confidential);
      await ctx.store.createClient(pub);
      expect(await ctx.store.findClient(confidential.clientId)).toEqual(confidential);
      expect(await ctx.store.findClient(pub.clientId)).toEqual(pub);
      expect(await ctx.store.listClients()).toEqual([pub, confidential]);
      const signing = aClient({
        secretHash: null,
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwks: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'AQ', kid: 'a"b' }] },
        jwksUri: null,
      });
      await ctx.store.createClient(signing);
      expect(await ctx.store.findClient(signing.clientId)).toEqual(signing);
    });

    it('refuses a duplicate client id and answers undefined for an unknown one', async () => {
      const client = aClient();
      await ctx.store.createClient(client);
      expect(await codeOf(ctx.store.createClient(aClient({ clientId: client.clientId })))).toBe(
        'ERR_STORE_DUPLICATE',
      );
      expect(await ctx.store.findClient('nobody')).toBeUndefined();
    });

    it('updates and removes clients; unknown ids answer false', async () => {
      const client = aClient();
      await ctx.store.createClient(client);
      const changes = { name: 'Renamed', scopes: ['a', 'b'], secretHash: hash('new'), updatedAt: T0 + 9 };
      expect(await ctx.store.updateClient(client.clientId, changes)).toBe(true);
      expect(await ctx.store.findClient(client.clientId)).toEqual({ ...client, ...changes });
      const permitted = { permissions: ['introspect', 'revocations'], updatedAt: T0 + 10 };
      expect(await ctx.store.updateClient(client.clientId, permitted)).toBe(true);
      expect(await ctx.store.findClient(client.clientId)).toEqual({ ...client, ...changes, ...permitted });
      // The registration fields, null included: null clears, only undefined leaves a field alone.
      const registration = {
        postLogoutRedirectUris: ['https://app.example/a', 'https://app.example/b'],
        backchannelLogoutUri: null,
        idTokenSignedResponseAlg: 'ES256',
        tokenEndpointAuthMethod: null,
        requirePkce: true,
        dpopBoundAccessTokens: true,
        requirePushedAuthorizationRequests: true,
        updatedAt: T0 + 11,
      };
      expect(await ctx.store.updateClient(client.clientId, registration)).toBe(true);
      expect(await ctx.store.findClient(client.clientId)).toEqual({
        ...client,
        ...changes,
        ...permitted,
        ...registration,
      });
      // The keys of a private_key_jwt client (013): a JWK Set kept as given, a URL, and null clearing.
      const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'eA', y: 'eQ', kid: 'k1', use: 'sig' }] };
      const keyed = { tokenEndpointAuthMethod: 'private_key_jwt' as const, jwks, updatedAt: T0 + 12 };
      expect(await ctx.store.updateClient(client.clientId, keyed)).toBe(true);
      const before = { ...client, ...changes, ...permitted, ...registration };
      expect(await ctx.store.findClient(client.clientId)).toEqual({ ...before, ...keyed });
      const uri = { jwks: null, jwksUri: 'https://app.example/jwks.json', updatedAt: T0 + 13 };
      expect(await ctx.store.updateClient(client.clientId, uri)).toBe(true);
      expect(await ctx.store.findClient(client.clientId)).toEqual({ ...before, ...keyed, ...uri });
      // Response signing and encryption (017): set, then cleared with null.
      const encrypted = {
        idTokenEncryptedResponseAlg: 'RSA-OAEP-256',
        idTokenEncryptedResponseEnc: 'A256GCM',
        userinfoSignedResponseAlg: 'RS256',
        userinfoEncryptedResponseAlg: 'ECDH-ES',
        userinfoEncryptedResponseEnc: 'A128CBC-HS256',
        updatedAt: T0 + 14,
      };
      expect(await ctx.store.updateClient(client.clientId, encrypted)).toBe(true);
      const keyedAtUri = { ...before, ...keyed, ...uri };
      expect(await ctx.store.findClient(client.clientId)).toEqual({ ...keyedAtUri, ...encrypted });
      const plain = {
        idTokenEncryptedResponseAlg: null,
        userinfoSignedResponseAlg: null,
        updatedAt: T0 + 15,
      };
      expect(await ctx.store.updateClient(client.clientId, plain)).toBe(true);
      expect(await ctx.store.findClient(client.clientId)).toEqual({ ...keyedAtUri, ...encrypted, ...plain });
      expect(await ctx.store.updateClient('nobody', { name: 'x', updatedAt: T0 })).toBe(false);
      expect(await ctx.store.deleteClient(client.clientId)).toBe(true);
      expect(await ctx.store.deleteClient(client.clientId)).toBe(false);
      expect(await ctx.store.findClient(client.clientId)).toBeUndefined();
    });
  });
}
