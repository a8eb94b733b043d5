/**
 * @sesame/protocol: the OAuth protocol rules that the Sesame server, guard and CLI must agree on,
 * written once. Zero dependencies.
 */
export { type ClientCredentials, formatBasicCredentials, parseBasicCredentials } from './basic.js';
export { parseBearer } from './bearer.js';
export {
  type DiscoveredMetadata,
  type DiscoverOptions,
  discoverJwksUri,
  discoverMetadata,
  MAX_METADATA_BYTES,
  type MetadataKind,
  metadataUrl,
} from './discovery.js';
export { DpopProofError, type DpopRule } from './dpop-errors.js';
export {
  type AccessTokenCredentials,
  accessTokenHash,
  accessTokenHashes,
  boundThumbprint,
  DPOP_ALGORITHMS,
  dpopChallenge,
  dpopProofValue,
  MAX_DPOP_PROOF_LENGTH,
  normaliseHtu,
  parseAccessTokenCredentials,
} from './dpop-http.js';
export {
  createDpopChecker,
  type DpopCheckerOptions,
  type DpopNonceCheck,
  type DpopProof,
  type DpopReplayCache,
  type DpopRequest,
} from './dpop-proof.js';
export { ProtocolError, type ProtocolErrorCode } from './errors.js';
export {
  decodeRevocation,
  encodeRevocation,
  REVOCATION_KINDS,
  type RevocationEntry,
  type RevocationKind,
  type RevocationRecord,
} from './revocation-feed.js';
export { type RevocableClaims, RevocationList } from './revocation-list.js';
export { formatScope, isScopeToken, parseScope, validateScopes } from './scope.js';
