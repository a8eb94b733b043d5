/**
 * The services over a fresh temporary store, with an injected clock: what a step test needs to call
 * a step through `Services` (as routes and commands do) and to look under it at the store.
 */
import { openTempStore, testClock } from '@sesame/testkit/app';
import { loadConfig } from '../../src/config/config.js';
import type { Services } from '../../src/domain/services.js';
import type { AuditEvent, Store } from '../../src/store/types.js';
import { createServices } from '../../src/wiring.js';

export interface DomainFixture {
  store: Store;
  services: Services;
  clock: ReturnType<typeof testClock>;
  /** The audit events of a type, oldest first. */
  audits(type: string): Promise<AuditEvent[]>;
  close(): Promise<void>;
}

/** @example const f = await openDomainFixture(); ... await f.close(); */
export async function openDomainFixture(values: Record<string, unknown> = {}): Promise<DomainFixture> {
  const store = await openTempStore();
  const clock = testClock();
  const config = loadConfig({ values: { logLevel: 'silent', ...values } });
  const services = await createServices({ config, store, now: clock.now, rotateKeys: false });
  return {
    store,
    services,
    clock,
    audits: async (type) => (await store.listAuditEvents({ type, limit: 1000 })).reverse(),
    async close() {
      await services.close();
      await store.close();
    },
  };
}
