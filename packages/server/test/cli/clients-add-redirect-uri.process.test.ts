/**
 * `sesame clients add --redirect-uri` refuses what registration refuses (the rules and their table
 * are in test/http/admin/redirect-uris.test.ts), in one line naming the URI and the rule.
 */

import { EXIT } from '@sesame/tools';
import { describe, expect, it } from 'vitest';
import { oneLineError, runCli, tempDir } from './run-cli.js';

describe('sesame clients add --redirect-uri', { timeout: 60_000 }, () => {
  it('refuses javascript: on one line with the URI and the rule', async () => {
    const result = await runCli(
      [
        'clients',
        'add',
        'web',
        '--grant',
        'authorization_code',
        '--redirect-uri',
        'javascript:alert(1)',
      ].concat(['--data-dir', tempDir()]),
      { main: true },
    );
    expect(result.code).toBe(EXIT.usage);
    expect(oneLineError(result.stderr).line).toMatch(
      /^error ERR_CLIENT_INVALID: redirect URI 'javascript:alert\(1\)' refused: the scheme javascript: is not allowed/,
    );
  });
});
