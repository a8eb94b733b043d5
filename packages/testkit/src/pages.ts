/**
 * The pages of a built app (login, consent, the debugger) driven through app.inject, as a browser
 * would: a cookie jar and form posts, with no port. The same sign-in steps as over fetch
 * (signIn, signInAndConsent of @sesame/testkit) take it.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { cookieHeader, type FormClient, type PageAnswer, rememberCookies } from './authorize.js';

/**
 * A browser-like client of the pages over app.inject: keeps cookies, posts forms.
 *
 * @example const browser = new PageClient(t.app); const { back } = await signInAndConsent(browser, url, ALICE);
 */
export class PageClient implements FormClient<LightMyRequestResponse> {
  readonly cookies = new Map<string, string>();
  constructor(readonly app: FastifyInstance) {}

  private remember(response: LightMyRequestResponse): LightMyRequestResponse {
    const set = response.headers['set-cookie'];
    rememberCookies(this.cookies, Array.isArray(set) ? set : set ? [set] : []);
    return response;
  }

  get cookieHeader(): string {
    return cookieHeader(this.cookies);
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.remember(
      await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader } }),
    );
  }

  async post(url: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        payload: new URLSearchParams(fields).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader },
      }),
    );
  }

  answer(response: LightMyRequestResponse): PageAnswer {
    const { location } = response.headers;
    return {
      status: response.statusCode,
      location: location === undefined ? null : String(location),
      body: response.body,
    };
  }
}

/**
 * The query of a redirect's Location (the code, the state, or the error sent back to the client).
 *
 * @example locationParams(back).get('code')
 */
export function locationParams(response: LightMyRequestResponse): URLSearchParams {
  return new URL(String(response.headers.location), 'http://relative.invalid').searchParams;
}
