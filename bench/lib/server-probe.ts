/**
 * Reads the memory of a `sesame serve` started with bench/lib/memory-probe.mjs preloaded: sends
 * SIGUSR2 and waits for the probe's answer in the server's log.
 */
import { readFileSync } from 'node:fs';
import type { SesameProcess } from './sesame.js';

/** `process.memoryUsage()` of the server after a full GC, in bytes. */
export interface MemoryUsage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

const PROBE = /^memory-probe (\d+) (\{.*\})$/gm;

function answers(logFile: string): Map<number, MemoryUsage> {
  const found = new Map<number, MemoryUsage>();
  for (const match of readFileSync(logFile, 'utf8').matchAll(PROBE))
    found.set(Number(match[1]), JSON.parse(match[2]!) as MemoryUsage);
  return found;
}

/**
 * Asks the server for its memory and waits (up to a minute) for the answer.
 *
 * @example const { rss, heapUsed } = await probeMemory(sesame);
 */
export async function probeMemory(sesame: Pick<SesameProcess, 'pid' | 'logFile'>): Promise<MemoryUsage> {
  const next = answers(sesame.logFile).size + 1;
  process.kill(sesame.pid, 'SIGUSR2');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const answer = answers(sesame.logFile).get(next);
    if (answer !== undefined) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the server did not answer the memory probe (started without memory-probe.mjs?)');
}
