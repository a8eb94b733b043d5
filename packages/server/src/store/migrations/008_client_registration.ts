/**
 * 008 — the OpenID Connect registration fields of a client (Registration 1.0 §2): post-logout
 * redirect URIs and the back-channel logout URI (stored for the logout features), the ID token's
 * signing algorithm (null: the server's), the token endpoint authentication method (null: either
 * secret method, as before), whether PKCE is required (every existing client keeps requiring it),
 * and the subject type. Existing public clients authenticate with `none`, as they always did.
 * Never edited once released.
 */
import { type Kysely, sql } from 'kysely';

export const clientRegistration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    const clients = () => db.schema.alterTable('clients');
    await clients()
      .addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    await clients().addColumn('backchannel_logout_uri', 'text').execute();
    await clients().addColumn('id_token_signed_response_alg', 'text').execute();
    await clients().addColumn('token_endpoint_auth_method', 'text').execute();
    await clients()
      .addColumn('require_pkce', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await clients()
      .addColumn('subject_type', 'text', (c) => c.notNull().defaultTo('public'))
      .execute();
    await sql`update clients set token_endpoint_auth_method = 'none' where type = 'public'`.execute(db);
  },
};
