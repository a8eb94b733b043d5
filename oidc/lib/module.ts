/**
 * What a conformance module is and what it records. A module carries the OpenID Foundation's test
 * name and plan, and one line saying what it checks; when it runs, it records checks one by one
 * (a failed check does not stop the module, as the OIDF's callAndContinueOnFailure), can stop at a
 * failed precondition (`require`, their callAndStopOnFailure), or be skipped with a reason by the
 * OIDF's own rule (a feature the discovery document says is not offered).
 */
import type { BrowserSession } from './browser.js';
import type { Deployment } from './deployment.js';
import type { Rp } from './rp.js';

/** The OIDF certification plans the modules come from. */
export type Plan =
  | 'Basic OP'
  | 'Config OP'
  | 'Dynamic OP'
  | 'Form Post OP'
  | 'RP-Initiated Logout OP'
  | 'Back-Channel Logout OP';

export interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

/** Thrown by `require` when a precondition fails: the rest of the module cannot run. */
export class Stop extends Error {}

/** Thrown by `skip`: the OIDF rule says this module does not apply to this server. */
export class Skip extends Error {}

/** A module's run: its checks, notes (which of two allowed behaviours was seen) and verdict. */
export class ModuleRun {
  readonly checks: Check[] = [];
  readonly notes: string[] = [];
  skipped: string | undefined;
  crashed: string | undefined;
  /** A required check failed: the module stopped there. */
  stopped = false;
  /** Time spent in prepare and run, for the output. */
  elapsedMs = 0;

  constructor(
    readonly module: Module,
    readonly variant: string,
  ) {}

  /** Records a verdict and goes on; returns it. */
  check(what: string, ok: boolean, detail = ''): boolean {
    this.checks.push({ what, ok, detail: ok ? '' : detail });
    return ok;
  }

  /** Records a verdict and stops the module when it fails. */
  require(what: string, ok: boolean, detail = ''): void {
    if (!this.check(what, ok, detail)) throw new Stop(what);
  }

  /** Says which of the behaviours the OIDF module accepts was seen. */
  note(text: string): void {
    this.notes.push(text);
  }

  skip(reason: string): never {
    throw new Skip(reason);
  }

  get verdict(): 'PASSED' | 'FAILED' | 'SKIPPED' {
    if (this.crashed !== undefined || this.checks.some((check) => !check.ok)) return 'FAILED';
    if (this.skipped !== undefined) return 'SKIPPED';
    // A module that checked nothing proves nothing.
    return this.checks.length > 0 ? 'PASSED' : 'FAILED';
  }
}

/** What every module is given: the running server and its clients, and its own run to record into. */
export interface ModuleContext {
  d: Deployment;
  run: ModuleRun;
  /** The relying party under test (one per client authentication method). */
  rp: Rp;
  /** The other relying party: a second client, for the modules that need two. */
  other: Rp;
  /** A new browser context (nobody logged in), closed when the module ends. */
  browser(): Promise<BrowserSession>;
}

export interface Module {
  /** The OIDF test name, e.g. `oidcc-server`. */
  name: string;
  plan: Plan;
  /** What the module checks, in one line. */
  checks: string;
  /**
   * `each`: once per client authentication method (client_secret_basic and client_secret_post);
   * `once`: once (discovery, key rotation, logout: the OIDF plans run those with one client).
   */
  clients: 'each' | 'once';
  /**
   * Work done before every other module, whose result `run` checks at its own turn: for the
   * modules that must let time pass on the server's clock (code reuse after 30 s, a key rotation
   * taking effect), so the waiting overlaps the rest of the suite instead of adding to it.
   */
  prepare?(ctx: ModuleContext): Promise<unknown>;
  run(ctx: ModuleContext, prepared: unknown): Promise<void>;
}
