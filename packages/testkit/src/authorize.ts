/**
 * The person at the browser in an authorization code flow: the authorize URL with PKCE, the hidden
 * fields of the login and consent forms, a cookie jar over fetch, and the login + consent steps
 * that end in the redirect back to the client with a code. HTTP only: the same steps drive a
 * listening `sesame serve` (Browser) and a built app through inject (PageClient in
 * @sesame/testkit/app).
 */
import { createHash, randomBytes } from 'node:crypto';

/**
 * A PKCE verifier and its S256 challenge (RFC 7636 §4.2).
 *
 * @example const { verifier, challenge } = pkce();
 */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * The authorization endpoint's path with these query parameters.
 *
 * @example await browser.get(authorizeUrl({ response_type: 'code', client_id: 'quiz-web', ... }));
 */
export function authorizeUrl(params: Record<string, string>): string {
  return `/oauth/authorize?${new URLSearchParams(params).toString()}`;
}

/**
 * The hidden inputs of the first form posting to `action` in a page, their HTML entities decoded.
 *
 * @example await browser.post('/oauth/authorize/login', { ...formFields(page.body, '/oauth/authorize/login'), ...user });
 */
export function formFields(html: string, action: string): Record<string, string> {
  const start = html.indexOf(`action="${action}"`);
  if (start === -1) throw new Error(`no form to ${action} in: ${html.slice(0, 500)}`);
  const form = html.slice(start, html.indexOf('</form>', start));
  const fields: Record<string, string> = {};
  for (const match of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[match[1]!] = match[2]!
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  }
  return fields;
}

/** What the sign-in steps read of an answer: its status, its Location (if any) and its page. */
export interface PageAnswer {
  status: number;
  location: string | null;
  body: string;
}

/** A client of the pages that keeps cookies and follows no redirect by itself. */
export interface FormClient<R> {
  get(url: string): Promise<R>;
  post(url: string, fields: Record<string, string>): Promise<R>;
  /** The parts of an answer the sign-in steps look at. */
  answer(response: R): PageAnswer;
}

/** Keeps the cookies of Set-Cookie lines; an emptied or expired cookie is forgotten. */
export function rememberCookies(cookies: Map<string, string>, setCookie: readonly string[]): void {
  for (const line of setCookie) {
    const [pair] = line.split(';');
    const at = pair!.indexOf('=');
    const [name, value] = [pair!.slice(0, at), pair!.slice(at + 1)];
    if (value === '' || /Max-Age=0/.test(line)) cookies.delete(name);
    else cookies.set(name, value);
  }
}

/** The Cookie header of a jar. */
export function cookieHeader(cookies: Map<string, string>): string {
  return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

/**
 * A browser of a listening server, reduced to fetch with a cookie jar.
 *
 * @example const browser = new Browser('http://127.0.0.1:8080'); const page = await browser.get('/oauth/authorize?...');
 */
export class Browser implements FormClient<PageAnswer> {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  /** GET, or POST a form; `cookie` replaces the jar's Cookie header (a copied cookie). */
  async go(
    url: string,
    form?: Record<string, string>,
    cookie = cookieHeader(this.cookies),
  ): Promise<PageAnswer> {
    const response = await fetch(new URL(url, this.base), {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie,
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form) } : {}),
    });
    rememberCookies(this.cookies, response.headers.getSetCookie());
    return {
      status: response.status,
      location: response.headers.get('location'),
      body: await response.text(),
    };
  }

  get(url: string): Promise<PageAnswer> {
    return this.go(url);
  }

  post(url: string, fields: Record<string, string>): Promise<PageAnswer> {
    return this.go(url, fields);
  }

  answer(response: PageAnswer): PageAnswer {
    return response;
  }
}

/**
 * Opens the authorize URL and signs in on its login page: `page` is the login page, `signedIn`
 * the answer to the login form (a 303 back to the authorize URL when the password is right).
 *
 * @example const { signedIn } = await signIn(browser, authorizeUrl(params), { username, password });
 */
export async function signIn<R>(
  client: FormClient<R>,
  url: string,
  user: { username: string; password: string },
): Promise<{ page: R; signedIn: R }> {
  const page = await client.get(url);
  const signedIn = await client.post('/oauth/authorize/login', {
    ...formFields(client.answer(page).body, '/oauth/authorize/login'),
    ...user,
  });
  return { page, signedIn };
}

/**
 * The whole user part of the code flow: opens the authorize URL, signs in, follows the login's
 * redirect to the consent page and answers it (`allow` unless told). A consent given before is
 * remembered: then the consent step already redirects to the client and is the `back` answer.
 * Checks nothing itself: each test asserts on the steps it cares about.
 *
 * @example const { back } = await signInAndConsent(browser, authorizeUrl(params), ALICE); // back.location has the code
 */
export async function signInAndConsent<R>(
  client: FormClient<R>,
  url: string,
  user: { username: string; password: string },
  decision: 'allow' | 'deny' = 'allow',
): Promise<{ page: R; signedIn: R; consent: R; back: R }> {
  const { page, signedIn } = await signIn(client, url, user);
  const consent = await client.get(client.answer(signedIn).location ?? url);
  const shown = client.answer(consent);
  if (shown.status >= 300 && shown.status < 400) return { page, signedIn, consent, back: consent };
  const back = await client.post('/oauth/authorize/consent', {
    ...formFields(shown.body, '/oauth/authorize/consent'),
    decision,
  });
  return { page, signedIn, consent, back };
}
