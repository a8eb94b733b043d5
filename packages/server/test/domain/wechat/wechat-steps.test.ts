/** The WeChat mini-program steps: set-up (`sesame clients wxapp`), single-use codes, login. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WXAPP_GRANT_TYPE } from '../../../src/domain/wechat/wechat-steps.js';
import { type DomainFixture, openDomainFixture } from '../fixture.js';

describe('wechat steps', () => {
  let f: DomainFixture;
  beforeEach(async () => {
    f = await openDomainFixture();
    await f.services.clients.create(
      { name: 'mini', clientId: 'mini', grantTypes: ['refresh_token'], scopes: ['openid', 'quiz', 'admin'] },
      'test',
    );
  });
  afterEach(() => f.close());

  it('setting the app allows the client the wxapp grant at once and audits it', async () => {
    expect((await f.services.clients.find('mini'))?.grantTypes).not.toContain(WXAPP_GRANT_TYPE); // remembered
    await f.services.wechat.setApp({ clientId: 'mini', appid: 'wx123', secretEnv: 'MINI_SECRET' }, 'cli');
    expect(await f.services.wechat.app('mini')).toMatchObject({ appid: 'wx123', secretEnv: 'MINI_SECRET' });
    expect((await f.services.clients.find('mini'))?.grantTypes).toEqual(['refresh_token', WXAPP_GRANT_TYPE]);
    expect((await f.audits('admin.client.wxapp')).map((event) => [event.actor, event.details])).toEqual([
      ['cli', { appid: 'wx123' }],
    ]);
    expect(await f.services.wechat.removeApp('mini', 'cli')).toBe(true);
    expect(await f.services.wechat.removeApp('mini', 'cli')).toBe(false);
    expect(await f.audits('admin.client.wxapp')).toHaveLength(2);
  });

  it('an unknown client gets no app', async () => {
    await expect(
      f.services.wechat.setApp({ clientId: 'nobody', appid: 'wx123', secretEnv: 'MINI_SECRET' }, 'cli'),
    ).rejects.toMatchObject({ code: 'ERR_CLIENT_NOT_FOUND' });
    expect(await f.services.wechat.app('nobody')).toBeUndefined();
  });

  it('a code is spent once per mini-program', async () => {
    expect(await f.services.wechat.spendCode('wx123', 'code-1')).toBe(true);
    expect(await f.services.wechat.spendCode('wx123', 'code-1')).toBe(false);
    expect(await f.services.wechat.spendCode('wx999', 'code-1')).toBe(true);
  });

  it('a first login makes a user without the admin scope; a disabled user gets nothing', async () => {
    const client = (await f.services.clients.find('mini'))!;
    const login = () =>
      f.services.wechat.login({ client, appid: 'wx123', openid: 'o-1', unionid: null, ip: '192.0.2.1' });
    const user = (await login())!;
    expect(user.scopes).toEqual(['openid', 'quiz']);
    expect((await login())?.id).toBe(user.id);
    expect((await f.audits('login.ok')).map((event) => event.details)).toEqual([
      { via: 'wxapp', created: true },
      { via: 'wxapp', created: false },
    ]);
    await f.services.users.change(user, { disabled: true }, 'cli');
    expect(await login()).toBeUndefined();
    expect(await f.audits('login.ok')).toHaveLength(2);
  });
});
