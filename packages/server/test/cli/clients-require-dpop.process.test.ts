/**
 * `sesame clients add --require-dpop` and `sesame clients set --require-dpop | --no-require-dpop`:
 * RFC 9449 §5.2 `dpop_bound_access_tokens`, shown as `dpopBoundAccessTokens` in `clients list --json`.
 */

import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './run-cli.js';

describe('sesame clients: --require-dpop', { timeout: 90_000 }, () => {
  it('registers a client that requires DPoP, and turns it off and on again', async () => {
    const dir = ['--data-dir', tempDir()];
    const main = { main: true };
    const added = await runCli(['clients', 'add', 'strict', '--require-dpop', '--json', ...dir], main);
    expect(added.code, added.stderr).toBe(0);
    const id = JSON.parse(added.stdout).client_id as string;
    const plain = await runCli(['clients', 'add', 'plain', '--json', ...dir], main);
    const plainId = JSON.parse(plain.stdout).client_id as string;
    const show = async (clientId: string) =>
      JSON.parse((await runCli(['clients', 'list', '--json', ...dir], main)).stdout).find(
        (client: { clientId: string }) => client.clientId === clientId,
      ).dpopBoundAccessTokens;
    expect(await show(id)).toBe(true);
    expect(await show(plainId)).toBe(false);

    const off = await runCli(['clients', 'set', id, '--no-require-dpop', ...dir], main);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout.trim()).toBe(`client ${id} changed: dpopBoundAccessTokens`);
    expect(await show(id)).toBe(false);
    const on = await runCli(['clients', 'set', id, '--require-dpop', ...dir], main);
    expect(on.code, on.stderr).toBe(0);
    expect(await show(id)).toBe(true);
  });
});
