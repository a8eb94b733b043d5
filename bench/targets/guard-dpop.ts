/**
 * A counted process for bench/dpop.bench.ts: @sesame/guard in this process, checking requests as
 * its adapters do (`authenticate` with the request), so that callgrind can count one kind of check
 * at a time. Kinds:
 * - `bearer`: an unbound ES256 access token, already verified once (the guard remembers verified
 *   tokens by their text, as in real traffic where a client repeats its token);
 * - `dpop`: a token bound to the client's key (`cnf.jkt`), also remembered, with a fresh proof per
 *   request: the proof's signature, its claims, `ath`, and one replay-cache write;
 * - `reference`: what the target allows for the difference: one ES256 signature verification with
 *   node:crypto over a proof-sized input, and one write to the guard's own replay cache.
 *
 * Protocol on stdin/stdout, one line each: `prep KIND N` makes N requests (proofs signed now, not
 * counted) and answers `ready`; `run` checks them, each one checked to pass, and answers `done`.
 * The caller zeroes callgrind's counters between `ready` and `run`, and dumps after `done`.
 *
 * Usage: node --import tsx bench/targets/guard-dpop.ts
 */
import { createSign, createVerify, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { createGuard, memoryReplayCache } from '@sesame/guard';
import { createSigner, importKey } from '@sesame/jwt';
import { dpopKey } from '@sesame/testkit';

const ISSUER = 'http://127.0.0.1:40000';
const URL_CHECKED = 'http://127.0.0.1:40001/answers';
const issuerKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signToken = createSigner({ key: importKey(issuerKeys.privateKey, 'ES256'), typ: 'at+jwt' });
const client = dpopKey('ES256');
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown>) => ({
  iss: ISSUER,
  aud: 'quiz-api',
  sub: '3f1c2a9e-5b7d-4e2f-9a61-0c8d7e6f5a4b',
  client_id: 'c_8f0e6d4c2b1a39587f6e5d4c',
  scope: 'quiz',
  jti: randomUUID(),
  exp: now() + 3600,
  ...extra,
});
const bearerToken = signToken(claims({}));
const boundToken = signToken(claims({ cnf: { jkt: client.jkt } }));
const options = { issuer: ISSUER, audience: 'quiz-api', key: importKey(issuerKeys.publicKey, 'ES256') };
const bearerGuard = createGuard(options);
const dpopGuard = createGuard({ ...options, dpop: { replay: { maxEntries: 1_000_000 } } });

// The reference: a proof-sized input signed once, verified each time; a replay cache like the guard's.
const referenceKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const proofSized = Buffer.alloc(300, 7);
const referenceSignature = createSign('sha256').update(proofSized).sign(referenceKeys.privateKey);
const referenceCache = memoryReplayCache({ now: Date.now, maxEntries: 1_000_000 });

type Check = () => Promise<unknown>;
let prepared: Check[] = [];

function prep(kind: string, count: number): Check[] {
  const checks: Check[] = [];
  for (let i = 0; i < count; i++) {
    if (kind === 'bearer') checks.push(() => bearerGuard.authenticate(`Bearer ${bearerToken}`));
    else if (kind === 'dpop') {
      const dpop = client.proof({ htm: 'POST', htu: URL_CHECKED, accessToken: boundToken });
      const request = { method: 'POST', url: URL_CHECKED, dpop };
      checks.push(() => dpopGuard.authenticate(`DPoP ${boundToken}`, { request }));
    } else if (kind === 'reference') {
      const key = `${client.jkt}:${randomUUID()}`;
      checks.push(async () => {
        const ok = createVerify('sha256')
          .update(proofSized)
          .verify(referenceKeys.publicKey, referenceSignature);
        if (!ok || !(await referenceCache.remember(key, Date.now() + 300_000)))
          throw new Error('reference failed');
      });
    } else throw new Error(`unknown kind ${kind}`);
  }
  return checks;
}

async function run(checks: Check[]): Promise<void> {
  for (const check of checks) await check();
}

// Warm-up, uninstrumented: every path optimised before anything is counted.
for (const kind of ['bearer', 'dpop', 'reference']) await run(prep(kind, 1000));
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const [command, kind, count] = line.split(' ');
  if (command === 'prep') {
    prepared = prep(kind!, Number(count));
    process.stdout.write('ready\n');
  } else if (command === 'run') {
    await run(prepared);
    process.stdout.write('done\n');
  }
}
bearerGuard.close();
dpopGuard.close();
