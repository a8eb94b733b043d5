/**
 * Preloaded into a measured `sesame serve` (`node --expose-gc --import ./bench/lib/memory-probe.mjs`):
 * on SIGUSR2 it collects garbage (twice: weak references and finalizers free more on the second
 * pass) and prints `memory-probe N {process.memoryUsage()}` to stdout, the server's log. The
 * server's own code is untouched; only a probe line is added to its output. Sesame does not use
 * SIGUSR2 (Node's default for it would end the process).
 */
let probes = 0;
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  globalThis.gc?.();
  probes++;
  process.stdout.write(`memory-probe ${probes} ${JSON.stringify(process.memoryUsage())}\n`);
});
