/**
 * Pushed authorization requests (RFC 9126): a client posts its authorization request to /oauth/par
 * and gets a `request_uri` that stands for it at the authorization endpoint, once, for 60 seconds.
 * The store keeps the request under the SHA-256 of the request_uri's 256 random bits.
 *
 * The authorization endpoint's pages carry a request through several page loads (login, consent)
 * as its parameters, the way a request in the query is carried. A request that came from a
 * request_uri is carried the same way with a `pushed` seal: an HMAC of its parameters and a time,
 * by a secret kept in the store, so a client that must push cannot have a request typed into the
 * query taken for a pushed one, and the single-use request_uri is spent once, at the first page.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../../store/types.js';

/** RFC 9126 §2.2: "urn:ietf:params:oauth:request_uri:" followed by a reference. */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
/** RFC 9126 §2.2's example lifetime, and what the task of a browser redirect needs. */
export const PUSHED_REQUEST_SECONDS = 60;
/** How long a sealed request may go on through the pages: longer than anyone takes to sign in. */
export const SEAL_MS = 3_600_000;
/** The carried field that marks a request as pushed (never taken from a client). */
export const SEAL_PARAMETER = 'pushed';
const SEAL_SETTING = 'pushed_request_seal_secret';

export interface PushedRequests {
  /** Keeps checked parameters for `clientId`; answers the request_uri and its lifetime in seconds. */
  push(
    clientId: string,
    parameters: Record<string, string>,
  ): Promise<{ requestUri: string; expiresIn: number }>;
  /** The parameters of `requestUri` pushed by `clientId`, once; undefined otherwise (invalid_request_uri). */
  take(requestUri: string, clientId: string): Promise<Record<string, string> | undefined>;
  /** The parameters with a fresh seal (the old one, if any, replaced). */
  seal(parameters: Readonly<Record<string, string>>): Promise<Record<string, string>>;
  /** True when the parameters carry a seal this server made over exactly them, less than SEAL_MS ago. */
  sealed(parameters: Readonly<Record<string, string>>): Promise<boolean>;
}

const idOf = (reference: string) => createHash('sha256').update(reference).digest('base64url');

/** The parameters but the seal, in one order, as the MAC's input. */
function canonical(parameters: Readonly<Record<string, string>>): string {
  const entries = Object.entries(parameters)
    .filter(([name]) => name !== SEAL_PARAMETER)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}

/**
 * @example
 * const pushed = createPushedRequests({ store, now });
 * const { requestUri } = await pushed.push('app', params); // urn:ietf:params:oauth:request_uri:…
 * await pushed.take(requestUri, 'app'); // params; a second take: undefined
 */
export function createPushedRequests(options: {
  store: Pick<Store, 'savePushedRequest' | 'takePushedRequest' | 'initSetting'>;
  now: () => number;
}): PushedRequests {
  const { store, now } = options;
  let secret: Promise<Buffer> | undefined;
  const mac = async (issuedAt: string, parameters: Readonly<Record<string, string>>) => {
    secret ??= store
      .initSetting(SEAL_SETTING, randomBytes(32).toString('base64url'))
      .then((value) => Buffer.from(value, 'base64url'));
    return createHmac('sha256', await secret)
      .update(`sesame par seal v1\0${issuedAt}\0${canonical(parameters)}`)
      .digest('base64url');
  };
  return Object.freeze({
    async push(clientId, parameters) {
      const reference = randomBytes(32).toString('base64url');
      const at = now();
      const expiresAt = at + PUSHED_REQUEST_SECONDS * 1000;
      await store.savePushedRequest({ id: idOf(reference), clientId, parameters, expiresAt }, at);
      return { requestUri: `${REQUEST_URI_PREFIX}${reference}`, expiresIn: PUSHED_REQUEST_SECONDS };
    },
    async take(requestUri, clientId) {
      if (!requestUri.startsWith(REQUEST_URI_PREFIX)) return undefined;
      const reference = requestUri.slice(REQUEST_URI_PREFIX.length);
      if (!/^[\w-]{43}$/.test(reference)) return undefined;
      return store.takePushedRequest(idOf(reference), clientId, now());
    },
    async seal(parameters) {
      const issuedAt = String(now());
      const copy: Record<string, string> = { ...parameters };
      delete copy[SEAL_PARAMETER];
      return { ...copy, [SEAL_PARAMETER]: `${issuedAt}.${await mac(issuedAt, copy)}` };
    },
    async sealed(parameters) {
      const seal = parameters[SEAL_PARAMETER];
      const match = seal === undefined ? null : /^(\d{1,16})\.([\w-]{43})$/.exec(seal);
      if (match === null) return false;
      const issuedAt = Number(match[1]);
      const at = now();
      if (issuedAt > at || at - issuedAt >= SEAL_MS) return false;
      const expected = Buffer.from(await mac(match[1]!, parameters));
      const given = Buffer.from(match[2]!);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  } satisfies PushedRequests);
}
