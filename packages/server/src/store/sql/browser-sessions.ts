/**
 * Browser sessions of the login pages (migration 004): one row per login, found by the SHA-256 of
 * the cookie's token; ending a session deletes its row, so a copied cookie finds nothing.
 */
import type { BrowserSession, Store } from '../types.js';
import type { SqlContext } from './context.js';
import { num } from './rows.js';

type BrowserSessionMethods = Pick<
  Store,
  'createBrowserSession' | 'findBrowserSession' | 'endBrowserSession' | 'endUserBrowserSessions'
>;

export function browserSessionQueries({ db, write }: SqlContext): BrowserSessionMethods {
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
            user_id: session.userId,
            created_at: session.createdAt,
            expires_at: session.expiresAt,
          })
          .execute();
      }),
    async findBrowserSession(id, now) {
      const row = await db
        .selectFrom('browser_sessions')
        .selectAll()
        .where('id', '=', id)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return row === undefined ? undefined : toBrowserSession(row);
    },
    async endBrowserSession(id) {
      const result = await write((trx) =>
        trx.deleteFrom('browser_sessions').where('id', '=', id).executeTakeFirst(),
      );
      return Number(result.numDeletedRows) > 0;
    },
    async endUserBrowserSessions(userId, now) {
      const ended = await write((trx) =>
        trx.deleteFrom('browser_sessions').where('user_id', '=', userId).returning('expires_at').execute(),
      );
      return ended.filter((row) => num(row.expires_at) > now).length;
    },
  };
}

function toBrowserSession(row: {
  id: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}): BrowserSession {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: num(row.created_at),
    expiresAt: num(row.expires_at),
  };
}
