/**
 * `npm run test:oidc`: the OpenID Foundation's OP test plans (Basic, Config, Form Post, RP-Initiated
 * and Back-Channel Logout, and the key rotation module of the Dynamic plan), ported as modules
 * under their OIDF names and run against one real `sesame serve` (the built CLI) with headless
 * chromium as the user and openid-client as the relying party. Prints every module with what it
 * checks and PASSED, FAILED or SKIPPED (with the OIDF reason), the pending ones with theirs, then
 * `N passed, N failed, N skipped`; exits non-zero on any failure. Needs `npm run build` first.
 *
 *   npm run test:oidc -- --only oidcc-server,oidcc-codereuse   only these modules
 *   npm run test:oidc -- --pending                             the pending modules too
 *   npm run test:oidc -- --verbose                             every check of every module
 */
import type { BrowserSession } from './lib/browser.js';
import { type Deployment, startDeployment } from './lib/deployment.js';
import { type Module, type ModuleContext, ModuleRun, Skip, Stop } from './lib/module.js';
import { printRun, printSummary } from './lib/print.js';
import type { AuthMethod } from './lib/rp.js';
import { MODULES } from './modules/index.js';
import { PENDING } from './pending.js';

interface Options {
  only: Set<string> | undefined;
  pending: boolean;
  verbose: boolean;
}

function readOptions(argv: readonly string[]): Options {
  const options: Options = { only: undefined, pending: false, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--pending') options.pending = true;
    else if (arg === '--verbose') options.verbose = true;
    else if (arg === '--only') options.only = new Set((argv[++i] ?? '').split(','));
    else if (arg.startsWith('--only=')) options.only = new Set(arg.slice(7).split(','));
    else throw new Error(`unknown option ${arg} (--only NAMES, --pending, --verbose)`);
  }
  return options;
}

/** One module run for one client: its context, with the browser sessions it opened. */
interface Planned {
  module: Module;
  run: ModuleRun;
  ctx: ModuleContext;
  sessions: BrowserSession[];
  prepared?: Promise<unknown>;
}

function plan(d: Deployment, modules: readonly Module[]): Planned[] {
  const planned: Planned[] = [];
  for (const module of modules) {
    const methods: AuthMethod[] =
      module.clients === 'each' ? ['client_secret_basic', 'client_secret_post'] : ['client_secret_basic'];
    for (const method of methods) {
      const run = new ModuleRun(module, method);
      const sessions: BrowserSession[] = [];
      const other = method === 'client_secret_basic' ? 'client_secret_post' : 'client_secret_basic';
      const ctx: ModuleContext = {
        d,
        run,
        rp: d.rps[method],
        other: d.rps[other],
        async browser() {
          const session = await d.chromium.session(d.endpoints);
          sessions.push(session);
          return session;
        },
      };
      planned.push({ module, run, ctx, sessions });
    }
  }
  return planned;
}

/** Why a module is left out of the default run: keyed by `name (plan)` or by name alone. */
function pendingReason(module: Module): string | undefined {
  return PENDING[`${module.name} (${module.plan})`] ?? PENDING[module.name];
}

/** Runs a step of a module, turning a Stop, a Skip or a crash into the run's record. */
async function guarded(run: ModuleRun, step: () => Promise<unknown>): Promise<unknown> {
  const started = Date.now();
  try {
    return await step();
  } catch (error) {
    if (error instanceof Skip) run.skipped = error.message;
    else if (error instanceof Stop) run.stopped = true;
    else {
      run.crashed = error instanceof Error ? (error.stack ?? error.message) : String(error);
    }
    return undefined;
  } finally {
    run.elapsedMs += Date.now() - started;
  }
}

async function main(): Promise<number> {
  const options = readOptions(process.argv.slice(2));
  const chosen = MODULES.filter((module) => options.only === undefined || options.only.has(module.name));
  if (options.only !== undefined) {
    const unknown = [...options.only].filter((name) => !MODULES.some((module) => module.name === name));
    if (unknown.length > 0) throw new Error(`no such module: ${unknown.join(', ')}`);
  }
  const runnable = chosen.filter((module) => options.pending || pendingReason(module) === undefined);
  const pending = chosen.filter((module) => !options.pending && pendingReason(module) !== undefined);

  const started = Date.now();
  process.stdout.write('oidc: starting sesame serve, the relying party endpoints and chromium...\n');
  const d = await startDeployment();
  const runs: ModuleRun[] = [];
  try {
    process.stdout.write(`oidc: issuer ${d.issuer}, ${runnable.length} modules\n\n`);
    const planned = plan(d, runnable);
    // The time-taking halves start first, so their waiting overlaps everything else.
    for (const entry of planned) {
      if (entry.module.prepare) {
        entry.prepared = guarded(entry.run, () => entry.module.prepare!(entry.ctx));
        await entry.prepared;
      }
    }
    for (const entry of planned) {
      const prepared = await entry.prepared;
      const { skipped, crashed, stopped } = entry.run;
      if (skipped === undefined && crashed === undefined && !stopped) {
        await guarded(entry.run, () => entry.module.run(entry.ctx, prepared));
      }
      for (const session of entry.sessions) await session.close().catch(() => undefined);
      runs.push(entry.run);
      printRun(entry.run, options.verbose);
    }
  } finally {
    await d.stop();
  }
  for (const module of pending) {
    const variants = module.clients === 'each' ? ', for each client' : '';
    process.stdout.write(
      `PENDING  ${module.name}  (${module.plan}${variants})\n         checks: ${module.checks}\n         pending: ${pendingReason(module)}\n`,
    );
  }
  return printSummary(runs, pending.length, Date.now() - started);
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`oidc: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
