/**
 * Basic OP plan: display, prompt and max_age (Core §3.1.2.1). The modules that log in twice
 * compare the two ID tokens (OIDF AbstractOIDCCSameAuthTwiceServerTest): same sub, and auth_time
 * later when the password was asked again, the same when it was not. Where a later auth_time must
 * be measurable, the module waits for the server's clock to pass the first one (lib/clock.ts),
 * never a fixed sleep.
 */
import type { BrowserSession } from '../lib/browser.js';
import { untilServerTime } from '../lib/clock.js';
import { codeFlow, type Flow, INTERACTION_ERRORS } from '../lib/flow.js';
import type { Module, ModuleContext } from '../lib/module.js';
import { authRequest } from '../lib/rp.js';

const plan = 'Basic OP' as const;

/** The second flow's ID token against the first's. */
export function compareLogins(
  ctx: ModuleContext,
  first: Flow,
  second: Flow,
  authTime: 'same' | 'later',
): void {
  ctx.run.check(
    'the second ID token has the same sub',
    second.claims.sub === first.claims.sub,
    `${first.claims.sub} then ${second.claims.sub}`,
  );
  const [a, b] = [first.claims.auth_time, second.claims.auth_time];
  if (authTime === 'later') {
    ctx.run.check('the second ID token has auth_time (Core §3.1.2.1)', typeof b === 'number');
    ctx.run.check('the second auth_time is later than the first', (b ?? 0) > (a ?? 0), `${a} then ${b}`);
  } else if (a !== undefined || b !== undefined) {
    ctx.run.check("the second ID token has the first one's auth_time", a === b, `${a} then ${b}`);
  }
}

/**
 * Logs alice in, then sends a second request in the same browser (OIDF
 * AbstractOIDCCSameAuthTwiceServerTest); `waitSeconds` lets the server's clock pass the first
 * auth_time by that much first.
 */
export async function loginTwice(
  ctx: ModuleContext,
  second: (first: Flow) => Record<string, string>,
  options: { waitSeconds?: number; maxAge?: number } = {},
): Promise<{ session: BrowserSession; first: Flow; second: Flow; asked: number }> {
  const session = await ctx.browser();
  const first = await codeFlow(ctx, session);
  if (options.waitSeconds !== undefined) {
    await untilServerTime(ctx.d.issuer, (first.claims.auth_time ?? 0) + options.waitSeconds);
  }
  const asked = Math.floor(Date.now() / 1000);
  const then = await codeFlow(ctx, session, second(first), {
    label: 'second ID token',
    ...(options.maxAge === undefined ? {} : { maxAge: options.maxAge }),
  });
  return { session, first, second: then, asked };
}

function displayModule(value: 'page' | 'popup'): Module {
  return {
    name: `oidcc-display-${value}`,
    plan,
    clients: 'each',
    checks: `display=${value}: the login and consent pages are shown and the flow succeeds; discovery lists ${value} in display_values_supported`,
    async run(ctx) {
      const supported = ctx.d.metadata.display_values_supported as string[] | undefined;
      ctx.run.check(
        `discovery lists ${value} in display_values_supported (Discovery §3)`,
        Array.isArray(supported) && supported.includes(value),
        `display_values_supported ${JSON.stringify(supported)}`,
      );
      const flow = await codeFlow(ctx, await ctx.browser(), { display: value });
      ctx.run.check('the login page was shown', flow.journey.loginShown === 1);
    },
  };
}

export const promptModules: Module[] = [
  displayModule('page'),
  displayModule('popup'),
  {
    name: 'oidcc-prompt-login',
    plan,
    clients: 'each',
    checks:
      'log in, then prompt=login in the same browser: the login page is shown again, and the new ID token has the same sub and a later auth_time',
    async run(ctx) {
      const { first, second } = await loginTwice(ctx, () => ({ prompt: 'login' }), { waitSeconds: 1 });
      ctx.run.check('prompt=login shows the login page again', second.journey.loginShown === 1);
      compareLogins(ctx, first, second, 'later');
    },
  },
  {
    name: 'oidcc-prompt-none-not-logged-in',
    plan,
    clients: 'each',
    checks:
      'prompt=none with nobody logged in: straight back to the client with login_required (or another interaction error), the state and iss — no page, no code',
    async run(ctx) {
      const session = await ctx.browser();
      const request = authRequest(ctx.rp, { prompt: 'none' });
      const landing = await session.open(request.url);
      ctx.run.require(
        'the browser goes straight back to the redirect URI',
        landing.kind === 'client',
        landing.kind === 'page' ? landing.text.slice(0, 200) : landing.kind,
      );
      const params = (landing as { url: URL }).url.searchParams;
      ctx.run.check(
        'the error is one that needs a page: login_required, interaction_required, … (Core §3.1.2.6)',
        INTERACTION_ERRORS.includes(params.get('error') ?? ''),
        `error ${params.get('error')}`,
      );
      ctx.run.check('no code', !params.has('code'));
      ctx.run.check(
        'the state comes back',
        params.get('state') === request.state,
        `state ${params.get('state')}`,
      );
      ctx.run.check(
        'iss is the issuer (RFC 9207)',
        params.get('iss') === ctx.d.issuer,
        `iss ${params.get('iss')}`,
      );
    },
  },
  {
    name: 'oidcc-prompt-none-logged-in',
    plan,
    clients: 'each',
    checks:
      'log in, then prompt=none in the same browser: a code at once with no page shown; the same sub and auth_time',
    async run(ctx) {
      const { first, second } = await loginTwice(ctx, () => ({ prompt: 'none' }));
      ctx.run.check(
        'no page was shown',
        second.journey.loginShown === 0 && second.journey.consentShown === 0,
        `login ${second.journey.loginShown}, consent ${second.journey.consentShown}`,
      );
      compareLogins(ctx, first, second, 'same');
    },
  },
  {
    name: 'oidcc-max-age-1',
    plan,
    clients: 'each',
    checks:
      "log in, let the server's clock pass auth_time + 2 s, then max_age=1: the login page is shown again, and the new ID token has auth_time, later and recent",
    async run(ctx) {
      // Whole seconds: a login at auth_time + 0.99 s is more than 1 s old once the clock reads + 2.
      const { first, second, asked } = await loginTwice(ctx, () => ({ max_age: '1' }), {
        waitSeconds: 2,
        maxAge: 1,
      });
      ctx.run.check(
        'max_age=1 shows the login page again (ExpectSecondLoginPage)',
        second.journey.loginShown === 1,
      );
      compareLogins(ctx, first, second, 'later');
      ctx.run.check(
        'the second auth_time is recent: not before the second request',
        (second.claims.auth_time ?? 0) >= asked - 1,
        `auth_time ${second.claims.auth_time}, asked at ${asked}`,
      );
    },
  },
  {
    name: 'oidcc-max-age-10000',
    plan,
    clients: 'each',
    checks: 'log in, then max_age=10000: no login page, the same sub and auth_time',
    async run(ctx) {
      const session = await ctx.browser();
      const first = await codeFlow(ctx, session);
      const second = await codeFlow(
        ctx,
        session,
        { max_age: '10000' },
        { maxAge: 10000, label: 'second ID token' },
      );
      ctx.run.check('no login page the second time', second.journey.loginShown === 0);
      compareLogins(ctx, first, second, 'same');
    },
  },
];
