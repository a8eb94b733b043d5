/**
 * The SQL dialects the schema is written for. Its own module so the migrations that take it do not
 * import the list of migrations (index.ts) that imports them.
 *
 * @example const migrations = migrationsFor('postgres' satisfies SqlDialectName);
 */
export type SqlDialectName = 'sqlite' | 'postgres';
