import type { SesameConfig } from '../config/config.js';
import type { AuditEvent, Store } from '../store/types.js';
import type { LoginThrottle } from './accounts/throttle.js';
import type { UserService } from './accounts/users.js';
import type { ClientService } from './clients/clients.js';
import type { Keyring } from './keys/keyring.js';
import type { AccessTokens } from './tokens/access-token.js';
import type { BackchannelLogout } from './tokens/backchannel-logout.js';
import type { Denylist } from './tokens/denylist.js';
import type { RefreshFamilies } from './tokens/refresh-families.js';

/**
 * What a business step works with: the store and the domain's own services. Only domain steps
 * (and wiring) hold it; routes, grants and commands get `Services`.
 */
export interface DomainContext {
  readonly config: SesameConfig;
  readonly store: Store;
  /** The clock, epoch milliseconds; injectable so expiry is tested without sleeping. */
  readonly now: () => number;
  readonly accessTokens: AccessTokens;
  readonly users: UserService;
  readonly clients: ClientService;
  readonly keys: Keyring;
  /** Refresh-token families (login sessions). */
  readonly sessions: RefreshFamilies;
  /** The access-token denylist (jti, sid, user), mirrored for the hot path. */
  readonly revocations: Denylist;
  readonly throttle: LoginThrottle;
  /** Tells the clients of an ended browser session (Back-Channel Logout), beside the request. */
  readonly backchannel: BackchannelLogout;
  /** Records an audit event; never throws into the request (a failed audit write is logged). */
  audit(event: AuditInput): Promise<void>;
}

export type AuditInput = Pick<AuditEvent, 'type'> & Partial<Omit<AuditEvent, 'id' | 'at' | 'type'>>;
