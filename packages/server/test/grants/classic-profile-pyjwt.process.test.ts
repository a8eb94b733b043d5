/**
 * The classic token profile read by another JWT library: Debian's python3-jwt (PyJWT), run by
 * /usr/bin/python3, accepts it for its audience and refuses it for another.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createTestApp, loginAlice, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SECRET = 'the-classic-shared-secret-32-bytes-long!';
const PYTHON = '/usr/bin/python3';

/** Debian's python3-jwt, when installed (CI installs it: .ci/run). */
function pythonJwtMissing(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import jwt'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return `${PYTHON} -c "import jwt" failed: install python3-jwt`;
  return undefined;
}

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ tokenProfile: 'classic', hmacSecret: SECRET, audience: 'quiz-api' });
});
afterAll(async () => t.close());

describe('classic token profile', () => {
  it("is accepted by Python's jwt.decode(token, secret, audience=..., algorithms=['HS256'])", async (context) => {
    const missing = pythonJwtMissing();
    if (missing) {
      console.log(`skipped: ${missing}`);
      context.skip();
    }
    const session = await loginAlice(t);
    const script = [
      'import json, sys, jwt',
      "token, secret = sys.stdin.read().split('\\n')[:2]",
      "claims = jwt.decode(token, secret, audience='quiz-api', algorithms=['HS256'])",
      'print(json.dumps(claims))',
    ].join('\n');
    const output = execFileSync(PYTHON, ['-c', script], {
      input: `${session.access_token}\n${SECRET}\n`,
      encoding: 'utf8',
    });
    expect(JSON.parse(output)).toMatchObject({
      sub: t.aliceId,
      username: 'alice',
      scopes: ['openid', 'quiz'],
      aud: 'quiz-api',
    });
    // and Python refuses it for another audience (the check is real)
    const wrongAudience = spawnSync(PYTHON, ['-c', script.replace("'quiz-api'", "'other-api'")], {
      input: `${session.access_token}\n${SECRET}\n`,
      encoding: 'utf8',
    });
    expect(wrongAudience.status).not.toBe(0);
    expect(wrongAudience.stderr).toMatch(/InvalidAudience/);
  });
});
