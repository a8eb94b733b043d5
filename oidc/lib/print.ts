/**
 * The suite's output: one block per module run (its OIDF name, the client authentication method,
 * the plan, the verdict, what it checks, which allowed behaviour was seen, and every failed check
 * with what was seen), then the tally. The closing line is `N passed, N failed, N skipped` alone,
 * the form CI reads.
 */
import type { ModuleRun } from './module.js';

const out = (line: string) => process.stdout.write(`${line}\n`);

/** Prints one module run; `verbose` lists its passed checks too. */
export function printRun(run: ModuleRun, verbose: boolean): void {
  const { module } = run;
  const passed = run.checks.filter((check) => check.ok).length;
  const variant = module.clients === 'each' ? ` [${run.variant}]` : '';
  const seconds = (run.elapsedMs / 1000).toFixed(1);
  out(
    `${run.verdict.padEnd(7)}  ${module.name}${variant}  (${module.plan}; ${passed}/${run.checks.length} checks; ${seconds} s)`,
  );
  out(`         checks: ${module.checks}`);
  for (const note of run.notes) out(`         seen: ${note}`);
  if (run.skipped !== undefined) out(`         skipped: ${run.skipped}`);
  for (const check of run.checks) {
    if (!check.ok) out(`         FAILED ${check.what}${check.detail ? ` — ${check.detail}` : ''}`);
    else if (verbose) out(`         ok     ${check.what}`);
  }
  if (run.crashed !== undefined) {
    out(`         FAILED the module ran to its end — ${run.crashed.split('\n').slice(0, 4).join(' | ')}`);
  }
  if (run.verdict === 'FAILED' && run.checks.length === 0 && run.crashed === undefined) {
    out('         FAILED the module checked nothing');
  }
}

/** Prints the tally; returns the exit code (1 on any failed module). */
export function printSummary(runs: readonly ModuleRun[], pending: number, elapsedMs: number): number {
  const count = (verdict: string) => runs.filter((run) => run.verdict === verdict).length;
  const failed = runs.filter((run) => run.verdict === 'FAILED');
  out('');
  if (failed.length > 0) {
    out('Failed modules:');
    for (const run of failed) out(`  ${run.module.name} [${run.variant}]`);
  }
  const left =
    pending === 0 ? 'none pending' : `${pending} pending modules not run (listed above, oidc/pending.ts)`;
  out(`oidc: ${runs.length} module runs in ${(elapsedMs / 1000).toFixed(1)} s; ${left}`);
  out(`${count('PASSED')} passed, ${failed.length} failed, ${count('SKIPPED')} skipped`);
  return failed.length > 0 ? 1 : 0;
}
