/**
 * Is this failure the database being out of reach (down, restarting, failing over, too busy),
 * rather than a bug? Those are answered 503 temporarily_unavailable with Retry-After (RFC 6749
 * §4.1.2.1 names the code), so clients retry instead of giving up, and they end on their own when
 * the database is back: the pool reconnects, nothing in Sesame restarts.
 */
import { isStoreError } from './errors.js';

/** Node socket errors of a connection that could not be made or was cut. */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);
/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), 57P01 admin_shutdown, 57P02
 * crash_shutdown, 57P03 cannot_connect_now (starting up), 53300 too_many_connections.
 */
const SQLSTATE = /^(08...|57P0[123]|53300)$/;
/** node-postgres reports a dropped or timed-out connection by message only. */
const PG_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'is not queryable',
  'Client was closed',
];

/**
 * True for an error (or any error in its `cause` chain) meaning "the database is unreachable now".
 *
 * @example if (isUnavailableError(error)) reply.code(503).header('retry-after', '5');
 */
export function isUnavailableError(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isStoreError(e, 'ERR_STORE_UNAVAILABLE')) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK.has(code) || SQLSTATE.test(code) || code === 'SQLITE_BUSY'))
      return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && PG_MESSAGES.some((m) => message.includes(m))) return true;
  }
  return false;
}
