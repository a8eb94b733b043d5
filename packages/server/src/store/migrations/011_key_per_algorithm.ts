/**
 * 011 — a current and a next signing key per algorithm: the configured one signs access tokens,
 * and RS256 beside it signs the ID tokens of the clients that ask for it (OpenID Connect Discovery
 * 1.0 §3: `id_token_signing_alg_values_supported` MUST include RS256). The unique index on the live
 * states becomes one on (alg, state), so each algorithm still has at most one `current` and one
 * `next` key whatever two racing instances do. Existing keys are kept as they are. Never edited
 * once released.
 */
import { type Kysely, sql } from 'kysely';

export const keyPerAlgorithm = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('signing_keys_one_per_live_state').execute();
    await db.schema
      .createIndex('signing_keys_one_per_alg_and_live_state')
      .on('signing_keys')
      .columns(['alg', 'state'])
      .unique()
      .where(sql.ref('state'), 'in', ['current', 'next'])
      .execute();
  },
};
