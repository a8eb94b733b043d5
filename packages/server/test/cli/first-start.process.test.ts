/**
 * The first-start banner names who can log in: the admin it made, with how to recover a lost
 * password, or, when users were added with the CLI before the first start (no admin is made
 * then), those users — it once said "log in as admin" with no admin in the store.
 */

import { openTempStore } from '@sesame/testkit/app';
import { afterEach, describe, expect, it } from 'vitest';
import { firstStartBanner, runFirstStart } from '../../src/cli/first-start.js';
import { loadConfig } from '../../src/config/config.js';
import { createServices } from '../../src/wiring.js';

const config = loadConfig({ values: { issuer: 'http://127.0.0.1:8080', dataDir: '/srv/sesame' } });
let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

async function storeWith(users: Array<{ username: string; scopes: string[] }>) {
  const store = await openTempStore();
  close = () => store.close();
  const services = await createServices({ config, store, now: Date.now, rotateKeys: false });
  for (const user of users)
    await services.users.create({ ...user, password: `${user.username} password 1` }, 'test');
  await services.close();
  return store;
}

describe('the first-start banner', () => {
  it('gives the admin it made and how to set a new password if this one is lost', async () => {
    const created = await runFirstStart(config, await storeWith([]));
    const banner = firstStartBanner(created!, config);
    expect(banner).toMatch(/admin password: {2}\S{20,}/);
    expect(banner).toContain('(Authorize: log in as admin, client_id sesame-docs)');
    expect(banner).toContain(
      'Lost the password? `sesame users passwd admin --data-dir /srv/sesame` sets a new one.',
    );
  });

  it('names the users added before the first start, and says no admin was made', async () => {
    const store = await storeWith([{ username: 'alice', scopes: ['openid', 'quiz'] }]);
    const created = await runFirstStart(config, store);
    expect(created?.admin).toBeUndefined();
    expect(await store.findUserByName('admin')).toBeUndefined();
    const banner = firstStartBanner(created!, config);
    expect(banner).not.toContain('log in as admin');
    expect(banner).not.toContain('password:');
    expect(banner).toContain('(Authorize: log in as alice (users existed, so no admin was made)');
    expect(banner).toContain(
      'No user has the admin scope that /admin needs: `sesame users add NAME --scopes "openid admin" --data-dir /srv/sesame`',
    );
  });

  it('names the users with the admin scope first', async () => {
    const store = await storeWith([
      { username: 'alice', scopes: ['openid'] },
      { username: 'root', scopes: ['openid', 'admin'] },
    ]);
    const banner = firstStartBanner((await runFirstStart(config, store))!, config);
    expect(banner).toContain('log in as root or another user (users existed, so no admin was made)');
    expect(banner).not.toContain('No user has the admin scope');
  });
});
