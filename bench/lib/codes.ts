/**
 * Authorization codes for the code exchange scenarios, made by the code flow itself outside the
 * timed part: one browser signs in once and consents once (the consent is remembered), then asks
 * the authorization endpoint for code after code, each answered at once with a redirect. Codes live
 * 60 seconds (packages/server/src/domain/authorization/codes.ts), so a pool is filled right before
 * the run that spends it, with what that run needs, and what is left is thrown away.
 */
import { createHash, randomBytes } from 'node:crypto';
import { authorizeUrl, Browser, signInAndConsent } from '@sesame/testkit';
import type { Credentials } from './sesame.js';

/** Where the codes are sent: nobody listens there; the redirect is read from the Location header. */
export const CODE_REDIRECT = 'http://127.0.0.1:9/callback';

export interface CodePool {
  /** The token request's form body for the next code (an unusable code when the pool ran dry). */
  nextBody(): string;
  /** Throws the leftovers away and makes `count` fresh codes. */
  refill(count: number): Promise<void>;
  /** Codes asked for since the last refill, the pool's own and the ones it did not have. */
  readonly asked: number;
  /** Codes asked for since the last refill that the pool did not have (each answered 400). */
  readonly dry: number;
}

/**
 * Signs `user` in for `client` and returns a pool of its codes for `scope`. One PKCE pair serves
 * every code (RFC 7636 S256): the exchange checks it as it would any other.
 *
 * @example const pool = await codePool(issuer, web, 'openid api', user); await pool.refill(5000);
 */
export async function codePool(
  issuer: string,
  client: Credentials,
  scope: string,
  user: { username: string; password: string },
): Promise<CodePool> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const url = authorizeUrl({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: CODE_REDIRECT,
    scope,
    state: 'bench',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const browser = new Browser(issuer);
  const codeOf = (location: string | null) => {
    const code = location === null ? null : new URL(location).searchParams.get('code');
    if (code === null) throw new Error(`the authorization endpoint gave no code (${location})`);
    return code;
  };
  // The first code comes from the login and the consent; the next ones straight from the session.
  const { back } = await signInAndConsent(browser, url, user);
  codeOf(back.location);
  const body = (code: string) =>
    new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: CODE_REDIRECT,
    }).toString();
  let codes: string[] = [];
  let asked = 0;
  let dry = 0;
  return {
    nextBody() {
      asked++;
      const code = codes.pop();
      if (code !== undefined) return body(code);
      dry++;
      return body('the-pool-ran-dry');
    },
    async refill(count) {
      const made: string[] = [];
      // A few requests in flight at once: the server makes codes faster than one round trip each.
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (made.length < count) made.push(codeOf((await browser.get(url)).location));
        }),
      );
      codes = made;
      asked = 0;
      dry = 0;
    },
    get asked() {
      return asked;
    },
    get dry() {
      return dry;
    },
  };
}
