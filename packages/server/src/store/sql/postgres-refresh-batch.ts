/**
 * The PostgreSQL store's refresh path in groups. A refresh grant makes three statements (the
 * presented token with its family, the user, the rotation) and each was a round trip of its own:
 * under load the server process spent more CPU sending them and reading their answers than on the
 * rest of the grant, and PostgreSQL, on the same cores, as much again. Requests that arrive together
 * (group-commit.ts) now share each statement: one read for all their tokens, one for all their
 * users, and one rotation statement for all their tokens.
 *
 * What each caller gets is what its own statement gave:
 * - the reads see committed rows as of their statement, as before (READ COMMITTED);
 * - the rotation is still one statement, atomic and durable on its own before anyone is answered;
 *   each token is claimed by the same compare-and-set as postgres-rotation.ts's, so a token
 *   presented twice in one group is claimed once (PostgreSQL updates a row once per statement), and
 *   a token not claimed goes, after the group has committed, to the shared rotation, which tells
 *   why (unknown, expired, revoked, the grace window, reuse);
 * - a group statement that fails (a successor's insert refused, say) rolls back the whole group,
 *   and its rotations are then run one by one, so one bad rotation fails alone.
 * Statements are named: pg prepares each once per pooled connection, and sends only Bind/Execute;
 * PostgreSQL plans each once per connection too (postgres-group-pool.ts), for groups of any size.
 */
import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type pg from 'pg';
import type { RotateRefreshTokenInput, RotationResult, Store } from '../types.js';
import { groupBatch } from './group-commit.js';
import { tokenAndFamilyQuery, toTokenAndFamily } from './refresh-lookup.js';
import { rotatedResult, toFamily, toUser } from './rows.js';
import type { Database, RefreshFamiliesTable, UsersTable } from './schema.js';

type Rotate = Store['rotateRefreshToken'];
type TokenRow = Parameters<typeof toTokenAndFamily>[0];

/**
 * How each statement takes the group's keys: `select … from unnest($1) limit cardinality($1)`.
 * The LIMIT keeps every key (it is the array's length); it is there for the planner. A statement
 * planned once is planned for arrays of unknown length, which PostgreSQL takes for ten elements,
 * and against ten lookups a table it believes small is cheaper read whole. A table never analyzed
 * (a new store; a server with autovacuum off) is believed to be ten pages, so that plan was made at
 * the first groups and kept as the table grew: every group's read and rotation read all of
 * refresh_tokens. A LIMIT whose value the planner cannot know is taken for a tenth of its input,
 * one key, for which a lookup by primary key is the cheaper plan whatever the table's size.
 */
const GROUP_KEYS = 'limit cardinality($1::text[])';

interface RotatedRow extends RefreshFamiliesTable {
  presented_hash: string;
  claimed_generation: number;
  claimed_created_at: number;
  claimed_expires_at: number;
  next_expires_at: number;
}

/**
 * Every presented token of the group claimed at once: the compare-and-set of postgres-rotation.ts
 * over the group's arrays, one row back per token claimed.
 * The family of each claimed token is read once (`rotated`), for the successor and the answer.
 */
export const ROTATE_GROUP = Object.freeze({
  name: 'sesame_refresh_rotate_group',
  text: `with input as (
      select * from unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])
        as i(presented_hash, next_hash, now, next_expires_at)
      ${GROUP_KEYS}
    ), claimed as (
      update refresh_tokens t set rotated_at = i.now
      from input i
      where t.token_hash = i.presented_hash and t.rotated_at is null and t.expires_at > i.now
        and exists (
          select 1 from refresh_families f
          where f.id = t.family_id and f.revoked_at is null and f.expires_at > i.now)
      returning t.token_hash, t.family_id, t.generation, t.created_at, t.expires_at,
        i.next_hash, i.now, i.next_expires_at
    ), rotated as (
      select f.*, c.token_hash as presented_hash, c.next_hash, c.now,
        c.generation as claimed_generation, c.created_at as claimed_created_at,
        c.expires_at as claimed_expires_at, least(c.next_expires_at, f.expires_at) as next_expires_at
      from claimed c join refresh_families f on f.id = c.family_id
    ), inserted as (
      insert into refresh_tokens (token_hash, family_id, generation, created_at, expires_at, rotated_at)
      select r.next_hash, r.id, r.claimed_generation + 1, r.now, r.next_expires_at, null::bigint
      from rotated r
    )
    select * from rotated`,
});

/**
 * A group read's statement: `single`, a read of one row with `k.value` for its key, for each key
 * of the array `$1`.
 *
 * @example groupReadText('select * from users where id = k.value')
 */
export function groupReadText(single: string): string {
  return `select x.* from (select * from unnest($1::text[]) ${GROUP_KEYS}) as k(value)
      cross join lateral (${single}) as x`;
}

/**
 * A group's reads as one named statement with the group's distinct keys as its one array; `query`
 * is the single read with `k.value` for its key.
 */
function groupRead<Row extends pg.QueryResultRow, Key extends keyof Row & string>(
  pool: pg.Pool,
  name: string,
  query: { compile(): { sql: string } },
  key: Key,
): (value: string) => Promise<Row | undefined> {
  let text: string | undefined;
  return groupBatch<string, Row | undefined>(async (values) => {
    text ??= groupReadText(query.compile().sql);
    const { rows } = await pool.query<Row>({ name, text, values: [[...new Set(values)]] });
    const byKey = new Map<unknown, Row>(rows.map((row) => [row[key], row]));
    return values.map((value) => byKey.get(value));
  });
}

/**
 * The refresh path's reads and rotation for a PostgreSQL pool; `single` is the one-statement
 * rotation (postgres-rotation.ts), `diagnose` the shared rotation that tells why a token was not
 * claimed.
 *
 * @example const batch = postgresRefreshBatch(pool, db, single, shared.rotateRefreshToken);
 */
export function postgresRefreshBatch(
  pool: pg.Pool,
  db: Kysely<Database>,
  single: Rotate,
  diagnose: Rotate,
): Pick<Store, 'findRefreshTokenAndFamily' | 'findUserById' | 'rotateRefreshToken'> {
  // Compiled from the same builders as the single reads, for each key of the group's array.
  const eachKey = sql.ref<string>('k.value');
  const tokenAndFamily = groupRead<TokenRow, 't_token_hash'>(
    pool,
    'sesame_refresh_token_and_family_group',
    tokenAndFamilyQuery(db, eachKey),
    't_token_hash',
  );
  const userById = groupRead<Selectable<UsersTable>, 'id'>(
    pool,
    'sesame_users_by_id_group',
    db.selectFrom('users').selectAll().where('id', '=', eachKey),
    'id',
  );
  const solo = (input: RotateRefreshTokenInput): Promise<RotationResult | Error> =>
    single(input).then(
      (result) => result,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
  // Each token's answer when the group claimed it, undefined when it did not.
  const claim = groupBatch<RotateRefreshTokenInput, RotationResult | undefined>(async (inputs) => {
    let rows: RotatedRow[];
    try {
      ({ rows } = await pool.query<RotatedRow>({
        ...ROTATE_GROUP,
        values: [
          inputs.map((input) => input.presentedHash),
          inputs.map((input) => input.nextHash),
          inputs.map((input) => input.now),
          inputs.map((input) => input.nextExpiresAt),
        ],
      }));
    } catch {
      // Nothing of the group committed: each rotation again on its own, so only the bad one fails.
      return Promise.all(inputs.map(solo));
    }
    const byPresented = new Map(rows.map((row) => [row.presented_hash, row]));
    return inputs.map((input) => {
      const row = byPresented.get(input.presentedHash);
      if (row === undefined) return undefined;
      // A token presented twice in the group was claimed for one of them only.
      byPresented.delete(input.presentedHash);
      const claimed = {
        generation: Number(row.claimed_generation),
        createdAt: Number(row.claimed_created_at),
        expiresAt: Number(row.claimed_expires_at),
      };
      return rotatedResult(toFamily(row), input, claimed, Number(row.next_expires_at));
    });
  });
  return {
    async findRefreshTokenAndFamily(tokenHash) {
      const row = await tokenAndFamily(tokenHash);
      return row === undefined ? undefined : toTokenAndFamily(row);
    },
    async findUserById(id) {
      const row = await userById(id);
      return row && toUser(row);
    },
    async rotateRefreshToken(input) {
      return (await claim(input)) ?? diagnose(input);
    },
  };
}
