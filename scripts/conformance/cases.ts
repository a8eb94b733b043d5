/**
 * The shape every conformance case takes, and the tally. A case knows the verdict the vector
 * expects and how to reach Sesame's own verdict; the runner only compares the two.
 */
import { isJwtError } from '../../packages/jwt/src/index.js';

export type Verdict = 'valid' | 'invalid';

export interface Case {
  /** How the case is named in a failure line: the tcId, or the cookbook section. */
  id: string;
  comment: string;
  expected: Verdict;
  /**
   * Why this case may end either way, when the vector itself is defective. Such a case never
   * fails; the reason is kept next to the tcId in the suite that builds it.
   */
  eitherWay?: string;
  /**
   * A case Sesame refuses on purpose (RSA1_5, PBES2, zip): whatever the vector's label, it passes
   * only when rejected with exactly this code, so a refusal for some other reason is still wrong.
   */
  refusedWith?: string;
  /** Runs Sesame. Returning means "valid"; throwing means "invalid". */
  run: () => void;
}

export interface Outcome {
  verdict: Verdict;
  /** The JwtError code of a rejection, or the error name when something else was thrown. */
  code: string;
}

export interface SuiteResult {
  name: string;
  passed: number;
  failed: number;
  eitherWay: number;
}

function outcomeOf(run: () => void): Outcome {
  try {
    run();
    return { verdict: 'valid', code: '-' };
  } catch (error) {
    // Anything thrown is a rejection, but a non-JwtError is worth seeing: the library promises
    // that every failure is a JwtError with a code.
    const code = isJwtError(error) ? error.code : `non-JwtError ${(error as Error)?.name ?? typeof error}`;
    return { verdict: 'invalid', code };
  }
}

/** Runs every case, prints one line per wrong verdict (and per case with `verbose`), returns the tally. */
export function runSuite(name: string, cases: readonly Case[], verbose: boolean): SuiteResult {
  const result: SuiteResult = { name, passed: 0, failed: 0, eitherWay: 0 };
  for (const testCase of cases) {
    const outcome = outcomeOf(testCase.run);
    const refused = testCase.refusedWith;
    const right = refused === undefined ? outcome.verdict === testCase.expected : outcome.code === refused;
    const expected = refused === undefined ? testCase.expected : `refused with ${refused}`;
    const line = `${name} ${testCase.id} ${testCase.comment}: expected ${expected}, got ${outcome.verdict} (${outcome.code})`;
    if (testCase.eitherWay !== undefined) {
      result.passed++;
      result.eitherWay++;
      if (verbose) console.log(`  either-way  ${line} — ${testCase.eitherWay}`);
    } else if (right) {
      result.passed++;
      if (verbose) console.log(`  ok          ${line}`);
    } else {
      result.failed++;
      console.log(`  WRONG       ${line}`);
    }
  }
  return result;
}

export function summaryLine(result: SuiteResult): string {
  return `${result.name}: ${result.passed} passed, ${result.failed} failed (${result.eitherWay} either-way)`;
}
