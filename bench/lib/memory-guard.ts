/**
 * The guard process of `npm run bench:memory`: @sesame/guard's public API following the real
 * revocation feed of a real server (Server-Sent Events), nothing else in the process. Run with
 * `node --expose-gc`. It prints, each line `memory-guard STEP {memoryUsage, entries}`:
 *   baseline  the feed connected (streaming) with no entries
 *   loaded    once it holds MEMORY_GUARD_ENTRIES entries (the benchmark adds them to the server)
 *   checked   after MEMORY_GUARD_CHECKS token checks (a real token, MEMORY_GUARD_TOKEN)
 * then waits to be stopped.
 */
import { createGuard } from '@sesame/guard';

const env = process.env;
const expected = Number(env.MEMORY_GUARD_ENTRIES);
const checks = Number(env.MEMORY_GUARD_CHECKS ?? 0);
const guard = createGuard({
  issuer: env.SESAME_ISSUER!,
  audience: env.MEMORY_GUARD_AUDIENCE!,
  revocation: { clientId: env.MEMORY_GUARD_CLIENT_ID!, clientSecret: env.MEMORY_GUARD_CLIENT_SECRET! },
});

const gc = (globalThis as { gc?: () => void }).gc;
const report = (step: string) => {
  gc?.();
  gc?.();
  const entries = guard.health()?.entries ?? 0;
  process.stdout.write(`memory-guard ${step} ${JSON.stringify({ ...process.memoryUsage(), entries })}\n`);
};
/** The feed client has no "entries changed" event: look every 50 ms (this is a benchmark, not a test). */
const until = async (done: () => boolean) => {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 50));
};

await until(() => guard.health()?.state === 'streaming');
report('baseline');
await until(() => (guard.health()?.entries ?? 0) >= expected);
report('loaded');
const header = `Bearer ${env.MEMORY_GUARD_TOKEN}`;
for (let i = 0; i < checks; i++) await guard.authenticate(header);
report('checked');
process.on('SIGTERM', () => {
  guard.close();
  process.exit(0);
});
setInterval(() => {}, 60_000);
