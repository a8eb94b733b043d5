/** Users and clients: plain rows, the only rule being case-insensitive username uniqueness. */
import type { Client, Store, User } from '../types.js';
import { insertUnique, type SqlContext } from './context.js';
import { num, toClient, toUser, usernameKey } from './rows.js';

type AccountMethods = Pick<
  Store,
  | 'createUser'
  | 'findUserById'
  | 'findUserByName'
  | 'listUsers'
  | 'updateUser'
  | 'countUsers'
  | 'createClient'
  | 'findClient'
  | 'listClients'
  | 'updateClient'
  | 'deleteClient'
>;

export function accountQueries({ db, write }: SqlContext): AccountMethods {
  return {
    async createUser(user: User) {
      await insertUnique('a user with this name', () =>
        write((trx) =>
          trx
            .insertInto('users')
            .values({
              id: user.id,
              username: user.username,
              username_key: usernameKey(user.username),
              password_hash: user.passwordHash,
              scopes: JSON.stringify(user.scopes),
              disabled: user.disabled ? 1 : 0,
              profile: JSON.stringify(user.profile),
              created_at: user.createdAt,
              updated_at: user.updatedAt,
            })
            .execute(),
        ),
      );
    },
    async findUserById(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },
    async findUserByName(username) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('username_key', '=', usernameKey(username))
        .executeTakeFirst();
      return row && toUser(row);
    },
    async listUsers(options = {}) {
      const rows = await db
        .selectFrom('users')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .limit(options.limit ?? 1000)
        .offset(options.offset ?? 0)
        .execute();
      return rows.map(toUser);
    },
    async updateUser(id, changes) {
      const set: Record<string, unknown> = { updated_at: changes.updatedAt };
      if (changes.passwordHash !== undefined) set.password_hash = changes.passwordHash;
      if (changes.scopes !== undefined) set.scopes = JSON.stringify(changes.scopes);
      if (changes.disabled !== undefined) set.disabled = changes.disabled ? 1 : 0;
      if (changes.profile !== undefined) set.profile = JSON.stringify(changes.profile);
      const result = await write((trx) =>
        trx.updateTable('users').set(set).where('id', '=', id).executeTakeFirst(),
      );
      return result.numUpdatedRows > 0n;
    },
    async countUsers() {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return num(row.n);
    },

    async createClient(client: Client, registrationTokenHash?: string) {
      await insertUnique('a client with this id', () =>
        write((trx) =>
          trx
            .insertInto('clients')
            .values({
              client_id: client.clientId,
              name: client.name,
              type: client.type,
              secret_hash: client.secretHash,
              grant_types: JSON.stringify(client.grantTypes),
              scopes: JSON.stringify(client.scopes),
              redirect_uris: JSON.stringify(client.redirectUris),
              audience: JSON.stringify(client.audience),
              permissions: JSON.stringify(client.permissions),
              post_logout_redirect_uris: JSON.stringify(client.postLogoutRedirectUris),
              backchannel_logout_uri: client.backchannelLogoutUri,
              id_token_signed_response_alg: client.idTokenSignedResponseAlg,
              token_endpoint_auth_method: client.tokenEndpointAuthMethod,
              require_pkce: client.requirePkce ? 1 : 0,
              subject_type: client.subjectType,
              jwks: client.jwks === null ? null : JSON.stringify(client.jwks),
              jwks_uri: client.jwksUri,
              dpop_bound_access_tokens: client.dpopBoundAccessTokens ? 1 : 0,
              require_pushed_authorization_requests: client.requirePushedAuthorizationRequests ? 1 : 0,
              registration_token_hash: registrationTokenHash ?? null,
              id_token_encrypted_response_alg: client.idTokenEncryptedResponseAlg,
              id_token_encrypted_response_enc: client.idTokenEncryptedResponseEnc,
              userinfo_signed_response_alg: client.userinfoSignedResponseAlg,
              userinfo_encrypted_response_alg: client.userinfoEncryptedResponseAlg,
              userinfo_encrypted_response_enc: client.userinfoEncryptedResponseEnc,
              created_at: client.createdAt,
              updated_at: client.updatedAt,
            })
            .execute(),
        ),
      );
    },
    async findClient(clientId) {
      const row = await db
        .selectFrom('clients')
        .selectAll()
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return row && toClient(row);
    },
    async listClients() {
      const rows = await db
        .selectFrom('clients')
        .selectAll()
        .orderBy('created_at')
        .orderBy('client_id')
        .execute();
      return rows.map(toClient);
    },
    async updateClient(clientId, changes) {
      const set: Record<string, unknown> = { updated_at: changes.updatedAt };
      if (changes.name !== undefined) set.name = changes.name;
      if (changes.type !== undefined) set.type = changes.type;
      if (changes.secretHash !== undefined) set.secret_hash = changes.secretHash;
      if (changes.grantTypes !== undefined) set.grant_types = JSON.stringify(changes.grantTypes);
      if (changes.scopes !== undefined) set.scopes = JSON.stringify(changes.scopes);
      if (changes.redirectUris !== undefined) set.redirect_uris = JSON.stringify(changes.redirectUris);
      if (changes.audience !== undefined) set.audience = JSON.stringify(changes.audience);
      if (changes.permissions !== undefined) set.permissions = JSON.stringify(changes.permissions);
      if (changes.postLogoutRedirectUris !== undefined)
        set.post_logout_redirect_uris = JSON.stringify(changes.postLogoutRedirectUris);
      // null is a value here (no URI, the server's algorithm, either secret method): only undefined skips.
      if (changes.backchannelLogoutUri !== undefined)
        set.backchannel_logout_uri = changes.backchannelLogoutUri;
      if (changes.idTokenSignedResponseAlg !== undefined)
        set.id_token_signed_response_alg = changes.idTokenSignedResponseAlg;
      if (changes.tokenEndpointAuthMethod !== undefined)
        set.token_endpoint_auth_method = changes.tokenEndpointAuthMethod;
      if (changes.requirePkce !== undefined) set.require_pkce = changes.requirePkce ? 1 : 0;
      if (changes.subjectType !== undefined) set.subject_type = changes.subjectType;
      if (changes.jwks !== undefined) set.jwks = changes.jwks === null ? null : JSON.stringify(changes.jwks);
      if (changes.jwksUri !== undefined) set.jwks_uri = changes.jwksUri;
      if (changes.dpopBoundAccessTokens !== undefined)
        set.dpop_bound_access_tokens = changes.dpopBoundAccessTokens ? 1 : 0;
      if (changes.requirePushedAuthorizationRequests !== undefined)
        set.require_pushed_authorization_requests = changes.requirePushedAuthorizationRequests ? 1 : 0;
      if (changes.idTokenEncryptedResponseAlg !== undefined)
        set.id_token_encrypted_response_alg = changes.idTokenEncryptedResponseAlg;
      if (changes.idTokenEncryptedResponseEnc !== undefined)
        set.id_token_encrypted_response_enc = changes.idTokenEncryptedResponseEnc;
      if (changes.userinfoSignedResponseAlg !== undefined)
        set.userinfo_signed_response_alg = changes.userinfoSignedResponseAlg;
      if (changes.userinfoEncryptedResponseAlg !== undefined)
        set.userinfo_encrypted_response_alg = changes.userinfoEncryptedResponseAlg;
      if (changes.userinfoEncryptedResponseEnc !== undefined)
        set.userinfo_encrypted_response_enc = changes.userinfoEncryptedResponseEnc;
      const result = await write((trx) =>
        trx.updateTable('clients').set(set).where('client_id', '=', clientId).executeTakeFirst(),
      );
      return result.numUpdatedRows > 0n;
    },
    async deleteClient(clientId) {
      const result = await write((trx) =>
        trx.deleteFrom('clients').where('client_id', '=', clientId).executeTakeFirst(),
      );
      return result.numDeletedRows > 0n;
    },
  };
}
