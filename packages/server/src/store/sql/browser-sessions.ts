/**
 * Browser sessions of the login pages (migration 004): one row per login, found by the SHA-256 of
 * the cookie's token; ending a session deletes its row, so a copied cookie finds nothing. Since
 * 010 a session also has a public id (`sid`), and `session_clients` lists the clients that got
 * tokens through it, taken (deleted and answered in one statement) when the session ends.
 */
import type { Selectable } from 'kysely';
import type { BrowserSession, SessionClient, Store } from '../types.js';
import type { SqlContext } from './context.js';
import { num } from './rows.js';
import type { BrowserSessionsTable, SessionClientsTable } from './schema.js';

type BrowserSessionMethods = Pick<
  Store,
  | 'createBrowserSession'
  | 'findBrowserSession'
  | 'findBrowserSessionBySid'
  | 'endBrowserSession'
  | 'endUserBrowserSessions'
  | 'addSessionClient'
  | 'takeSessionClients'
>;

export function browserSessionQueries({ db, write }: SqlContext): BrowserSessionMethods {
  const live = async (column: 'id' | 'sid', value: string, now: number) => {
    const row = await db
      .selectFrom('browser_sessions')
      .selectAll()
      .where(column, '=', value)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row === undefined ? undefined : toBrowserSession(row);
  };
  return {
    createBrowserSession: (session) =>
      write(async (trx) => {
        // The user's sessions that are over go on the way: the table holds live sessions only.
        await trx
          .deleteFrom('browser_sessions')
          .where('user_id', '=', session.userId)
          .where('expires_at', '<=', session.createdAt)
          .execute();
        await trx
          .insertInto('browser_sessions')
          .values({
            id: session.id,
            sid: session.sid,
            user_id: session.userId,
            created_at: session.createdAt,
            expires_at: session.expiresAt,
          })
          .execute();
      }),
    findBrowserSession: (id, now) => live('id', id, now),
    findBrowserSessionBySid: (sid, now) => live('sid', sid, now),
    async endBrowserSession(id) {
      const row = await write((trx) =>
        trx.deleteFrom('browser_sessions').where('id', '=', id).returningAll().executeTakeFirst(),
      );
      return row === undefined ? undefined : toBrowserSession(row);
    },
    async endUserBrowserSessions(userId, now) {
      const ended = await write((trx) =>
        trx.deleteFrom('browser_sessions').where('user_id', '=', userId).returningAll().execute(),
      );
      return ended.filter((row) => num(row.expires_at) > now).map(toBrowserSession);
    },
    addSessionClient: (entry) =>
      write(async (trx) => {
        await trx.deleteFrom('session_clients').where('expires_at', '<=', entry.createdAt).execute();
        await trx
          .insertInto('session_clients')
          .values({
            sid: entry.sid,
            client_id: entry.clientId,
            user_id: entry.userId,
            created_at: entry.createdAt,
            expires_at: entry.expiresAt,
          })
          .onConflict((conflict) => conflict.columns(['sid', 'client_id']).doNothing())
          .execute();
      }),
    async takeSessionClients(sid) {
      const rows = await write((trx) =>
        trx.deleteFrom('session_clients').where('sid', '=', sid).returningAll().execute(),
      );
      return rows.map(toSessionClient).sort((a, b) => a.createdAt - b.createdAt);
    },
  };
}

function toBrowserSession(row: Selectable<BrowserSessionsTable>): BrowserSession {
  return {
    id: row.id,
    sid: row.sid,
    userId: row.user_id,
    createdAt: num(row.created_at),
    expiresAt: num(row.expires_at),
  };
}

function toSessionClient(row: Selectable<SessionClientsTable>): SessionClient {
  return {
    sid: row.sid,
    clientId: row.client_id,
    userId: row.user_id,
    createdAt: num(row.created_at),
    expiresAt: num(row.expires_at),
  };
}
