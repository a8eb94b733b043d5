/**
 * `npm run bench:all`: every suite in one run on this machine — the JWT core (bench/jwt.bench.ts),
 * one-shot calls against the prebuilt ones (bench/oneshot.bench.ts), JWE against jose
 * (bench/jwe.bench.ts), the token server against node-oidc-provider and the ceiling route (bench/server.bench.ts), the
 * guard (bench/guard.bench.ts), what DPoP adds (bench/dpop.bench.ts), memory (bench/memory.bench.ts, with a 60-s soak) — one after the other, so they never compete for the cores. Their
 * sections of bench/RESULTS.md are emptied first, then each is rewritten and tagged with this run,
 * with the summary and bench/results.svg (sections of other scripts, such as bench:distributed,
 * are kept as they are). `-- --seconds N` is passed to the HTTP suites.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { ROOT, TSX_IMPORT } from './lib/processes.js';
import { resetSections } from './lib/results-file.js';

const extra = process.argv.slice(2);
const runId = new Date().toISOString();
const started = Date.now();

const [load] = os.loadavg();
const cores = os.cpus().length;
process.stdout.write(`bench:all ${runId}; load average ${load!.toFixed(2)} on ${cores} cores\n`);
if (load! > cores) {
  process.stdout.write(
    'warning: the machine is busy; figures will be lower and noisier than on a quiet one\n',
  );
}

function suite(file: string, args: readonly string[] = []): Promise<void> {
  process.stdout.write(`\n=== ${file}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...TSX_IMPORT, file, ...args], {
      cwd: ROOT,
      env: { ...process.env, BENCH_RUN_ID: runId },
      stdio: 'inherit',
    });
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${file} failed (${code ?? signal})`)),
    );
  });
}

resetSections();
await suite('bench/jwt.bench.ts');
await suite('bench/oneshot.bench.ts');
await suite('bench/jwe.bench.ts');
await suite('bench/server.bench.ts', extra);
await suite('bench/id-token.bench.ts');
await suite('bench/metrics.bench.ts');
await suite('bench/guard.bench.ts', extra);
await suite('bench/dpop.bench.ts');
await suite('bench/memory.bench.ts');
process.stdout.write(
  `\nbench:all done in ${((Date.now() - started) / 60_000).toFixed(1)} min: bench/RESULTS.md, bench/results.svg\n`,
);
