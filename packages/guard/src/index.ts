/**
 * @sesame/guard — verify Sesame access tokens inside any Node API, with revocations pushed to it.
 *
 * @example
 * import { createGuard } from '@sesame/guard';
 * const guard = createGuard({ issuer: 'http://127.0.0.1:8080', audience: 'quiz-api' });
 * const claims = await guard.authenticate(req.headers.authorization, { scopes: 'quiz' });
 */

export { type RevocationEntry, type RevocationKind, RevocationList } from '@sesame/protocol';
export {
  GuardError,
  type GuardErrorCode,
  type GuardReason,
  isGuardError,
} from './errors.js';
export {
  type AccessTokenClaims,
  type AuthenticateOptions,
  createGuard,
  type Guard,
  type GuardOptions,
  type RevocationOptions,
} from './guard.js';
export {
  type DpopRequestContext,
  type GuardDpopOptions,
  memoryReplayCache,
  type RedisLike,
  redisReplayCache,
} from './lib/dpop.js';
export { grantedScopes } from './lib/scopes.js';
export type { FeedHealth, FeedState } from './revocation-feed.js';
