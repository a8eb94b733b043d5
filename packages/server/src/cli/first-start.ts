import { randomBytes } from 'node:crypto';
import type { SesameConfig } from '../config.js';
import type { Services } from '../services.js';
import type { Store } from '../store/types.js';
import { DOCS_CLIENT_ID } from '../web/docs.js';

/** Settings name marking that first-start set-up ran; it never runs (or prints) again. */
const FIRST_START_SETTING = 'first_start_done';

export interface FirstStartResult {
  admin?: { username: string; password: string };
  docsClient: boolean;
}

/**
 * On the first start of an empty store: an admin user (scopes "openid admin") with a random
 * password, and the public first-party client `sesame-docs` (password + refresh_token) that the
 * /docs page logs in with. Returns what was made, for printing once; undefined on later starts.
 */
export async function firstStart(services: Services, store: Store): Promise<FirstStartResult | undefined> {
  if ((await store.getSetting(FIRST_START_SETTING)) !== undefined) return undefined;
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
  }
  if ((await store.findClient(DOCS_CLIENT_ID)) === undefined) {
    await services.clients.create({
      clientId: DOCS_CLIENT_ID,
      name: 'Sesame API docs',
      type: 'public',
      grantTypes: ['password', 'refresh_token'],
      scopes: ['openid', 'admin'],
      redirectUris: [],
    });
    await services.audit({
      type: 'admin.client.created',
      actor: 'system',
      subject: DOCS_CLIENT_ID,
      details: { firstStart: true },
    });
    result.docsClient = true;
  }
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
    `  API docs:        ${config.issuer}/docs   (Authorize: log in as admin, client_id ${DOCS_CLIENT_ID})`,
    `  token endpoint:  ${config.issuer}/oauth/token`,
    `  JWKS:            ${config.issuer}/.well-known/jwks.json`,
    '',
  );
  return lines.join('\n');
}
