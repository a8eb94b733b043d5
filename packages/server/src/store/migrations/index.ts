/**
 * Versioned migrations, provided statically (no directory scanning, so they work the same from
 * src/ under tsx and from dist/ after a build). Kysely's Migrator records them in
 * `kysely_migration` and runs the missing ones in name order inside one transaction.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import { StoreError } from '../errors.js';
import { initial } from './001_initial.js';
import { authorization } from './002_authorization.js';
import { clientPermissions } from './003_client_permissions.js';
import { browserSessions } from './004_browser_sessions.js';
import { scopeDescriptions } from './005_scope_descriptions.js';
import { userProfile } from './006_user_profile.js';
import { oidcCodes } from './007_oidc_codes.js';
import { clientRegistration } from './008_client_registration.js';
import { claimsRequest } from './009_claims_request.js';
import { logoutSessions } from './010_logout_sessions.js';
import { keyPerAlgorithm } from './011_key_per_algorithm.js';
import { dpop } from './012_dpop.js';
import { clientKeys } from './013_client_keys.js';
import { auditCursors } from './014_audit_cursors.js';
import { pushedRequests } from './015_pushed_requests.js';
import { dynamicRegistration } from './016_dynamic_registration.js';
import { clientEncryption } from './017_client_encryption.js';
import { expiryIndexes } from './018_expiry_indexes.js';
import type { SqlDialectName } from './dialect.js';

export type { SqlDialectName } from './dialect.js';

/** Every migration by name; names sort in the order they must run. */
export function migrationsFor(dialect: SqlDialectName): Record<string, Migration> {
  return {
    '001_initial': initial(dialect),
    '002_authorization': authorization,
    '003_client_permissions': clientPermissions,
    '004_browser_sessions': browserSessions,
    '005_scope_descriptions': scopeDescriptions,
    '006_user_profile': userProfile,
    '007_oidc_codes': oidcCodes,
    '008_client_registration': clientRegistration,
    '009_claims_request': claimsRequest,
    '010_logout_sessions': logoutSessions,
    '011_key_per_algorithm': keyPerAlgorithm,
    '012_dpop': dpop,
    '013_client_keys': clientKeys,
    '014_audit_cursors': auditCursors,
    '015_pushed_requests': pushedRequests,
    '016_dynamic_registration': dynamicRegistration,
    '017_client_encryption': clientEncryption,
    '018_expiry_indexes': expiryIndexes,
  };
}

/**
 * Refuses a database that a newer Sesame migrated (a migration name this version does not know): an
 * older version must not write to a schema it does not understand, whether it would migrate or not.
 * A database without the migration table (a new one) passes.
 */
async function refuseNewerSchema(db: Kysely<unknown>, dialect: SqlDialectName, schema?: string) {
  const table = schema === undefined ? db : db.withSchema(schema);
  let applied: string[];
  try {
    const rows = await (table as Kysely<{ kysely_migration: { name: string } }>)
      .selectFrom('kysely_migration')
      .select('name')
      .execute();
    applied = rows.map((row) => row.name);
  } catch {
    return; // no migration table yet; an unreachable database fails in the migrator next
  }
  const known = Object.keys(migrationsFor(dialect)).sort();
  const unknown = applied.filter((name) => !known.includes(name)).sort();
  if (unknown.length > 0) {
    throw new StoreError(
      'ERR_STORE_SCHEMA',
      `the database was migrated by a newer Sesame (${unknown.at(-1)}; this version knows up to ${known.at(-1)}): run that version or a newer one; downgrading is not supported (restore a backup made before the upgrade)`,
    );
  }
}

/**
 * Brings a database to the latest schema and returns the names of the migrations it applied.
 * A database migrated by a newer Sesame (an unknown migration name) is refused, not "fixed"
 * (refuseNewerSchema, with a message that says so).
 *
 * @example const applied = await migrateToLatest(db, 'sqlite'); // ['001_initial'] on a new file
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  dialect: SqlDialectName,
  /** PostgreSQL: the schema of the bookkeeping tables (Kysely otherwise matches any schema's). */
  schema?: string,
): Promise<string[]> {
  await refuseNewerSchema(db, dialect, schema);
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(dialect) };
  // Numbers are given out to changes made side by side, which may land out of order (009 after
  // 010): a store migrated in between gets the missing one applied rather than refused. Each
  // migration adds its own columns or tables, so their order among themselves does not matter.
  const migrator = new Migrator({
    db,
    provider,
    migrationTableSchema: schema,
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const code = String((error as Error).message).includes('corrupted')
      ? 'ERR_STORE_SCHEMA'
      : 'ERR_STORE_UNAVAILABLE';
    throw new StoreError(code, 'the database could not be migrated', { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Throws unless every migration has been applied: for a server told not to migrate at start
 * (`migrateOnStart: false`), which must not run on a schema older than its code.
 *
 * @example await assertMigrated(db, 'postgres'); // StoreError ERR_STORE_SCHEMA when one is pending
 */
export async function assertMigrated(
  db: Kysely<unknown>,
  dialect: SqlDialectName,
  schema?: string,
): Promise<void> {
  await refuseNewerSchema(db, dialect, schema);
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(dialect) };
  const migrator = new Migrator({ db, provider, migrationTableSchema: schema });
  let pending: number;
  try {
    pending = (await migrator.getMigrations()).filter(
      (migration) => migration.executedAt === undefined,
    ).length;
  } catch (error) {
    throw new StoreError('ERR_STORE_UNAVAILABLE', 'the database schema could not be read', { cause: error });
  }
  if (pending > 0) {
    throw new StoreError(
      'ERR_STORE_SCHEMA',
      `the database has ${pending} pending migration(s): run \`sesame migrate\``,
    );
  }
}
