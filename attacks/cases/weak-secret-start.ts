import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@sesame/server';
import { freePort, sesame } from '../lib/processes.js';
import type { Context } from '../lib/setup.js';
import { WEAK_SECRETS, weakSecrets } from './hs-mode.js';

const CATEGORY = 'HS256 server: refuses to start with a weak secret';

/**
 * The server must not start with a secret anyone can look up. Every entry of the list goes through
 * the server's configuration validation in-process (loadConfig of the built @sesame/server, with
 * the list as weakSecretsFile); a handful go through the real `sesame serve`, which must exit
 * non-zero with one line on stderr that names the key and never repeats the secret.
 */
export async function weakSecretStartAttacks(ctx: Context): Promise<void> {
  const { report } = ctx;
  const secrets = weakSecrets();
  let accepted = 0;
  for (const [i, secret] of secrets.entries()) {
    let refused = false;
    try {
      loadConfig({ values: { tokenProfile: 'classic', hmacSecret: secret, weakSecretsFile: WEAK_SECRETS } });
    } catch (error) {
      refused = (error as Error).name === 'ConfigError';
    }
    if (!report.check(CATEGORY, `loadConfig refuses entry #${i} of the list`, refused)) accepted++;
  }
  report.note(
    `weak secrets at start: all ${secrets.length} entries checked in-process (${accepted} accepted)`,
  );

  // Long enough for the length rule and not caught by the built-in ones: only the list refuses it.
  const listedOnly = secrets.find(
    (secret) => Buffer.byteLength(secret) >= 32 && /[^A-Za-z0-9]/.test(secret) && new Set(secret).size > 1,
  )!;
  const runs: Array<[string, Record<string, string>, RegExp]> = [
    [
      'a listed 32+ byte secret, with the list',
      { SESAME_HMAC_SECRET: listedOnly, SESAME_WEAK_SECRETS_FILE: WEAK_SECRETS },
      /leaked/,
    ],
    [
      'a listed short secret ("secret")',
      { SESAME_HMAC_SECRET: 'secret', SESAME_WEAK_SECRETS_FILE: WEAK_SECRETS },
      /32 bytes/,
    ],
    ['the empty secret (first line of the list)', { SESAME_HMAC_SECRET: '' }, /hmacSecret|HMAC_SECRET/],
    ['one character repeated, no list', { SESAME_HMAC_SECRET: 'a'.repeat(48) }, /repeated/],
    [
      'a single 34-letter word, no list',
      { SESAME_HMAC_SECRET: 'supercalifragilisticexpialidocious' },
      /word/,
    ],
    [
      'a list that cannot be read',
      { SESAME_HMAC_SECRET: randomLooking(), SESAME_WEAK_SECRETS_FILE: '/nonexistent/jwt.secrets.list' },
      /weakSecretsFile|WEAK_SECRETS_FILE/,
    ],
  ];
  const dataDir = mkdtempSync(join(tmpdir(), 'sesame-attacks-weak-'));
  try {
    await Promise.all(
      runs.flatMap(([name, env, expected]) =>
        ['classic', 'HS256'].map(async (mode) => {
          const port = await freePort();
          const modeEnv: Record<string, string> =
            mode === 'classic' ? { SESAME_TOKEN_PROFILE: 'classic' } : { SESAME_ALGORITHM: 'HS256' };
          const run = await sesame(['serve', '--port', String(port), '--data-dir', dataDir], '', {
            ...modeEnv,
            ...env,
          });
          const lines = run.stderr.trim().split('\n');
          const secret = env.SESAME_HMAC_SECRET ?? '';
          const ok =
            run.code !== 0 &&
            lines.length === 1 &&
            expected.test(lines[0]!) &&
            (secret.length < 12 || !run.stderr.includes(secret)) &&
            !run.stdout.includes('listening');
          report.check(
            CATEGORY,
            `sesame serve (${mode}) refuses ${name}`,
            ok,
            `exit ${run.code}, stderr ${JSON.stringify(run.stderr.slice(0, 200))}`,
          );
        }),
      ),
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function randomLooking(): string {
  return `Zq7-vN2x_Lp9#wK4tR8m!Yb3cF6hJ1sD5gA0-${process.pid}`;
}
