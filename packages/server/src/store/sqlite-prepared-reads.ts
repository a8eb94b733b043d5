/**
 * The reads of the refresh path on SQLite as prepared statements compiled once. Through Kysely a
 * read is built and compiled anew on every call and passes through its executor's promises: on
 * the refresh path (the presented token with its family, then its user) that cost as much as
 * SQLite's own work. The SQL is still Kysely's, compiled once from the same builders the other
 * dialect runs (sql/refresh-lookup.ts, sql/accounts.ts), and the rows are mapped by the same
 * functions, so the two cannot drift; the store conformance suite runs against both.
 */
import type Database from 'better-sqlite3';
import type { Compilable, Kysely, Selectable } from 'kysely';
import { tokenAndFamilyQuery, toTokenAndFamily } from './sql/refresh-lookup.js';
import { toUser } from './sql/rows.js';
import type { Database as Tables, UsersTable } from './sql/schema.js';
import type { Store } from './types.js';

/** One statement, prepared on first use (the tables exist only once the store is migrated). */
function preparedGet<Row>(raw: Database.Database, query: Compilable): (parameter: string) => Row | undefined {
  let statement: Database.Statement<[string], Row> | undefined;
  return (parameter) => {
    statement ??= raw.prepare<[string], Row>(query.compile().sql);
    return statement.get(parameter);
  };
}

/**
 * @example const reads = sqlitePreparedReads(raw, db); await reads.findUserById('u-1');
 */
export function sqlitePreparedReads(
  raw: Database.Database,
  db: Kysely<Tables>,
): Pick<Store, 'findRefreshTokenAndFamily' | 'findUserById'> {
  // Compiled with a placeholder value: the statement takes the real one as its only parameter.
  const tokenAndFamily = preparedGet<Parameters<typeof toTokenAndFamily>[0]>(
    raw,
    tokenAndFamilyQuery(db, ''),
  );
  const userById = preparedGet<Selectable<UsersTable>>(
    raw,
    db.selectFrom('users').selectAll().where('id', '=', ''),
  );
  return {
    async findRefreshTokenAndFamily(tokenHash) {
      const row = tokenAndFamily(tokenHash);
      return row === undefined ? undefined : toTokenAndFamily(row);
    },
    async findUserById(id) {
      const row = userById(id);
      return row && toUser(row);
    },
  };
}
