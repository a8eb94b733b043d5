/**
 * Dynamic client registration (RFC 7591, RFC 7592): the hash of a registered client's
 * registration access token (a column of its client row, so it goes with the client), and the
 * initial access tokens. Spending a use is one conditional UPDATE … RETURNING, so a token with one
 * use left registers one client however many requests race for it.
 */
import { sql } from 'kysely';
import type { InitialAccessToken, Store } from '../types.js';
import { DURABLE, insertUnique, type SqlContext } from './context.js';
import { num } from './rows.js';

type RegistrationMethods = Pick<
  Store,
  | 'findRegistrationTokenHash'
  | 'createInitialAccessToken'
  | 'spendInitialAccessToken'
  | 'listInitialAccessTokens'
  | 'deleteInitialAccessToken'
>;

export function registrationQueries({ db, write }: SqlContext): RegistrationMethods {
  return {
    async findRegistrationTokenHash(clientId) {
      const row = await db
        .selectFrom('clients')
        .select('registration_token_hash')
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return row === undefined ? undefined : row.registration_token_hash;
    },

    async createInitialAccessToken(token) {
      await insertUnique('an initial access token with this id', () =>
        write((trx) =>
          trx
            .insertInto('initial_access_tokens')
            .values({
              id: token.id,
              token_hash: token.tokenHash,
              label: token.label,
              created_at: token.createdAt,
              expires_at: token.expiresAt,
              uses_left: token.usesLeft,
            })
            .execute(),
        ),
      );
    },

    async spendInitialAccessToken(tokenHash, now) {
      const row = await write(
        (trx) =>
          trx
            .updateTable('initial_access_tokens')
            .set({
              uses_left: sql<
                number | null
              >`case when ${sql.ref('uses_left')} is null then null else ${sql.ref('uses_left')} - 1 end`,
            })
            .where('token_hash', '=', tokenHash)
            .where('expires_at', '>', now)
            .where((eb) => eb.or([eb('uses_left', 'is', null), eb('uses_left', '>', 0)]))
            .returning('id')
            .executeTakeFirst(),
        // A use spent must stay spent across a crash, like any single-use marker.
        DURABLE,
      );
      return row?.id;
    },

    async listInitialAccessTokens() {
      const rows = await db.selectFrom('initial_access_tokens').selectAll().orderBy('created_at').execute();
      return rows.map(
        (row): InitialAccessToken => ({
          id: row.id,
          tokenHash: row.token_hash,
          label: row.label,
          createdAt: num(row.created_at),
          expiresAt: num(row.expires_at),
          usesLeft: row.uses_left === null ? null : num(row.uses_left),
        }),
      );
    },

    async deleteInitialAccessToken(id) {
      const result = await write((trx) =>
        trx.deleteFrom('initial_access_tokens').where('id', '=', id).executeTakeFirst(),
      );
      return Number(result.numDeletedRows) > 0;
    },
  };
}
