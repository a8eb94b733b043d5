/**
 * The mark a running `sesame serve` leaves in its SQLite data dir: `serve.pid`, holding the pid of
 * the serving process (the cluster primary with workers). `sesame restore` refuses to replace a
 * store under a live server, whose open connections would go on writing to the replaced file. A
 * mark left by a server that died (SIGKILL) names a process that no longer exists and is ignored.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SesameConfig } from '../config/config.js';

const markFile = (config: SesameConfig) => join(config.dataDir, 'serve.pid');

/** True while the process exists (signal 0 checks without sending; EPERM: it exists, not ours). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Marks the data dir as served by this process until it exits (SQLite stores only: PostgreSQL is
 * shared by design). The data dir exists by then: the store was opened first.
 *
 * @example markServing(config); // after the store is open, before listening
 */
export function markServing(config: SesameConfig): void {
  if (config.databaseUrl) return;
  const file = markFile(config);
  writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
  process.on('exit', () => {
    // Only our own mark: another server may have started on the same dir since.
    if (servingPid(config) === process.pid) rmSync(file, { force: true });
  });
}

/**
 * The pid of a live server on the data dir, or undefined.
 *
 * @example const pid = servingPid(config); if (pid !== undefined) refuse(`a server (pid ${pid}) runs`);
 */
export function servingPid(config: SesameConfig): number | undefined {
  let text: string;
  try {
    text = readFileSync(markFile(config), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text, 10);
  return Number.isSafeInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}
