/**
 * Basic OP plan: the hints and preferences of an authorization request (Core §3.1.2.1):
 * id_token_hint, login_hint, ui_locales, claims_locales and acr_values. The OIDF modules check that
 * a request carrying them succeeds; since ignoring a parameter also "succeeds", the modules here
 * also check that the server acts on it as the spec says (a hint naming someone else is refused,
 * the page is in an offered language, acr values are advertised). claims_locales has nothing to
 * act on while every claim has one language: its module checks that nothing pretends otherwise.
 */
import { codeFlow, INTERACTION_ERRORS, userinfo } from '../lib/flow.js';
import type { Module, ModuleContext } from '../lib/module.js';
import { authRequest } from '../lib/rp.js';
import { compareLogins, loginTwice } from './prompt.js';

const plan = 'Basic OP' as const;

/** RFC 5646 language tags, loosely: what ui_locales_supported and claims_locales_supported hold. */
const LANGUAGE_TAG = /^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$/;

function checkLocales(ctx: ModuleContext, field: string): string[] {
  const list = ctx.d.metadata[field] as unknown;
  ctx.run.check(
    `discovery lists ${field}: language tags (Discovery §3)`,
    Array.isArray(list) &&
      list.length > 0 &&
      list.every((tag) => typeof tag === 'string' && LANGUAGE_TAG.test(tag)),
    `${field} ${JSON.stringify(list)}`,
  );
  return Array.isArray(list) ? (list as string[]) : [];
}

/** A prompt=none request with this id_token_hint, in a browser where alice is logged in: no code may come. */
async function refusedHint(
  ctx: ModuleContext,
  session: Awaited<ReturnType<ModuleContext['browser']>>,
  hint: string,
  what: string,
) {
  const request = authRequest(ctx.rp, { prompt: 'none', id_token_hint: hint });
  const landing = await session.open(request.url);
  const params = landing.kind === 'client' ? landing.url.searchParams : undefined;
  ctx.run.check(
    `${what}: no code is issued`,
    params === undefined || !params.has('code'),
    'a code came back',
  );
  if (params !== undefined) {
    ctx.run.check(
      `${what}: an error back at the client (login_required or invalid_request)`,
      [...INTERACTION_ERRORS, 'invalid_request'].includes(params.get('error') ?? ''),
      `error ${params.get('error')}`,
    );
  }
}

export const hintModules: Module[] = [
  {
    name: 'oidcc-id-token-hint',
    plan,
    clients: 'each',
    checks:
      'log in, then prompt=none with id_token_hint = the first ID token: a code at once, same sub and auth_time; a hint for another user, or a forged one, gets no code (Core §3.1.2.1)',
    async run(ctx) {
      const { session, first, second } = await loginTwice(ctx, (flow) => ({
        prompt: 'none',
        id_token_hint: flow.idToken,
      }));
      ctx.run.check('no page was shown', second.journey.loginShown + second.journey.consentShown === 0);
      compareLogins(ctx, first, second, 'same');
      // bob's own ID token, from his own browser.
      const bob = await codeFlow(ctx, await ctx.browser(), {}, { user: ctx.d.bob, label: "bob's ID token" });
      await refusedHint(ctx, session, bob.idToken, 'a hint naming bob while alice is logged in');
      const [header, payload, signature] = first.idToken.split('.');
      const flipped = `${signature!.startsWith('A') ? 'B' : 'A'}${signature!.slice(1)}`;
      await refusedHint(
        ctx,
        session,
        `${header}.${payload}.${flipped}`,
        'a hint whose signature was altered',
      );
    },
  },
  {
    name: 'oidcc-login-hint',
    plan,
    clients: 'each',
    checks:
      'login_hint=alice with nobody logged in: the login page comes with the username filled in, and the flow succeeds',
    async run(ctx) {
      const flow = await codeFlow(ctx, await ctx.browser(), { login_hint: ctx.d.alice.username });
      ctx.run.check('the login page was shown', flow.journey.loginShown === 1);
      ctx.run.check(
        'the username field holds the hint',
        flow.journey.prefilled === ctx.d.alice.username,
        `field ${JSON.stringify(flow.journey.prefilled)}`,
      );
    },
  },
  {
    name: 'oidcc-ui-locales',
    plan,
    clients: 'each',
    checks:
      'ui_locales="fr-CA fr en": the flow succeeds; discovery lists ui_locales_supported, and the login page is in one of them, the first requested one offered',
    async run(ctx) {
      const offered = checkLocales(ctx, 'ui_locales_supported');
      const requested = ['fr-CA', 'fr', 'en'];
      const flow = await codeFlow(ctx, await ctx.browser(), { ui_locales: requested.join(' ') });
      const lang = flow.journey.lang ?? '';
      ctx.run.check('the login page says its language (<html lang>)', lang !== '', 'no lang');
      ctx.run.check('the page is in an offered language', offered.includes(lang), `lang ${lang}`);
      const best = requested.find((tag) => offered.includes(tag));
      if (best !== undefined)
        ctx.run.check(
          `the page is in ${best}, the first requested one offered`,
          lang === best,
          `lang ${lang}`,
        );
    },
  },
  {
    name: 'oidcc-claims-locales',
    plan,
    clients: 'each',
    checks:
      'claims_locales="fr-CA fr en" with scope profile: the flow succeeds and /userinfo has the profile claims, language-tagged ones (name#fr) only for a locale discovery lists in claims_locales_supported (Core §5.2)',
    async run(ctx) {
      const listed = ctx.d.metadata.claims_locales_supported;
      const offered = listed === undefined ? [] : checkLocales(ctx, 'claims_locales_supported');
      if (listed === undefined)
        ctx.run.note('no claims_locales_supported: claims come in their one language');
      const flow = await codeFlow(ctx, await ctx.browser(), {
        scope: 'openid profile',
        claims_locales: 'fr-CA fr en',
      });
      const info = await userinfo(ctx, flow);
      ctx.run.check('/userinfo has the name claim', info.name === 'Alice Liddell', `name ${info.name}`);
      const tagged = Object.keys(info).filter((claim) => claim.includes('#'));
      ctx.run.check(
        'language-tagged claims only for offered locales',
        tagged.every((claim) => offered.includes(claim.slice(claim.indexOf('#') + 1))),
        tagged.join(' '),
      );
    },
  },
  {
    name: 'oidcc-ensure-request-with-acr-values-succeeds',
    plan,
    clients: 'each',
    checks:
      'acr_values="1 2" (voluntary): the flow succeeds; discovery lists acr_values_supported, and an acr in the ID token is one of them',
    async run(ctx) {
      const offered = ctx.d.metadata.acr_values_supported as unknown;
      ctx.run.check(
        'discovery lists acr_values_supported (Discovery §3)',
        Array.isArray(offered) && offered.length > 0 && offered.every((value) => typeof value === 'string'),
        `acr_values_supported ${JSON.stringify(offered)}`,
      );
      const flow = await codeFlow(ctx, await ctx.browser(), { acr_values: '1 2' });
      if (flow.claims.acr !== undefined) {
        ctx.run.check(
          'the ID token acr is one of acr_values_supported',
          Array.isArray(offered) && offered.includes(flow.claims.acr),
          `acr ${String(flow.claims.acr)}`,
        );
      }
    },
  },
];
