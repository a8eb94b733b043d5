/**
 * `npm run bench:dpop`: what DPoP (RFC 9449) adds, counted in instructions (lib/callgrind.ts).
 *
 * - The guard: one process (bench/targets/guard-dpop.ts) checks a remembered Bearer token, and a
 *   remembered DPoP-bound token with a fresh proof, in alternating windows; the difference is set
 *   against the allowance, one ES256 signature verification (node:crypto) and one write to
 *   the guard's replay cache, counted in the same process.
 * - The token endpoint: one `sesame serve` (default ES256) answers client_credentials without and
 *   with a DPoP proof in alternating windows; the difference is reported beside the same reference
 *   (no target: the proof is one verification, the token's `cnf` a thumbprint).
 *
 * Flags: `--warmup N` (default 1000), `--pairs N` (5), `--per-window N` (150), `--quick`
 * (200 / 2 / 50, no file written).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dpopKey } from '@sesame/testkit';
import {
  type Counted,
  countedRunFlags,
  lineReader,
  median,
  startCounted,
  waitCountedReady,
} from './lib/callgrind.js';
import { load1 } from './lib/machine.js';
import { freePort, ROOT, runNode, TSX_IMPORT } from './lib/processes.js';
import { type Bar, writeSection } from './lib/results-file.js';
import { addClient, basic, SESAME_CLI } from './lib/sesame.js';

const { quick, warmup: WARMUP, pairs: PAIRS, perWindow: PER_WINDOW } = countedRunFlags('bench:dpop');

/** The environment without any SESAME_* variable of the caller's. */
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SESAME_')));
const work = mkdtempSync(join(tmpdir(), 'sesame-dpop-'));
const loadBefore = load1();

/** Per-request instructions of each labelled window, in order. */
function perRequest(counts: { label: string; instructions: number }[], label: string): number[] {
  const values = counts.filter((c) => c.label === label).map((c) => c.instructions / PER_WINDOW);
  if (values.length !== PAIRS) throw new Error(`${label}: ${values.length} windows counted, not ${PAIRS}`);
  return values;
}

/** Waits for the target's next line and checks it is `expected`. */
function expecting(counted: Counted) {
  const next = lineReader(counted);
  return async (expected: string) => {
    const line = await next();
    if (line !== expected) throw new Error(`guard-dpop.ts answered ${line ?? 'nothing'}, not ${expected}`);
  };
}

const GUARD_KINDS = ['bearer', 'dpop', 'reference'] as const;

async function measureGuard(): Promise<Record<(typeof GUARD_KINDS)[number], number[]>> {
  const counted = startCounted([...TSX_IMPORT, 'bench/targets/guard-dpop.ts'], join(work, 'guard.out'), {
    cwd: ROOT,
    env,
    stdio: 'pipe',
  });
  const expect = expecting(counted);
  const window = async (kind: string, count: number, label?: string) => {
    counted.child.stdin!.write(`prep ${kind} ${count}\n`);
    await expect('ready');
    if (label !== undefined) counted.zero();
    counted.child.stdin!.write('run\n');
    await expect('done');
    if (label !== undefined) counted.dump(label);
  };
  let counts: { label: string; instructions: number }[];
  try {
    await expect('ready'); // after its own uninstrumented warm-up of 1,000 of each kind
    for (let done = 0; done < WARMUP; done += 200)
      for (const kind of GUARD_KINDS) await window(kind, Math.min(200, WARMUP - done));
    counted.instrument();
    for (const kind of GUARD_KINDS) await window(kind, 20);
    for (let pair = 0; pair < PAIRS; pair++)
      for (const kind of GUARD_KINDS) await window(kind, PER_WINDOW, kind);
    counted.child.stdin!.end();
  } finally {
    counts = await counted.stop();
  }
  return {
    bearer: perRequest(counts, 'bearer'),
    dpop: perRequest(counts, 'dpop'),
    reference: perRequest(counts, 'reference'),
  };
}

async function measureTokenEndpoint(): Promise<{ bearer: number[]; dpop: number[] }> {
  const dataDir = join(work, 'data');
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const tokenUrl = `${issuer}/oauth/token`;
  const cli = (cliArgs: readonly string[], stdin?: string) =>
    runNode([SESAME_CLI, ...cliArgs, '--data-dir', dataDir], { env, stdin });
  const service = await addClient({ cli }, 'bench-service', 'client_credentials', 'api');
  const server = startCounted(
    [SESAME_CLI, 'serve', '--port', String(port), '--data-dir', dataDir, '--workers', '1'],
    join(work, 'server.out'),
    { cwd: ROOT, env },
  );
  const key = dpopKey('ES256');
  const headers = { authorization: basic(service), 'content-type': 'application/x-www-form-urlencoded' };
  const body = new URLSearchParams({ grant_type: 'client_credentials', scope: 'api' }).toString();
  const request = async (kind: 'bearer' | 'dpop', proof: string | undefined) => {
    const response = await fetch(tokenUrl, {
      method: 'POST',
      headers: proof === undefined ? headers : { ...headers, dpop: proof },
      body,
    });
    const answer = (await response.json()) as { token_type?: string };
    // Every counted request did what its kind says: 200, and a DPoP token exactly with a proof.
    if (response.status !== 200 || (answer.token_type === 'DPoP') !== (kind === 'dpop'))
      throw new Error(`${kind}: answered ${response.status}, token_type ${answer.token_type}`);
  };
  // Proofs are made before the window they are spent in, outside the count (a client's work).
  const proofs = (kind: 'bearer' | 'dpop', count: number) =>
    Array.from({ length: count }, () =>
      kind === 'dpop' ? key.proof({ htm: 'POST', htu: tokenUrl }) : undefined,
    );
  const window = async (kind: 'bearer' | 'dpop', count: number, counted: boolean) => {
    const made = proofs(kind, count);
    if (counted) server.zero();
    for (const proof of made) await request(kind, proof);
    if (counted) server.dump(kind);
  };
  let counts: { label: string; instructions: number }[];
  try {
    await waitCountedReady(`${issuer}/readyz`, server.child);
    for (let done = 0; done < WARMUP; done += 200)
      for (const kind of ['bearer', 'dpop'] as const) await window(kind, Math.min(200, WARMUP - done), false);
    server.instrument();
    for (const kind of ['bearer', 'dpop'] as const) await window(kind, 20, false);
    for (let pair = 0; pair < PAIRS; pair++)
      for (const kind of ['bearer', 'dpop'] as const) await window(kind, PER_WINDOW, true);
  } finally {
    counts = await server.stop();
  }
  return { bearer: perRequest(counts, 'bearer'), dpop: perRequest(counts, 'dpop') };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const pairRows = (a: number[], b: number[]) =>
  a.map((x, i) => `| ${i + 1} | ${fmt(x)} | ${fmt(b[i]!)} | ${fmt(b[i]! - x)} |`);
try {
  const guard = await measureGuard();
  const token = await measureTokenEndpoint();
  const allowance = median(guard.reference);
  const guardExtra = median(guard.dpop.map((v, i) => v - guard.bearer[i]!));
  const tokenExtra = median(token.dpop.map((v, i) => v - token.bearer[i]!));
  const bars: Bar[] = [
    {
      label: 'guard: instructions a DPoP proof adds to a check',
      ratio: guardExtra / allowance,
      reference: 'one ES256 verification and one replay-cache write',
      target: { value: 1, kind: 'max' },
      detail: `${fmt(guardExtra)} vs ${fmt(allowance)} instructions`,
    },
  ];
  const markdown = [
    '### Target',
    '',
    `- The guard's check with a DPoP proof costs at most one more signature verification and one cache write than the same token as Bearer: the proof adds ${fmt(guardExtra)} instructions per check (median of ${PAIRS} pairs of windows), ${(guardExtra / allowance).toFixed(2)}× that allowance (${fmt(allowance)}: an ES256 verification with node:crypto over 300 bytes and one write to the guard's in-memory replay cache, counted in the same process).`,
    `- The token endpoint (client_credentials, no target): a DPoP proof adds ${fmt(tokenExtra)} instructions per request, ${(tokenExtra / allowance).toFixed(2)}× the same allowance.`,
    '',
    '### Figures',
    '',
    '| guard, window pair | Bearer (instructions / check) | DPoP | difference |',
    '| --- | ---: | ---: | ---: |',
    ...pairRows(guard.bearer, guard.dpop),
    `| median | ${fmt(median(guard.bearer))} | ${fmt(median(guard.dpop))} | ${fmt(guardExtra)} |`,
    '',
    '| token endpoint, window pair | without a proof (instructions / request) | with a proof | difference |',
    '| --- | ---: | ---: | ---: |',
    ...pairRows(token.bearer, token.dpop),
    `| median | ${fmt(median(token.bearer))} | ${fmt(median(token.dpop))} | ${fmt(tokenExtra)} |`,
    '',
    '### How',
    '',
    `- Instructions of the main thread under \`valgrind --tool=callgrind --separate-threads=yes\` (lib/callgrind.ts says why); repeatable whatever else the machine runs, and not seconds.`,
    `- Guard (bench/targets/guard-dpop.ts): @sesame/guard in the counted process, \`authenticate\` with the request as the Fastify and Express adapters call it; ES256 tokens verified once before and then remembered (as when a client repeats its token), so each DPoP check pays the proof: its ES256 signature, its claims, \`ath\` and the replay-cache write. Proofs are signed before each window and not counted. After ${WARMUP} checks of each kind uninstrumented, ${PAIRS} rounds of a window of ${PER_WINDOW} checks of each kind (Bearer, DPoP, the allowance).`,
    `- Token endpoint: one \`sesame serve\` (default configuration, one worker, no DPoP nonce), one confidential client (client_secret_basic), ${WARMUP} requests of each kind uninstrumented, then ${PAIRS} pairs of windows of ${PER_WINDOW}, one request at a time, each checked (200; \`token_type\` DPoP exactly with a proof).`,
  ].join('\n');
  process.stdout.write(`\n${markdown}\n`);
  if (!quick)
    writeSection('dpop', markdown, { at: new Date().toISOString(), load: [loadBefore, load1()], bars });
} finally {
  rmSync(work, { recursive: true, force: true });
}
