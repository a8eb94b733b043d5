/** What a scope lets a client do, in words: shown on the consent page, set with `sesame scopes`. */
import type { DomainContext } from '../context.js';

export interface ScopeDescriptions {
  list(): Promise<Record<string, string>>;
  /** Sets (or replaces) a scope's description; audited `admin.scope.described`. */
  describe(name: string, description: string, actor: string | null): Promise<void>;
}

/** @example await createScopeDescriptions(ctx).describe('quiz:read', 'Read your quizzes', 'cli'); */
export function createScopeDescriptions(
  ctx: Pick<DomainContext, 'store' | 'now' | 'audit'>,
): ScopeDescriptions {
  return Object.freeze({
    list: () => ctx.store.listScopeDescriptions(),
    async describe(name, description, actor) {
      await ctx.store.setScopeDescription(name, description, ctx.now());
      await ctx.audit({ type: 'admin.scope.described', actor, subject: name, details: {} });
    },
  } satisfies ScopeDescriptions);
}
