/**
 * `sesame clients add` and `sesame clients set` with the OpenID Connect registration flags:
 * --post-logout-redirect-uri (repeatable), --backchannel-logout-uri, --auth-method, --id-token-alg,
 * --no-pkce (and --pkce on set). Refusals are one line with a non-zero exit.
 */

import { EXIT } from '@sesame/tools';
import { describe, expect, it } from 'vitest';
import { oneLineError, runCli, tempDir } from './run-cli.js';

describe('sesame clients: registration flags', { timeout: 90_000 }, () => {
  it('adds and sets them, shows them in list --json, and refuses bad values on one line', async () => {
    const dir = ['--data-dir', tempDir()];
    const main = { main: true };
    const added = await runCli(
      [
        'clients',
        'add',
        'rp',
        '--grant',
        'authorization_code',
        '--redirect-uri',
        'https://rp.example/cb',
        '--post-logout-redirect-uri',
        'https://rp.example/bye',
        '--post-logout-redirect-uri',
        'https://rp.example/bye2',
        '--backchannel-logout-uri',
        'https://rp.example/logout',
        '--auth-method',
        'client_secret_basic',
        '--no-pkce',
        '--json',
        ...dir,
      ],
      main,
    );
    expect(added.code, added.stderr).toBe(0);
    const id = JSON.parse(added.stdout).client_id as string;
    const show = async () =>
      JSON.parse((await runCli(['clients', 'list', '--json', ...dir], main)).stdout).find(
        (client: { clientId: string }) => client.clientId === id,
      );
    expect(await show()).toMatchObject({
      postLogoutRedirectUris: ['https://rp.example/bye', 'https://rp.example/bye2'],
      backchannelLogoutUri: 'https://rp.example/logout',
      tokenEndpointAuthMethod: 'client_secret_basic',
      requirePkce: false,
    });

    const set = await runCli(
      ['clients', 'set', id, '--pkce', '--auth-method', 'client_secret_post', ...dir],
      main,
    );
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout.trim()).toBe(`client ${id} changed: tokenEndpointAuthMethod, requirePkce`);
    expect(await show()).toMatchObject({
      tokenEndpointAuthMethod: 'client_secret_post',
      requirePkce: true,
      backchannelLogoutUri: 'https://rp.example/logout',
    });

    const pub = await runCli(
      ['clients', 'add', 'spa', '--public', '--grant', 'authorization_code', '--no-pkce', ...dir],
      main,
    );
    expect(pub.code).toBe(EXIT.usage);
    expect(oneLineError(pub.stderr).line).toBe(
      'error ERR_CLIENT_INVALID: requirePkce: a public client always needs PKCE',
    );
    const method = await runCli(['clients', 'set', id, '--auth-method', 'tls_client_auth', ...dir], main);
    expect(method.code).toBe(EXIT.usage);
    expect(oneLineError(method.stderr).line).toBe(
      'error ERR_CLI_USAGE: --auth-method "tls_client_auth" is not a method; valid: client_secret_basic, client_secret_post, private_key_jwt, none',
    );
    const http = await runCli(
      ['clients', 'set', id, '--backchannel-logout-uri', 'http://rp.example/logout', ...dir],
      main,
    );
    expect(http.code).toBe(EXIT.usage);
    expect(oneLineError(http.stderr).line).toMatch(
      /^error ERR_CLIENT_INVALID: backchannelLogoutUri: .*loopback/,
    );
    // The ID token's algorithm: RS256 beside the configured ES256; one the keyring lacks is refused.
    const rs = await runCli(['clients', 'set', id, '--id-token-alg', 'RS256', ...dir], main);
    expect(rs.code, rs.stderr).toBe(0);
    expect(rs.stdout.trim()).toBe(`client ${id} changed: idTokenSignedResponseAlg`);
    expect((await show()).idTokenSignedResponseAlg).toBe('RS256');
    const ps = await runCli(['clients', 'add', 'rp2', '--id-token-alg', 'PS256', ...dir], main);
    expect(ps.code).toBe(EXIT.usage);
    expect(oneLineError(ps.stderr).line).toBe(
      "error ERR_CLIENT_INVALID: idTokenSignedResponseAlg: 'PS256' is not an algorithm this server signs with; valid: ES256, RS256",
    );
    const nothing = await runCli(['clients', 'set', id, ...dir], main);
    expect(nothing.code).toBe(EXIT.usage);
    expect(oneLineError(nothing.stderr).line).toMatch(/^error ERR_CLI_USAGE: nothing to change/);
    const nobody = await runCli(['clients', 'set', 'nobody', '--pkce', ...dir], main);
    expect(nobody.code).toBe(EXIT.rejected);
    expect(oneLineError(nobody.stderr).line).toMatch(/^error ERR_CLIENT_NOT_FOUND: /);
  });
});
