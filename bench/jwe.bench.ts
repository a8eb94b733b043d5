/**
 * `npm run bench:jwe`: encrypts and decrypts with @sesame/jwt and jose, one pair per key management
 * family, in interleaved rounds measured with mitata (as `npm run bench` does for JWS), prints the
 * medians and the ratio, and writes its section of bench/RESULTS.md (ratios against jose measured in
 * the same run; target: faster than jose on every pair) with the summary and bench/results.svg.
 *
 * `npm run bench:jwe -- dir A128KW` runs only the named families and writes nothing.
 */
import { Buffer } from 'node:buffer';
import os from 'node:os';
import {
  type ContentEncryptionAlgorithm,
  createDecrypter,
  createEncrypter,
  exportJWK,
  generateKeyPair,
  generateSecret,
  type Key,
  type KeyManagementAlgorithm,
} from '@sesame/jwt';
import * as jose from 'jose';
import { do_not_optimize, measure } from 'mitata';
import { type JweFigure, jweBars, renderJwe } from './lib/jwe-report.js';
import { writeSection } from './lib/results-file.js';

const PAIRS: [KeyManagementAlgorithm, ContentEncryptionAlgorithm][] = [
  ['dir', 'A256GCM'],
  ['A128KW', 'A128CBC-HS256'],
  ['A256GCMKW', 'A256GCM'],
  ['ECDH-ES', 'A256GCM'],
  ['ECDH-ES+A256KW', 'A256GCM'],
  ['RSA-OAEP-256', 'A256GCM'],
];
const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const ROUNDS = Number(process.env.SESAME_BENCH_ROUNDS ?? 5);
const BUDGET_NS = 60e6;
const PLAINTEXT = Buffer.from(JSON.stringify({ sub: 'u1', aud: 'api', scope: 'openid quiz', exp: 2e9 }));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const startedAt = new Date();
const loadBefore = os.loadavg()[0]!;
const figures: JweFigure[] = [];

for (const [alg, enc] of PAIRS.filter(([alg]) => requested.length === 0 || requested.includes(alg))) {
  let encrypting: Key<KeyManagementAlgorithm>;
  let decrypting: Key<KeyManagementAlgorithm>;
  if (alg.startsWith('RSA') || alg.startsWith('ECDH')) {
    ({ publicKey: encrypting, privateKey: decrypting } = generateKeyPair(alg));
  } else {
    encrypting = decrypting = generateSecret(alg, { enc });
  }
  const ours = createEncrypter({ key: encrypting, enc });
  const open = createDecrypter({
    key: decrypting,
    keyManagementAlgorithms: [alg],
    contentEncryptionAlgorithms: [enc],
  });
  const joseEncryptKey = await jose.importJWK(
    exportJWK(encrypting, { private: encrypting.type === 'secret' }) as jose.JWK,
    alg,
  );
  const joseDecryptKey = await jose.importJWK(exportJWK(decrypting, { private: true }) as jose.JWK, alg);
  const token = ours(PLAINTEXT);
  const contenders: [string, () => unknown][] = [
    ['sesame encrypt', () => do_not_optimize(ours(PLAINTEXT))],
    [
      'jose encrypt',
      () => new jose.CompactEncrypt(PLAINTEXT).setProtectedHeader({ alg, enc }).encrypt(joseEncryptKey),
    ],
    ['sesame decrypt', () => do_not_optimize(open(token))],
    ['jose decrypt', () => jose.compactDecrypt(token, joseDecryptKey)],
  ];
  const p50 = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of [...contenders.slice(round % 4), ...contenders.slice(0, round % 4)]) {
      const stats = await measure(fn, { min_cpu_time: BUDGET_NS });
      p50.set(name, [...(p50.get(name) ?? []), stats.p50]);
    }
  }
  const us = (name: string) => median(p50.get(name)!) / 1000;
  for (const op of ['encrypt', 'decrypt'] as const) {
    const ratio = us(`jose ${op}`) / us(`sesame ${op}`);
    figures.push({ alg, enc, op, sesame: us(`sesame ${op}`), jose: us(`jose ${op}`) });
    console.log(
      `${alg} ${enc} ${op}: sesame ${us(`sesame ${op}`).toFixed(2)} µs, jose ${us(`jose ${op}`).toFixed(2)} µs (sesame ${ratio.toFixed(2)}× as fast)`,
    );
  }
}

if (requested.length === 0) {
  const seconds = (Date.now() - startedAt.getTime()) / 1000;
  const markdown = renderJwe(figures, { startedAt, seconds, rounds: ROUNDS, budgetMs: BUDGET_NS / 1e6 });
  const load: [number, number] = [loadBefore, os.loadavg()[0]!];
  writeSection('jwe', markdown, { at: startedAt.toISOString(), load, bars: jweBars(figures) });
  console.log('wrote the jwe section of bench/RESULTS.md and bench/results.svg');
}
