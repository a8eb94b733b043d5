/**
 * The real `sesame` process: a person registers a client with a redirect URI and a WeChat
 * mini-program by CLI, runs `sesame serve`, goes through the authorize URL (login, consent) to the
 * redirect URI with a code, exchanges it; a mini-program logs in through the wxapp grant against a
 * local jscode2session stand-in; `sesame consents list|revoke` see and take back the consent.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort, runSesame } from '@sesame/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formFields } from '../helpers/authorize.js';
import { type StandIn, startWechatStandIn } from '../helpers/wechat-stand-in.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const MAIN = resolve(HERE, '../../src/cli/main.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const NODE_ARGS = ['--conditions=sesame-source', '--import', TSX, MAIN];
const REDIRECT = 'http://127.0.0.1:9/callback';
const WX_SECRET = 'cli-test-wechat-app-secret';

let wechat: StandIn;
let env: NodeJS.ProcessEnv;
const running: ChildProcess[] = [];
beforeAll(async () => {
  wechat = await startWechatStandIn();
  env = {
    ...process.env,
    SESAME_LOG_LEVEL: 'warn',
    SESAME_WECHAT_API_BASE: wechat.base,
    WX_CLI_SECRET: WX_SECRET,
  };
});
afterAll(async () => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
  await wechat.close();
});

function sesame(args: string[], input = '') {
  return runSesame(args, { env, cleanEnv: true, stdin: input });
}

function serve(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [...NODE_ARGS, 'serve', '--data-dir', dataDir, '--port', String(port)],
    {
      env,
    },
  );
  running.push(child);
  let output = '';
  return new Promise((done, fail) => {
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      if (output.includes('sesame listening')) done(child);
    });
    child.on('close', (code) => fail(new Error(`serve exited ${code}: ${output}`)));
  });
}

describe('sesame: authorization code and wxapp (real process)', { timeout: 120_000 }, () => {
  it('registers by CLI, authorizes in "a browser", exchanges the code, logs a mini-program in, revokes consent', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sesame-authz-'));
    const store = ['--data-dir', dataDir];
    const user = await sesame(
      ['users', 'add', 'alice', '--password-stdin', '--scopes', 'quiz', ...store],
      'alice password 1\n',
    );
    expect(user.code, user.stderr).toBe(0);
    const web = await sesame([
      'clients',
      'add',
      'Quiz Web',
      '--grant',
      'authorization_code,refresh_token',
      '--scopes',
      'quiz',
      '--redirect-uri',
      REDIRECT,
      '--json',
      ...store,
    ]);
    expect(web.code, web.stderr).toBe(0);
    const { client_id: webId, client_secret: webSecret } = JSON.parse(web.stdout);
    const mini = await sesame(['clients', 'add', 'Quiz Mini', '--scopes', 'quiz', '--json', ...store]);
    const { client_id: miniId, client_secret: miniSecret } = JSON.parse(mini.stdout);
    // Client ids are random base64url and may start with "-": they go after "--".
    const wx = await sesame([
      'clients',
      'wxapp',
      '--appid',
      'wx-cli-app',
      '--secret-env',
      'WX_CLI_SECRET',
      ...store,
      '--',
      miniId,
    ]);
    expect(wx.code, wx.stderr).toBe(0);
    expect(wx.stdout).toContain('AppSecret read from $WX_CLI_SECRET');
    expect(wx.stdout + wx.stderr).not.toContain(WX_SECRET);
    const refused = await sesame([
      'clients',
      'wxapp',
      '--appid',
      'wx-cli-app',
      '--secret-env',
      'SESAME_X',
      ...store,
      '--',
      miniId,
    ]);
    expect(refused.code).not.toBe(0);

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    await serve(dataDir, port);

    // The person's browser, reduced to fetch with a cookie jar.
    const jar = new Map<string, string>();
    const browse = async (url: string, form?: Record<string, string>) => {
      const response = await fetch(new URL(url, base), {
        method: form ? 'POST' : 'GET',
        redirect: 'manual',
        headers: {
          cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        body: form ? new URLSearchParams(form) : undefined,
      });
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        jar.set(pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1));
      }
      return {
        status: response.status,
        location: response.headers.get('location'),
        body: await response.text(),
      };
    };
    const verifier = randomBytes(32).toString('base64url');
    const authorize = `/oauth/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: webId,
      redirect_uri: REDIRECT,
      scope: 'quiz',
      state: 'cli',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    })}`;
    const login = await browse(authorize);
    expect(login.status).toBe(200);
    const loggedIn = await browse('/oauth/authorize/login', {
      ...formFields(login.body, '/oauth/authorize/login'),
      username: 'alice',
      password: 'alice password 1',
    });
    const consent = await browse(loggedIn.location!);
    const back = await browse('/oauth/authorize/consent', {
      ...formFields(consent.body, '/oauth/authorize/consent'),
      decision: 'allow',
    });
    expect(back.status).toBe(303);
    const landed = new URL(back.location!);
    expect(`${landed.origin}${landed.pathname}`).toBe(REDIRECT);
    expect(landed.searchParams.get('state')).toBe('cli');

    const token = (fields: Record<string, string>, id: string, secret: string) =>
      fetch(`${base}/oauth/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
        },
        body: new URLSearchParams(fields),
      });
    const exchanged = await token(
      {
        grant_type: 'authorization_code',
        code: landed.searchParams.get('code')!,
        code_verifier: verifier,
        redirect_uri: REDIRECT,
      },
      webId,
      webSecret,
    );
    expect(exchanged.status).toBe(200);
    expect(((await exchanged.json()) as { scope: string }).scope).toBe('quiz');

    const wxLogin = await token({ grant_type: 'wxapp', code: 'ok-cli-openid' }, miniId, miniSecret);
    expect(wxLogin.status).toBe(200);
    expect(Object.fromEntries(wechat.calls.at(-1)!)).toMatchObject({
      appid: 'wx-cli-app',
      secret: WX_SECRET,
    });

    const listed = await sesame(['consents', 'list', 'alice', ...store]);
    expect(listed.stdout).toMatch(new RegExp(`^${webId}\\tquiz\\t`));
    const revoked = await sesame(['consents', 'revoke', ...store, '--', 'alice', webId]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toBe(`consent of alice to ${webId} revoked (1 session ended)\n`);
    const none = await sesame(['consents', 'revoke', ...store, '--', 'alice', webId]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('has no consent');
  });
});
