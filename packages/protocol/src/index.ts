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
