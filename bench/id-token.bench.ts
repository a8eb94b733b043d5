/**
 * `npm run bench:id-token`: what an ID token adds to the code exchange's token request, counted in
 * instructions (lib/callgrind.ts), against one signature counted the same way in the same run.
 * The measure: the request with `openid` costs at most one more signature than without.
 *
 * The real server (`sesame serve`, one process, its default ES256 keys and configuration) runs
 * under callgrind. One client, one signed-in browser, two kinds of code: for `api` and for
 * `openid api` (lib/codes.ts makes them by the code flow, outside the counted windows). After a
 * warm-up of `--warmup` exchanges of each kind (uninstrumented: V8 has optimised the hot paths by
 * then), `--pairs` pairs of counted windows of `--per-window` exchanges, one request at a time,
 * alternate the two kinds; each pair gives a difference, and the median difference is the ID
 * token's cost. The references sign in their own processes under the same flags
 * (targets/signatures.ts): a bare node:crypto ES256 signature, and a whole signed token from
 * @sesame/jwt over an ID token's claims.
 *
 * Flags: `--warmup N` (default 1000), `--pairs N` (5), `--per-window N` (100), `--quick`
 * (200 / 2 / 50, no file written).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countedRunFlags, lineReader, median, startCounted, waitCountedReady } from './lib/callgrind.js';
import { CODE_REDIRECT, type CodePool, codePool } from './lib/codes.js';
import { load1 } from './lib/machine.js';
import { freePort, ROOT, runNode, TSX_IMPORT } from './lib/processes.js';
import { type Bar, writeSection } from './lib/results-file.js';
import { addClient, addUser, basic, SESAME_CLI } from './lib/sesame.js';

const { quick, warmup: WARMUP, pairs: PAIRS, perWindow: PER_WINDOW } = countedRunFlags('bench:id-token');
const REFERENCE_COUNT = quick ? 500 : 2000;
/** Codes made and spent at a time. */
const CHUNK = 25;

/** The environment without any SESAME_* variable of the caller's. */
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SESAME_')));
const work = mkdtempSync(join(tmpdir(), 'sesame-idtoken-'));
const loadBefore = load1();

type Kind = 'code' | 'openid';

async function measureServer(): Promise<Record<Kind, number[]>> {
  const dataDir = join(work, 'data');
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const cli = (cliArgs: readonly string[], stdin?: string) =>
    runNode([SESAME_CLI, ...cliArgs, '--data-dir', dataDir], { env, stdin });
  const user = { username: 'bench-user', password: 'bench password 123' };
  await addUser({ cli }, user.username, user.password, 'openid api');
  const web = await addClient({ cli }, 'bench-web', 'authorization_code', 'openid api', [
    '--redirect-uri',
    CODE_REDIRECT,
  ]);
  const server = startCounted(
    [SESAME_CLI, 'serve', '--port', String(port), '--data-dir', dataDir, '--workers', '1'],
    join(work, 'server.out'),
    { cwd: ROOT, env },
  );
  let counts: { label: string; instructions: number }[];
  try {
    await waitCountedReady(`${issuer}/readyz`, server.child);
    const pools: Record<Kind, CodePool> = {
      code: await codePool(issuer, web, 'api', user),
      openid: await codePool(issuer, web, 'openid api', user),
    };
    const headers = { authorization: basic(web), 'content-type': 'application/x-www-form-urlencoded' };
    const exchange = async (kind: Kind, count: number) => {
      for (let i = 0; i < count; i++) {
        const response = await fetch(`${issuer}/oauth/token`, {
          method: 'POST',
          headers,
          body: pools[kind].nextBody(),
        });
        const body = (await response.json()) as { id_token?: string };
        // Every counted request did what its kind says: 200, an ID token exactly with openid.
        if (response.status !== 200 || (body.id_token !== undefined) !== (kind === 'openid'))
          throw new Error(
            `${kind}: answered ${response.status}, id_token ${body.id_token ? 'present' : 'absent'}`,
          );
      }
    };
    // Codes live 60 s, and under callgrind on a loaded machine a hundred codes can take longer than
    // that to make and spend: each batch is made right before it is spent, and kept small.
    const run = async (kind: Kind, count: number) => {
      await pools[kind].refill(count);
      await exchange(kind, count);
    };
    for (let done = 0; done < WARMUP; done += CHUNK)
      for (const kind of ['code', 'openid'] as const) await run(kind, Math.min(CHUNK, WARMUP - done));
    server.instrument();
    for (const kind of ['code', 'openid'] as const) await run(kind, 20); // instrumented code warmed
    for (let pair = 0; pair < PAIRS; pair++) {
      for (const kind of ['code', 'openid'] as const) {
        // A window is counted in chunks, each after its own codes were made (outside the counts).
        for (let done = 0; done < PER_WINDOW; done += CHUNK) {
          const count = Math.min(CHUNK, PER_WINDOW - done);
          await pools[kind].refill(count);
          server.zero();
          await exchange(kind, count);
          server.dump(kind);
        }
      }
    }
  } finally {
    counts = await server.stop();
  }
  const perRequest: Record<Kind, number[]> = { code: [], openid: [] };
  // Consecutive dumps of one kind are the chunks of one window.
  let previous: string | undefined;
  for (const { label, instructions } of counts) {
    if (label !== 'code' && label !== 'openid') {
      previous = undefined;
      continue;
    }
    const windows = perRequest[label];
    if (label === previous) windows[windows.length - 1]! += instructions / PER_WINDOW;
    else windows.push(instructions / PER_WINDOW);
    previous = label;
  }
  if (perRequest.code.length !== PAIRS || perRequest.openid.length !== PAIRS)
    throw new Error(
      `expected ${PAIRS} windows of each kind, got ${JSON.stringify(counts.map((c) => c.label))}`,
    );
  return perRequest;
}

/**
 * Instructions of one call of a reference: the process warms up, then callgrind's counters are
 * zeroed, it makes REFERENCE_COUNT calls, and they are dumped; three such windows, the median.
 */
async function reference(kind: 'raw' | 'jws' | 'athash'): Promise<number> {
  const counted = startCounted(
    [...TSX_IMPORT, 'bench/targets/signatures.ts', kind, String(REFERENCE_COUNT)],
    join(work, `${kind}.out`),
    { cwd: ROOT, env, instrumented: true, stdio: 'pipe' },
  );
  const next = lineReader(counted);
  if ((await next()) !== 'ready') throw new Error(`signatures.ts ${kind} did not start`);
  for (let window = 0; window < 3; window++) {
    counted.zero();
    counted.child.stdin!.write('go\n');
    if ((await next()) !== 'done') throw new Error(`signatures.ts ${kind} did not finish`);
    counted.dump(kind);
  }
  counted.child.stdin!.end();
  const counts = (await counted.stop()).filter((count) => count.label === kind);
  if (counts.length !== 3) throw new Error(`signatures.ts ${kind}: ${counts.length} windows counted`);
  return median(counts.map((count) => count.instructions / REFERENCE_COUNT));
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
try {
  const server = await measureServer();
  const raw = await reference('raw');
  const jws = await reference('jws');
  const hash = await reference('athash');
  const differences = server.openid.map((value, i) => value - server.code[i]!);
  const extra = median(differences);
  const bars: Bar[] = [
    {
      label: 'ID token: instructions it adds to the code exchange',
      ratio: extra / jws,
      reference: 'one signed token (@sesame/jwt, ES256)',
      target: { value: 1, kind: 'max' },
      detail: `${fmt(extra)} vs ${fmt(jws)} instructions`,
    },
  ];
  const markdown = [
    '### Target',
    '',
    `- The code exchange's token request with \`openid\` costs at most one more signature than without: it adds ${fmt(extra)} instructions per request (median of ${PAIRS} pairs of windows), ${(extra / jws).toFixed(2)}× one whole signed token from @sesame/jwt (${fmt(jws)}) and ${(extra / raw).toFixed(2)}× one bare node:crypto ES256 signature (${fmt(raw)}). One signed token and the ID token's \`at_hash\` (${fmt(hash)}, a SHA-256 of the access token) together are ${fmt(jws + hash)}: the ID token adds ${(extra / (jws + hash)).toFixed(2)}× that.`,
    '',
    '### Figures',
    '',
    '| window pair | without openid (instructions / request) | with openid | difference |',
    '| --- | ---: | ---: | ---: |',
    ...server.code.map(
      (code, i) => `| ${i + 1} | ${fmt(code)} | ${fmt(server.openid[i]!)} | ${fmt(differences[i]!)} |`,
    ),
    `| median | ${fmt(median(server.code))} | ${fmt(median(server.openid))} | ${fmt(extra)} |`,
    '',
    `References, per call: a bare ES256 signature with node:crypto over 400 bytes ${fmt(raw)}; a signed token (header, claims of an ID token, base64url, the signature) from @sesame/jwt ${fmt(jws)}; the \`at_hash\` of a 700-character access token ${fmt(hash)}.`,
    '',
    '### How',
    '',
    `- Instructions of the server's main thread under \`valgrind --tool=callgrind --separate-threads=yes\` (the request and the garbage collector's work on that thread; V8's compiler and the collector's concurrent marking, on helper threads, left out: lib/callgrind.ts says why). Counts are repeatable whatever else the machine runs; they are not seconds (the signature's assembly runs more instructions per cycle than JavaScript does).`,
    `- One \`sesame serve\` process, default configuration (ES256, log level info to a file). One confidential client (client_secret_basic, PKCE S256), one user signed in and consented once; codes for \`api\` and for \`openid api\` made by the authorization endpoint just before each chunk of ${CHUNK} exchanges and not counted (a code lives 60 s; a window is counted chunk by chunk). ${WARMUP} exchanges of each kind uninstrumented first, then ${PAIRS} pairs of windows of ${PER_WINDOW} exchanges, one request at a time, each checked (200, an ID token exactly with openid).`,
    `- References in their own processes, counted the same way (bench/targets/signatures.ts): after 1,000 calls of warm-up, three windows of ${REFERENCE_COUNT} calls, the median.`,
  ].join('\n');
  process.stdout.write(`\n${markdown}\n`);
  if (!quick)
    writeSection('idtoken', markdown, { at: new Date().toISOString(), load: [loadBefore, load1()], bars });
} finally {
  rmSync(work, { recursive: true, force: true });
}
