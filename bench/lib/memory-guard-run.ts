/**
 * Part 2 of `npm run bench:memory`: a real server, a guard process following its revocation feed
 * (bench/lib/memory-guard.ts), and `entries` revocations added to the server's store while the
 * guard is streaming, so they reach it the way any revocation does (the feed's hub polls the store).
 */
import { addJtiRevocations } from './denylist-rows.js';
import { startNode, TSX_IMPORT } from './processes.js';
import type { MemoryUsage } from './server-probe.js';
import { addClient, basic, postForm, startSesame } from './sesame.js';

export type GuardStep = MemoryUsage & { entries: number };

export interface GuardMemory {
  entries: number;
  checks: number;
  baseline: GuardStep;
  loaded: GuardStep;
  checked: GuardStep;
  /** Seconds from the insert to the guard holding every entry. */
  seconds: number;
}

const AUDIENCE = 'memory-api';
const CHECKS = 20_000;

/** Measures a guard before and after it receives `entries` revocations through the feed. */
export async function measureGuard(entries: number): Promise<GuardMemory> {
  const sesame = await startSesame();
  try {
    const feed = await addClient(sesame, 'memory-guard', 'client_credentials', 'api', [
      '--permission',
      'revocations',
      '--audience',
      AUDIENCE,
    ]);
    const { access_token: token } = await postForm(
      `${sesame.issuer}/oauth/token`,
      { grant_type: 'client_credentials', scope: 'api' },
      basic(feed),
    );
    const guard = await startNode({
      name: 'memory guard',
      args: ['--expose-gc', ...TSX_IMPORT, 'bench/lib/memory-guard.ts'],
      env: {
        SESAME_ISSUER: sesame.issuer,
        MEMORY_GUARD_AUDIENCE: AUDIENCE,
        MEMORY_GUARD_CLIENT_ID: feed.clientId,
        MEMORY_GUARD_CLIENT_SECRET: feed.clientSecret,
        MEMORY_GUARD_ENTRIES: String(entries),
        MEMORY_GUARD_CHECKS: String(CHECKS),
        MEMORY_GUARD_TOKEN: String(token),
      },
      ready: /memory-guard baseline/,
    });
    try {
      const step = (name: string) => {
        const match = new RegExp(`^memory-guard ${name} (\\{.*\\})$`, 'm').exec(guard.output());
        return match === null ? undefined : (JSON.parse(match[1]!) as GuardStep);
      };
      const until = async (name: string) => {
        const deadline = Date.now() + 10 * 60_000;
        for (;;) {
          const found = step(name);
          if (found !== undefined) return found;
          if (Date.now() > deadline) throw new Error(`the guard never reported ${name}:\n${guard.output()}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      const baseline = await until('baseline');
      const started = performance.now();
      addJtiRevocations(sesame.dataDir, entries);
      const loaded = await until('loaded');
      const seconds = (performance.now() - started) / 1000;
      const checked = await until('checked');
      return { entries, checks: CHECKS, baseline, loaded, checked, seconds };
    } finally {
      await guard.stop();
    }
  } finally {
    await sesame.dispose();
  }
}
