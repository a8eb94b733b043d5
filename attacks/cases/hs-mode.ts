import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGuard, GuardError } from '@sesame/guard';
import { buildQuizApi } from '../../examples/quiz-api/src/app.js';
import { expectAccepted, expectRejected, login } from '../lib/deployment.js';
import { hmac, parts, segment } from '../lib/jose.js';
import { VECTORS } from '../lib/processes.js';
import { inBatches } from '../lib/report.js';
import { type Context, startDeployment } from '../lib/setup.js';

const CATEGORY = 'HS256 server: leaked-secret re-signing';
export const WEAK_SECRETS = join(VECTORS, 'weak-secrets', 'jwt.secrets.list');

/** Every line of the published list (CRLF; the first line is the empty secret), duplicates dropped. */
export function weakSecrets(): string[] {
  return [...new Set(readFileSync(WEAK_SECRETS, 'utf8').split(/\r?\n/))];
}

/**
 * A classic-profile server (HS256, shared secret; started with the list as its weakSecretsFile, so
 * this also shows a strong secret passes the check). Its genuine token, scopes raised to admin, is
 * re-signed with every secret of the list. In-process: each forgery goes to a guard configured
 * exactly as an API of this server would be (its secret, HS256). Over HTTP: a sample goes to the
 * quiz API (built in this process around that guard), /userinfo and introspection.
 */
export async function hsModeAttacks(ctx: Context): Promise<void> {
  const { report, cleanup } = ctx;
  const secret = randomBytes(32).toString('base64url');
  const classic = await startDeployment('classic', cleanup, {
    env: {
      SESAME_TOKEN_PROFILE: 'classic',
      SESAME_HMAC_SECRET: secret,
      SESAME_WEAK_SECRETS_FILE: WEAK_SECRETS,
    },
    quiz: false,
  });
  const guard = createGuard({
    issuer: classic.issuer,
    audience: 'quiz-api',
    algorithms: ['HS256'],
    key: secret,
    typ: false,
  });
  const quiz = await buildQuizApi({ guard });
  cleanup.push(async () => {
    await quiz.close();
    guard.close();
  });
  classic.api = await quiz.listen({ port: 0, host: '127.0.0.1' });

  const genuine = (await login(classic)).access_token;
  if (!(await expectAccepted(report, classic, CATEGORY, 'the genuine classic token', genuine))) return;
  const { header, payload } = parts(genuine);
  const input = `${segment(header)}.${segment({ ...payload, scopes: ['openid', 'quiz', 'admin'] })}`;
  const forged = (key: string) => `${input}.${hmac(input, key)}`;
  const inProcess = async (token: string) => {
    try {
      await guard.authenticate(`Bearer ${token}`);
      return 'accepted';
    } catch (error) {
      return error instanceof GuardError ? `${error.status}` : String(error);
    }
  };
  // Control: the same forgery with the real secret is accepted, so the in-process check can say yes.
  report.check(
    CATEGORY,
    'control: re-signed with the server secret, accepted in-process',
    (await inProcess(forged(secret))) === 'accepted',
  );

  const secrets = weakSecrets();
  const started = Date.now();
  for (const [line, weak] of secrets.entries()) {
    const verdict = await inProcess(forged(weak));
    report.check(
      CATEGORY,
      `in-process guard, secret #${line} of the list`,
      verdict === '401',
      `verdict ${verdict}`,
    );
  }
  const inProcessMs = Date.now() - started;

  // Over HTTP: the empty secret, every 1000th entry, and the first entries long enough (≥ 32 bytes)
  // to pass the length rule — the ones only the list itself catches.
  const sample = new Set([0, ...secrets.keys()].filter((i) => i % 1000 === 0));
  for (const i of secrets.keys()) {
    if (Buffer.byteLength(secrets[i]!) >= 32 && sample.size < 120) sample.add(i);
  }
  await inBatches([...sample], 8, (i) =>
    expectRejected(report, classic, CATEGORY, `over HTTP, secret #${i} of the list`, forged(secrets[i]!)),
  );
  report.note(
    `HS256: ${secrets.length} distinct secrets of jwt.secrets.list each re-signed the genuine classic token ` +
      `(scopes raised to admin) and went in-process to a guard holding the server's secret (${inProcessMs} ms); ` +
      `${sample.size} of them (the empty one, every 1000th, and long ones) were also sent over HTTP to the ` +
      'quiz API, /userinfo and /oauth/introspect.',
  );
}
