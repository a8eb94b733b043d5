import { randomBytes } from 'node:crypto';
import type { SesameConfig } from '../config/config.js';
import type { Services } from '../domain/services.js';
import { DOCS_CLIENT_ID, docsRedirectUri } from '../http/web/docs.js';
import { openConfiguredStore } from '../open-store.js';
import type { Store } from '../store/types.js';
import { createServices } from '../wiring.js';

/** Settings name marking that first-start set-up ran; it never runs (or prints) again. */
const FIRST_START_SETTING = 'first_start_done';

export interface FirstStartResult {
  admin?: { username: string; password: string };
  docsClient: boolean;
  /**
   * When no admin was made (users were added with the CLI before the first start): who can log in
   * on /docs, so the banner does not send people to an `admin` that does not exist.
   */
  existingUsers?: { count: number; admins: string[]; names: string[] };
}

/** What the /docs page needs of `sesame-docs`: the code flow (no password grant, RFC 9700 §2.4). */
const DOCS_GRANTS = ['authorization_code', 'refresh_token'];

/**
 * Keeps `sesame-docs` as the /docs page needs it, on every start: the code flow, and the page's
 * redirect URI under the current issuer (which may have changed since the last start). A store set
 * up by an earlier Sesame had it on the password grant: it is moved to the code flow here. Set
 * through the store: the redirect URI is Sesame's own page, whatever scheme the operator gave the
 * issuer, not a registration to check. A removed `sesame-docs` is not brought back.
 */
export async function syncDocsClient(services: Services, store: Store): Promise<boolean> {
  const client = await store.findClient(DOCS_CLIENT_ID);
  if (client === undefined) return false;
  const redirectUris = [docsRedirectUri(services.config.issuer)];
  const same = (a: readonly string[], b: readonly string[]) => a.join(' ') === b.join(' ');
  if (same(client.grantTypes, DOCS_GRANTS) && same(client.redirectUris, redirectUris)) return false;
  await store.updateClient(DOCS_CLIENT_ID, {
    grantTypes: DOCS_GRANTS,
    redirectUris,
    updatedAt: services.now(),
  });
  services.clients.forget(DOCS_CLIENT_ID);
  await services.audit({
    type: 'admin.client.changed',
    actor: 'system',
    subject: DOCS_CLIENT_ID,
    details: { grantTypes: DOCS_GRANTS, redirectUris },
  });
  return true;
}

/** At most this many names in the banner. */
const NAMED = 3;

/**
 * On the first start of an empty store: an admin user (scopes "openid admin") with a random
 * password, and the public first-party client `sesame-docs` (authorization code + refresh_token)
 * that the /docs page logs in with. Returns what was made, for printing once; undefined on later
 * starts. Every start brings `sesame-docs` up to date (`syncDocsClient`).
 * `sesame serve` runs it only once it listens: the password is made only when it can be printed
 * with a working server (a start that failed, on a port in use, once lost it for good).
 */
export async function firstStart(services: Services, store: Store): Promise<FirstStartResult | undefined> {
  if ((await store.getSetting(FIRST_START_SETTING)) !== undefined) {
    await syncDocsClient(services, store);
    return undefined;
  }
  const result: FirstStartResult = { docsClient: false };
  if ((await store.countUsers()) === 0) {
    // 18 random bytes: 144 bits, 24 characters without look-alike padding.
    const password = randomBytes(18).toString('base64url');
    const user = await services.users.create({ username: 'admin', password, scopes: ['openid', 'admin'] });
    await services.audit({
      type: 'admin.user.created',
      actor: 'system',
      subject: user.id,
      details: { firstStart: true },
    });
    result.admin = { username: user.username, password };
  } else {
    const users = (await store.listUsers({ limit: 1000 })).filter((user) => !user.disabled);
    const admins = users.filter((user) => user.scopes.includes('admin'));
    result.existingUsers = {
      count: await store.countUsers(),
      admins: admins.slice(0, NAMED).map((user) => user.username),
      names: users.slice(0, NAMED).map((user) => user.username),
    };
  }
  if ((await store.findClient(DOCS_CLIENT_ID)) === undefined) {
    await services.clients.create({
      clientId: DOCS_CLIENT_ID,
      name: 'Sesame API docs',
      type: 'public',
      grantTypes: DOCS_GRANTS,
      scopes: ['openid', 'admin'],
      redirectUris: [], // set by syncDocsClient below
    });
    await services.audit({
      type: 'admin.client.created',
      actor: 'system',
      subject: DOCS_CLIENT_ID,
      details: { firstStart: true },
    });
    result.docsClient = true;
  }
  await syncDocsClient(services, store);
  // initSetting is set-if-absent: when two processes start at once, only one prints.
  const marker = new Date(services.now()).toISOString();
  const stored = await store.initSetting(FIRST_START_SETTING, marker);
  return stored === marker ? result : undefined;
}

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
  return firstStart(setup, store).finally(() => setup.close());
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
