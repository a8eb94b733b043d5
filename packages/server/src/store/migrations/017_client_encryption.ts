/**
 * 017 — how a client wants its ID tokens and /userinfo answers (OpenID Connect Registration §2):
 * `id_token_encrypted_response_alg`/`_enc`, `userinfo_signed_response_alg`,
 * `userinfo_encrypted_response_alg`/`_enc`. Null for every existing client: plain signed ID tokens
 * and JSON from /userinfo, as before. Never edited once released.
 */
import type { Kysely } from 'kysely';

const COLUMNS = [
  'id_token_encrypted_response_alg',
  'id_token_encrypted_response_enc',
  'userinfo_signed_response_alg',
  'userinfo_encrypted_response_alg',
  'userinfo_encrypted_response_enc',
];

export const clientEncryption = {
  async up(db: Kysely<unknown>): Promise<void> {
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    for (const column of COLUMNS) await db.schema.alterTable('clients').addColumn(column, 'text').execute();
  },
};
