/**
 * 006 — user profile claims: the OpenID Connect standard claims of a user (name, email, phone,
 * address, …) as one JSON object, like the other JSON columns; existing users get an empty profile.
 * Never edited once released.
 */
import type { Kysely } from 'kysely';

export const userProfile = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('users')
      .addColumn('profile', 'text', (c) => c.notNull().defaultTo('{}'))
      .execute();
  },
};
