/**
 * A worker that cannot start (the port is in use, the store is down) does not print: it tells the
 * primary why, and the primary prints that one line for the whole group (main.ts) and exits with
 * its code. With one worker per core, each printing its own copy and the primary two more lines
 * made 3–4 lines of one failure.
 */
import cluster from 'node:cluster';
import { CliError, describeFailure, type Failure } from './failure.js';

const FAILED = 'sesame:failed';

/**
 * In a worker that failed to start: sends the failure to the primary and exits with its code once
 * the message is on its way. Outside a cluster, prints it as main.ts would.
 *
 * @example await serveOne(config).catch(failWorker);
 */
export function failWorker(error: unknown): void {
  const failure = describeFailure(error);
  const exit = () => process.exit(failure.exitCode);
  if (!cluster.isWorker || !process.send || !process.connected) {
    process.stderr.write(`error ${failure.code}: ${failure.message}\n`);
    exit();
    return;
  }
  process.send({ type: FAILED, failure }, undefined, {}, exit);
}

/** The failure a worker reported, from a cluster message (undefined for other messages). */
export function reportedFailure(message: unknown): CliError | undefined {
  const candidate = message as { type?: unknown; failure?: Failure } | null;
  if (candidate?.type !== FAILED || candidate.failure === undefined) return undefined;
  const { code, message: text, exitCode } = candidate.failure;
  return new CliError(String(code), String(text), Number(exitCode));
}
