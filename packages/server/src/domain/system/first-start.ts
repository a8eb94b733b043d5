/**
 * Setting up an empty store on its first start, and keeping the /docs page's client as it needs to
 * be on every start. `sesame serve` runs it once it listens (cli/first-start.ts prints the banner).
 */
import { randomBytes } from 'node:crypto';
import { DOCS_CLIENT_ID, DOCS_GRANTS, docsRedirectUri } from '../clients/docs-client.js';
import type { DomainContext } from '../context.js';

/** Settings name marking that first-start set-up ran; it never runs (or prints) again. */
const FIRST_START_SETTING = 'first_start_done';
/** At most this many names in the banner. */
const NAMED = 3;

export interface FirstStartResult {
  admin?: { username: string; password: string };
  docsClient: boolean;
  /**
   * When no admin was made (users were added with the CLI before the first start): who can log in
   * on /docs, so the banner does not send people to an `admin` that does not exist.
   */
  existingUsers?: { count: number; admins: string[]; names: string[] };
}

/**
 * Keeps `sesame-docs` as the /docs page needs it, on every start: the code flow, and the page's
 * redirect URI under the current issuer (which may have changed since the last start). A store set
 * up by an earlier Sesame had it on the password grant: it is moved to the code flow here. Set
 * through the store: the redirect URI is Sesame's own page, whatever scheme the operator gave the
 * issuer, not a registration to check. A removed `sesame-docs` is not brought back.
 *
 * @example await syncDocsClient(ctx); // true when it changed
 */
export async function syncDocsClient(ctx: DomainContext): Promise<boolean> {
  const { store } = ctx;
  const client = await store.findClient(DOCS_CLIENT_ID);
  if (client === undefined) return false;
  const redirectUris = [docsRedirectUri(ctx.config.issuer)];
  const same = (a: readonly string[], b: readonly string[]) => a.join(' ') === b.join(' ');
  if (same(client.grantTypes, DOCS_GRANTS) && same(client.redirectUris, redirectUris)) return false;
  await store.updateClient(DOCS_CLIENT_ID, {
    grantTypes: [...DOCS_GRANTS],
    redirectUris,
    updatedAt: ctx.now(),
  });
  ctx.clients.forget(DOCS_CLIENT_ID);
  await ctx.audit({
    type: 'admin.client.changed',
    actor: 'system',
    subject: DOCS_CLIENT_ID,
    details: { grantTypes: DOCS_GRANTS, redirectUris },
  });
  return true;
}

/**
 * On the first start of an empty store: an admin user (scopes "openid admin") with a random
 * password, and the public first-party client `sesame-docs` (authorization code + refresh_token)
 * that the /docs page logs in with. Returns what was made, for printing once; undefined on later
 * starts. Every start brings `sesame-docs` up to date (`syncDocsClient`).
 *
 * @example const created = await firstStart(ctx); // once the server listens
 */
export async function firstStart(ctx: DomainContext): Promise<FirstStartResult | undefined> {
  const { store } = ctx;
  if ((await store.getSetting(FIRST_START_SETTING)) !== undefined) {
    await syncDocsClient(ctx);
    return undefined;
  }
  const result: FirstStartResult = { docsClient: false };
  if ((await store.countUsers()) === 0) {
    // 18 random bytes: 144 bits, 24 characters without look-alike padding.
    const password = randomBytes(18).toString('base64url');
    const user = await ctx.users.create({ username: 'admin', password, scopes: ['openid', 'admin'] });
    await ctx.audit({
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
    await ctx.clients.create({
      clientId: DOCS_CLIENT_ID,
      name: 'Sesame API docs',
      type: 'public',
      grantTypes: [...DOCS_GRANTS],
      scopes: ['openid', 'admin'],
      redirectUris: [], // set by syncDocsClient below
    });
    await ctx.audit({
      type: 'admin.client.created',
      actor: 'system',
      subject: DOCS_CLIENT_ID,
      details: { firstStart: true },
    });
    result.docsClient = true;
  }
  await syncDocsClient(ctx);
  // initSetting is set-if-absent: when two processes start at once, only one prints.
  const marker = new Date(ctx.now()).toISOString();
  const stored = await store.initSetting(FIRST_START_SETTING, marker);
  return stored === marker ? result : undefined;
}
