/**
 * The browser session of the login pages, and their CSRF tokens. A login makes a session record in
 * the store (`browser_sessions`); the cookie holds a random 256-bit token and the record its SHA-256,
 * so the store never holds a usable cookie. Logout deletes the record: a copied cookie is refused
 * from then on (a signed cookie alone would have stayed valid until it expired), and what was born
 * from the session ends with it (the `ended` step: tokens/end-browser-session.ts). A password change or
 * disabling the user ends all the user's records (tokens/withdraw.ts), and a disabled user has
 * none anyway.
 *
 * Each session also has a public id, `sid` (OpenID Connect Front- and Back-Channel Logout's
 * session id): 128 random bits, unrelated to the cookie, so naming it in ID tokens and logout
 * tokens gives a relying party nothing that opens the session. The cookie is HttpOnly, SameSite=Lax, and Secure (with the `__Host-` prefix) when the
 * page is served over https.
 *
 * CSRF: a random `csrf` cookie, and in every form the HMAC of it (the synchroniser token pattern
 * without server state, OWASP CSRF Cheat Sheet "Signed Double-Submit Cookie").
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { BrowserSession, Store, User } from '../../store/types.js';
import type { LogoutContext } from '../tokens/end-browser-session.js';

export const SESSION_SETTING = 'browser_session_secret';
/** How long a login on the pages lasts: a working day, not a month. */
export const BROWSER_SESSION_MS = 12 * 3_600_000;

export interface CookieOptions {
  secure: boolean;
}

/** The user of a live browser session, and when they logged in with their password. */
export interface SignedIn {
  user: User;
  /** Epoch ms of the password login that made the session: an ID token's `auth_time`. */
  authTime: number;
  /** The session's public id (an ID token's `sid`); null for a session made before it had one. */
  sid: string | null;
}

export interface BrowserSessions {
  /**
   * Makes a session for `user`; answers the Set-Cookie value that logs the browser in. The session
   * of `replacing` (the request's cookie), if any, ends first, so its copied cookie is refused from
   * then on: the same user signing in again keeps the session's `sid` (one session,
   * re-authenticated, and what was born from it ends with it later); another user's ends as a
   * logout does (the `ended` step).
   */
  login(
    user: User,
    options: CookieOptions,
    replacing?: { cookieHeader: string | undefined; context: LogoutContext },
  ): Promise<string>;
  /**
   * Ends the session of the request's cookie, if any (and what was born from it: the `ended`
   * step); answers the Set-Cookie value that clears it.
   */
  logout(cookieHeader: string | undefined, options: CookieOptions, context: LogoutContext): Promise<string>;
  /** The logged-in user of a request's cookies and when they logged in, or undefined. */
  current(cookieHeader: string | undefined, options: CookieOptions): Promise<SignedIn | undefined>;
  /** The request's CSRF cookie value, and the Set-Cookie header when a new one had to be made. */
  csrfCookie(cookieHeader: string | undefined, options: CookieOptions): { value: string; setCookie?: string };
  /** The form token for a CSRF cookie value. */
  csrfToken(cookieValue: string): string;
  /** True when the form's token matches the request's CSRF cookie. */
  checkCsrf(cookieHeader: string | undefined, token: string | undefined, options: CookieOptions): boolean;
}

/** Cookie names; `__Host-` (RFC 6265bis §4.1.3.2) pins them to this host, path / and https. */
export function cookieNames(secure: boolean) {
  const prefix = secure ? '__Host-' : '';
  return { session: `${prefix}sesame-session`, csrf: `${prefix}sesame-csrf` };
}

/** The cookies of a Cookie header; a malformed pair is skipped. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of (header ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at < 1) continue;
    const name = pair.slice(0, at).trim();
    if (!cookies.has(name)) cookies.set(name, pair.slice(at + 1).trim());
  }
  return cookies;
}

function setCookie(name: string, value: string, maxAgeSeconds: number, { secure }: CookieOptions): string {
  return [
    `${name}=${value}`,
    'Path=/',
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/**
 * The browser sessions over a store; the secret is made once per store (every instance agrees).
 *
 * @example
 * const sessions = await createBrowserSessions({ store, now });
 * reply.header('set-cookie', await sessions.login(user, { secure: request.protocol === 'https' }));
 * const signedIn = await sessions.current(request.headers.cookie, { secure: false }); // { user, authTime, sid }
 */
export async function createBrowserSessions(options: {
  store: Store;
  now: () => number;
  /** What else ends with a session that logout ended (its refresh families, its clients told). */
  ended?: (session: BrowserSession, context: LogoutContext) => Promise<void>;
}): Promise<BrowserSessions> {
  const { store, now } = options;
  const secret = Buffer.from(
    await store.initSetting(SESSION_SETTING, randomBytes(32).toString('base64url')),
    'base64url',
  );
  const mac = (...parts: string[]) =>
    createHmac('sha256', secret).update(parts.join('\0')).digest('base64url');
  const same = (a: string, b: string) => {
    const [x, y] = [Buffer.from(a), Buffer.from(b)];
    return x.length === y.length && timingSafeEqual(x, y);
  };
  const csrfToken = (value: string) => mac('csrf v1', value);
  /** The record's id: the token's SHA-256, so a leak of the table gives no usable cookie. */
  const sessionId = (token: string) => createHash('sha256').update(token).digest('base64url');
  const presented = (header: string | undefined, cookie: CookieOptions) => {
    // Only the name of this scheme: over https a cookie without __Host- could come from a sibling host.
    const value = parseCookies(header).get(cookieNames(cookie.secure).session);
    return value !== undefined && /^[\w-]{43}$/.test(value) ? value : undefined;
  };

  return Object.freeze({
    async login(
      user: User,
      cookie: CookieOptions,
      replacing?: { cookieHeader: string | undefined; context: LogoutContext },
    ) {
      let sid = randomBytes(16).toString('base64url');
      const old = replacing && presented(replacing.cookieHeader, cookie);
      const ended = old === undefined ? undefined : await store.endBrowserSession(sessionId(old));
      if (ended !== undefined && ended.expiresAt > now()) {
        // prompt=login, max_age: the same person proved it again; the relying parties' sessions
        // born from this one stay (a step-up is no logout) and stay linked to it by the sid.
        if (ended.userId === user.id && ended.sid !== null) sid = ended.sid;
        else await options.ended?.(ended, replacing!.context);
      }
      const token = randomBytes(32).toString('base64url');
      const createdAt = now();
      await store.createBrowserSession({
        id: sessionId(token),
        sid,
        userId: user.id,
        createdAt,
        expiresAt: createdAt + BROWSER_SESSION_MS,
      });
      return setCookie(cookieNames(cookie.secure).session, token, BROWSER_SESSION_MS / 1000, cookie);
    },
    async logout(header: string | undefined, cookie: CookieOptions, context: LogoutContext) {
      const token = presented(header, cookie);
      const session = token === undefined ? undefined : await store.endBrowserSession(sessionId(token));
      // An expired record is no live session: nothing was born from it that has not ended.
      if (session !== undefined && session.expiresAt > now()) await options.ended?.(session, context);
      return setCookie(cookieNames(cookie.secure).session, '', 0, cookie);
    },
    async current(header: string | undefined, cookie: CookieOptions) {
      const token = presented(header, cookie);
      if (token === undefined) return undefined;
      const session = await store.findBrowserSession(sessionId(token), now());
      if (session === undefined) return undefined;
      const user = await store.findUserById(session.userId);
      // A session is made only by a password login (login above), so its start is the auth_time.
      return user === undefined || user.disabled
        ? undefined
        : { user, authTime: session.createdAt, sid: session.sid };
    },
    csrfCookie(header: string | undefined, cookie: CookieOptions) {
      const name = cookieNames(cookie.secure).csrf;
      const existing = parseCookies(header).get(name);
      if (existing !== undefined && /^[\w-]{43}$/.test(existing)) return { value: existing };
      const value = randomBytes(32).toString('base64url');
      return { value, setCookie: setCookie(name, value, BROWSER_SESSION_MS / 1000, cookie) };
    },
    csrfToken,
    checkCsrf(header: string | undefined, token: string | undefined, cookie: CookieOptions) {
      if (token === undefined) return false;
      const value = parseCookies(header).get(cookieNames(cookie.secure).csrf);
      return value !== undefined && same(csrfToken(value), token);
    },
  });
}
