/** What routes, grants and commands are handed: steps and readers, never the store. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DomainFixture, openDomainFixture } from './fixture.js';

describe('Services', () => {
  let f: DomainFixture;
  beforeEach(async () => {
    f = await openDomainFixture();
  });
  afterEach(() => f.close());

  it('holds no store, at any depth a caller can reach', () => {
    const seen = new Set<unknown>();
    const reachesStore = (value: unknown, depth: number): boolean => {
      if (value === f.store) return true;
      if (typeof value !== 'object' || value === null || seen.has(value) || depth > 3) return false;
      seen.add(value);
      return Object.entries(value).some(([key, inner]) => key === 'store' || reachesStore(inner, depth + 1));
    };
    expect(reachesStore(f.services, 0)).toBe(false);
    // The check itself finds a store where one is handed out.
    seen.clear();
    expect(reachesStore({ ...f.services, users: { ...f.services.users, raw: f.store } }, 0)).toBe(true);
  });

  it('hands out no raw account setter: disabling goes through the step that ends sessions', () => {
    const users = f.services.users as unknown as Record<string, unknown>;
    for (const setter of ['setDisabled', 'setPassword', 'setScopes']) expect(users[setter]).toBeUndefined();
  });
});
