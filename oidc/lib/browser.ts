/**
 * The person at the browser: Debian's chromium driven by playwright-core (never a downloaded
 * browser), one process for the whole suite and a fresh context (cookie jar) per module, so a
 * module starts logged out unless it logs in. It types the password on Sesame's login page (the
 * stable fields `username`, `password` and the button `#sign-in`, docs/oidc.md), allows on the
 * consent page, and tells where the browser ended: back at the relying party, or on one of
 * Sesame's pages (an error, a logout confirmation, a "you are logged out" page).
 */
import { existsSync } from 'node:fs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '@sesame/testkit';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { RpEndpoints } from './endpoints.js';

/** Generous: a bound on a loaded 2-core machine, never a delay anyone waits out. */
const STEP_TIMEOUT_MS = 30_000;

export interface User {
  username: string;
  password: string;
}

/** Where the browser is after a step. */
export type Landing =
  /** Back at one of the relying party's endpoints (the redirect URI, the post-logout URI). */
  | { kind: 'client'; url: URL }
  /** Sesame's login form; `username` is what the field holds (a login_hint prefills it). */
  | { kind: 'login'; username: string }
  | { kind: 'consent' }
  /** Any other page of Sesame's: `text` is what it says, `form` whether it offers a button. */
  | { kind: 'page'; url: string; text: string; form: boolean };

/** A whole trip through the pages: where it ended and what was shown on the way. */
export interface Journey {
  landing: Landing;
  /** How many times the login form was shown, and what its username field held the first time. */
  loginShown: number;
  prefilled: string | undefined;
  consentShown: number;
  /** The `lang` of the first Sesame page shown. */
  lang: string | undefined;
}

export class Chromium {
  /** Contexts given back, cookies cleared: a new one costs chromium about 200 ms. */
  private readonly idle: Array<{ context: BrowserContext; page: Page }> = [];
  private constructor(private readonly browser: Browser) {}

  static async launch(): Promise<Chromium> {
    if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: apt-get install chromium`);
    return new Chromium(await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] }));
  }

  /** An empty cookie jar and a tab: nobody is logged in. */
  async session(endpoints: RpEndpoints): Promise<BrowserSession> {
    const reused = this.idle.pop();
    if (reused !== undefined) return new BrowserSession(reused.context, reused.page, endpoints, this);
    const context = await this.browser.newContext();
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
    return new BrowserSession(context, await context.newPage(), endpoints, this);
  }

  /** Takes a session's context back, emptied: no cookie, a blank page. */
  async release(context: BrowserContext, page: Page): Promise<void> {
    await page.goto('about:blank');
    await context.clearCookies();
    this.idle.push({ context, page });
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}

export class BrowserSession {
  constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly endpoints: RpEndpoints,
    private readonly owner: Chromium,
  ) {}

  /** Opens a URL (following its redirects) and says where the browser landed. */
  async open(url: string | URL): Promise<Landing> {
    await this.page.goto(String(url), { waitUntil: 'load' });
    return this.landing();
  }

  /**
   * Where the browser is now. A page that navigates on its own (form_post's self-submitting form)
   * can replace the document while it is read: then read again once the next one has loaded.
   */
  async landing(): Promise<Landing> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.read();
      } catch (error) {
        if (attempt >= 3) throw error;
        await this.page.waitForLoadState('load');
      }
    }
  }

  private async read(): Promise<Landing> {
    const url = this.page.url();
    if (url.startsWith(`${this.endpoints.base}/`)) return { kind: 'client', url: new URL(url) };
    const page = this.page;
    if ((await page.locator('#sign-in').count()) > 0) {
      return { kind: 'login', username: await page.locator('input[name="username"]').inputValue() };
    }
    if ((await page.locator('button[name="decision"][value="allow"]').count()) > 0)
      return { kind: 'consent' };
    const body = await page
      .locator('body')
      .textContent()
      .catch(() => null);
    const text = (body ?? '').replace(/\s+/g, ' ').trim();
    const form = (await page.locator('form button, form input[type="submit"]').count()) > 0;
    return { kind: 'page', url, text, form };
  }

  /** Types the user's password on the login form. */
  async signIn(user: User): Promise<Landing> {
    await this.page.fill('input[name="username"]', user.username);
    await this.page.fill('input[name="password"]', user.password);
    return this.submit('#sign-in');
  }

  /** Allows on the consent page. */
  allow(): Promise<Landing> {
    return this.submit('button[name="decision"][value="allow"]');
  }

  /** Presses the first button of the page's form (a logout confirmation). */
  confirm(): Promise<Landing> {
    return this.submit('form button, form input[type="submit"]');
  }

  private async submit(selector: string): Promise<Landing> {
    // The click waits for the navigation it starts to commit; then the new page must load.
    await this.page.locator(selector).first().click();
    await this.page.waitForLoadState('load');
    return this.landing();
  }

  /**
   * Opens `url` and plays the user: signs in when the login form shows, allows when the consent
   * page shows, until the browser is back at the relying party or on another page of Sesame's.
   */
  async drive(url: string | URL, user: User): Promise<Journey> {
    return this.play(await this.open(url), user);
  }

  /** The same, the request sent as a form POST to `action` (Core §3.1.2.1: GET and POST). */
  async drivePost(action: string, fields: Record<string, string>, user: User): Promise<Journey> {
    const inputs = Object.entries(fields)
      .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
      .join('');
    await this.page.setContent(
      `<form method="post" action="${escapeHtml(action)}">${inputs}<button id="send">send</button></form>`,
    );
    return this.play(await this.submit('#send'), user);
  }

  private async play(first: Landing, user: User): Promise<Journey> {
    const journey: Journey = {
      landing: first,
      loginShown: 0,
      prefilled: undefined,
      consentShown: 0,
      lang: undefined,
    };
    if (first.kind !== 'client') journey.lang = (await this.htmlLang()) ?? undefined;
    // Login and consent at most twice each: a page that keeps coming back is a loop, not a flow.
    for (let step = 0; step < 4; step++) {
      const { landing } = journey;
      if (landing.kind === 'login' && journey.loginShown < 2) {
        if (journey.loginShown === 0) journey.prefilled = landing.username;
        journey.loginShown++;
        journey.landing = await this.signIn(user);
      } else if (landing.kind === 'consent' && journey.consentShown < 2) {
        journey.consentShown++;
        journey.landing = await this.allow();
      } else {
        break;
      }
    }
    return journey;
  }

  async htmlLang(): Promise<string | null> {
    return this.page.locator('html').getAttribute('lang');
  }

  /** Ends the session: its cookies are cleared and the context serves the next one. */
  close(): Promise<void> {
    return this.owner.release(this.context, this.page);
  }
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
