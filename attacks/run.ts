/**
 * `npm run test:attacks`: the attack suite. Starts real Sesame servers (the built CLI) and the quiz
 * API behind @sesame/guard, obtains genuine tokens, then forges and replays, and counts what gets
 * through. Prints `N passed, N failed`, lists every accepted forgery by name, and exits non-zero on
 * any failure. Needs `npm run build` first. The leaked-secret list comes from ../shared/vectors
 * beside the checkout (or SESAME_VECTORS_DIR); without it the two categories that read it are
 * skipped with one line outside CI, and the run fails at once in CI (scripts/vectors.ts).
 */

import { dataVerdict } from '../scripts/vectors.js';
import { authorizeRequestAttacks } from './cases/authorize-request.js';
import { claimAttacks, expiryAttack, prepareExpiry } from './cases/claims.js';
import { clientAssertionAttacks } from './cases/client-assertion.js';
import { clientRegistrationAttacks } from './cases/client-registration.js';
import { codeReplayAttacks } from './cases/code-replay.js';
import { dpopAttacks } from './cases/dpop.js';
import { ecdsaAttacks } from './cases/ecdsa.js';
import { encryptedResponseAttacks } from './cases/encrypted-responses.js';
import { entitlementAttacks } from './cases/entitlement.js';
import { headerKeyAttacks } from './cases/header-keys.js';
import { hsModeAttacks, WEAK_SECRETS } from './cases/hs-mode.js';
import { httpEdgeAttacks } from './cases/http-edges.js';
import { idTokenAttacks } from './cases/id-tokens.js';
import { jweAttacks } from './cases/jwe.js';
import { keyConfusionAttacks } from './cases/key-confusion.js';
import { leakedKeyAttacks } from './cases/leaked-key.js';
import { loginProtectionAttacks } from './cases/login-protection.js';
import { logoutAttacks } from './cases/logout.js';
import { malformedAttacks } from './cases/malformed.js';
import { malformedBodyAttacks } from './cases/malformed-bodies.js';
import { metricsPortAttacks } from './cases/metrics-port.js';
import { parAttacks, preparePar } from './cases/par.js';
import { profileAttacks } from './cases/profile-and-userinfo.js';
import { promptAttacks } from './cases/prompt.js';
import { protocolGrammarAttacks } from './cases/protocol-grammar.js';
import { refreshReplayAttacks, stuffingAttacks } from './cases/replay.js';
import { revocationReachAttacks } from './cases/revocation-reach.js';
import { signatureAttacks } from './cases/signature.js';
import { slowReaderAttacks } from './cases/slow-reader.js';
import { weakSecretStartAttacks } from './cases/weak-secret-start.js';
import { assertBuilt } from './lib/processes.js';
import { Report } from './lib/report.js';
import { type Context, runCleanup, startDeployment } from './lib/setup.js';

const report = new Report();
const cleanup: Context['cleanup'] = [];

async function step(category: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    report.error(category, error);
  }
}

async function main(): Promise<void> {
  const weakList = dataVerdict(
    'test:attacks',
    WEAK_SECRETS,
    "the leaked-secret list that the 'hs mode' and 'weak secrets at start' categories forge with",
  );
  if (!weakList.present) {
    (weakList.skip ? console.log : console.error)(weakList.line);
    if (!weakList.skip) process.exit(weakList.exitCode);
    report.note(`skipped 'hs mode' and 'weak secrets at start': ${WEAK_SECRETS} is missing`);
  }
  assertBuilt();
  process.stdout.write('starting two Sesame deployments (server + quiz API each)...\n');
  const [mainDeployment, other] = await Promise.all([
    // Rotated twice before the first start, so a retired key is published; no refresh grace window,
    // so a replayed refresh token is reuse at once.
    startDeployment('main', cleanup, { rotations: 2, env: { SESAME_REFRESH_GRACE_WINDOW: '0' } }),
    // 10-second access tokens (the minimum): genuinely expired tokens within the run.
    startDeployment('other', cleanup, { env: { SESAME_ACCESS_TOKEN_TTL: '10s' } }),
  ]);
  const ctx: Context = { report, main: mainDeployment, other, cleanup };
  const expiring = await prepareExpiry(ctx);
  // Pushed now, found expired by the 'par' category later in the run.
  const pushedEarly = await preparePar(ctx);

  const categories: Array<[string, (ctx: Context) => Promise<void>]> = [
    ['signatures', signatureAttacks],
    ['key confusion', keyConfusionAttacks],
    ['header keys', headerKeyAttacks],
    ['ecdsa', ecdsaAttacks],
    ['jwe', jweAttacks],
    ['malformed tokens', malformedAttacks],
    ['leaked key', leakedKeyAttacks],
    ['claims', claimAttacks],
    ['expiry', (c) => expiryAttack(c, expiring)],
    ['hs mode', hsModeAttacks],
    ['weak secrets at start', weakSecretStartAttacks],
    ['refresh replay', refreshReplayAttacks],
    ['code replay', codeReplayAttacks],
    ['id token substitution', idTokenAttacks],
    ['encrypted responses', encryptedResponseAttacks],
    ['prompt and login_hint', promptAttacks],
    ['authorization request', authorizeRequestAttacks],
    ['logout', logoutAttacks],
    ['client registration', clientRegistrationAttacks],
    ['client assertion', clientAssertionAttacks],
    ['dpop', dpopAttacks],
    ['par', (c) => parAttacks(c, pushedEarly)],
    ['profile and userinfo', profileAttacks],
    ['http edges', httpEdgeAttacks],
    ['protocol grammar', protocolGrammarAttacks],
    ['login protection', loginProtectionAttacks],
    ['revocation reach', revocationReachAttacks],
    ['entitlement', entitlementAttacks],
    ['slow reader', slowReaderAttacks],
    ['metrics port', metricsPortAttacks],
    // Last on the main server: failed logins throttle this address there.
    ['malformed bodies', malformedBodyAttacks],
    ['credential stuffing', stuffingAttacks],
  ];
  const needsList = new Set(['hs mode', 'weak secrets at start']);
  // `npm run test:attacks -- --only NAME[,NAME]`: those categories alone, while working on them.
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt > 0 ? new Set(process.argv[onlyAt + 1]?.split(',')) : undefined;
  if (only !== undefined) report.note(`--only: ran ${[...only].join(', ')} and no other category`);
  for (const [name, run] of categories) {
    if (!weakList.present && needsList.has(name)) continue;
    if (only !== undefined && !only.has(name)) continue;
    const started = Date.now();
    process.stdout.write(`- ${name}...`);
    await step(name, () => run(ctx));
    process.stdout.write(` ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
}

try {
  await main();
} catch (error) {
  report.error('set-up', error);
} finally {
  await runCleanup(cleanup);
}
process.exitCode = report.print();
