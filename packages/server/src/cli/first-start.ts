/**
 * First start as `sesame serve` runs it (the set-up itself is the domain's, domain/system/
 * first-start.ts): with services of its own once the server listens, and the banner printed once.
 */
import type { SesameConfig } from '../config/config.js';
import { DOCS_CLIENT_ID } from '../domain/clients/docs-client.js';
import type { FirstStartResult } from '../domain/system/first-start.js';
import { openConfiguredStore } from '../open-store.js';
import type { Store } from '../store/types.js';
import { createServices } from '../wiring.js';

export type { FirstStartResult };

/** The text printed once on first start: the credentials and where to use them. */
export function firstStartBanner(result: FirstStartResult, config: SesameConfig): string {
  const lines = ['', 'Sesame is set up. This is shown once; keep the password somewhere safe.', ''];
  if (result.admin) {
    lines.push(`  admin user:      ${result.admin.username}`, `  admin password:  ${result.admin.password}`);
  }
  lines.push(
    `  docs client:     ${DOCS_CLIENT_ID} (public; no secret)`,
    '',
    `  API docs:        ${config.issuer}/docs   (Authorize: ${whoLogsIn(result)}, client_id ${DOCS_CLIENT_ID})`,
    `  token endpoint:  ${config.issuer}/oauth/token`,
    `  JWKS:            ${config.issuer}/.well-known/jwks.json`,
    '',
  );
  const dataDir = config.databaseUrl ? '' : ` --data-dir ${config.dataDir}`;
  if (result.admin) {
    lines.push(
      `  Lost the password? \`sesame users passwd ${result.admin.username}${dataDir}\` sets a new one.`,
      '',
    );
  } else if (result.existingUsers?.admins.length === 0) {
    lines.push(
      `  No user has the admin scope that /admin needs: \`sesame users add NAME --scopes "openid admin"${dataDir}\``,
      '',
    );
  }
  return lines.join('\n');
}

/**
 * Who can log in on /docs: the admin just made, or, when users were added with the CLI before the
 * first start (no admin is made then), those with the admin scope, else any of them.
 */
function whoLogsIn(result: FirstStartResult): string {
  if (result.admin) return `log in as ${result.admin.username}`;
  const existing = result.existingUsers;
  if (existing === undefined || existing.names.length === 0) return 'log in as a user with the admin scope';
  const named = existing.admins.length > 0 ? existing.admins : existing.names;
  const more = existing.count > named.length ? ' or another user' : '';
  return `log in as ${named.join(', ')}${more} (users existed, so no admin was made)`;
}

/**
 * First-start set-up with services of its own, closed after.
 *
 * @example const created = await runFirstStart(config, store); // once the server listens
 */
export async function runFirstStart(
  config: SesameConfig,
  store: Store,
): Promise<FirstStartResult | undefined> {
  const setup = await createServices({ config, store, now: Date.now, rotateKeys: false });
  return setup.firstStart().finally(() => setup.close());
}

/**
 * First-start set-up on a store opened for it (the cluster primary, whose workers have their own).
 *
 * @example const created = await firstStartOn(config); // once every worker listens
 */
export async function firstStartOn(config: SesameConfig): Promise<FirstStartResult | undefined> {
  const store = await openConfiguredStore(config, { withoutRedis: true });
  try {
    return await runFirstStart(config, store);
  } finally {
    await store.close();
  }
}
