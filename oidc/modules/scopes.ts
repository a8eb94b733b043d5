/**
 * Basic OP plan: the profile, email, address and phone scopes and all four (OIDF
 * AbstractOIDCCScopesServerTest), and a claim asked for by the `claims` parameter
 * (oidcc-claims-essential). The OIDF skips a scope module when discovery's scopes_supported does not
 * list the scope; when it runs, /userinfo must be well formed and carry the scope's claims (Core
 * §5.4), which alice has every one of.
 */
import type { UserInfoResponse } from 'openid-client';
import { ALICE_ADDRESS } from '../lib/deployment.js';
import { codeFlow, userinfo } from '../lib/flow.js';
import type { Module, ModuleContext } from '../lib/module.js';

const plan = 'Basic OP' as const;

/** Core §5.4: what each scope releases, with alice's values. */
const RELEASED: Record<string, Record<string, unknown>> = {
  profile: {
    name: 'Alice Liddell',
    given_name: 'Alice',
    family_name: 'Liddell',
    locale: 'en-GB',
    picture: 'https://example.com/alice.png',
    preferred_username: 'alice',
  },
  email: { email: 'alice@example.com', email_verified: true },
  phone: { phone_number: '+351912345678', phone_number_verified: true },
  address: { address: ALICE_ADDRESS },
};

/** Core §5.1's types (OIDF ValidateUserInfoStandardClaims, EnsureUserInfoBirthDateValid, EnsureUserInfoUpdatedAtValid). */
function checkStandardClaims(ctx: ModuleContext, info: UserInfoResponse): void {
  const wrong: string[] = [];
  for (const [claim, value] of Object.entries(info)) {
    if (['email_verified', 'phone_number_verified'].includes(claim) && typeof value !== 'boolean')
      wrong.push(claim);
    else if (claim === 'updated_at' && !(typeof value === 'number' && Number.isFinite(value)))
      wrong.push(claim);
    else if (claim === 'address' && (typeof value !== 'object' || value === null || Array.isArray(value)))
      wrong.push(claim);
    else if (claim === 'birthdate' && !(typeof value === 'string' && /^\d{4}(-\d{2}-\d{2})?$/.test(value)))
      wrong.push(claim);
    else if (
      [
        'name',
        'given_name',
        'family_name',
        'middle_name',
        'nickname',
        'preferred_username',
        'profile',
        'picture',
        'website',
        'email',
        'gender',
        'zoneinfo',
        'locale',
        'phone_number',
      ].includes(claim) &&
      typeof value !== 'string'
    )
      wrong.push(claim);
  }
  ctx.run.check(
    '/userinfo claims have the types of Core §5.1',
    wrong.length === 0,
    `wrong: ${wrong.join(', ')}`,
  );
}

function scopeModule(name: string, scopes: readonly string[]): Module {
  return {
    name,
    plan,
    clients: 'each',
    checks: `scope "openid ${scopes.join(' ')}": /userinfo is well formed (Core §5.1), its sub is the ID token's, and it carries ${scopes.map((s) => `${s}'s`).join(', ')} claims (Core §5.4)`,
    async run(ctx) {
      const supported = ctx.d.metadata.scopes_supported as string[] | undefined;
      // The OIDF's OIDCCCheckScopesSupportedContainScopeTest: no list, or a list without the scope.
      const missing = scopes.filter((scope) => !Array.isArray(supported) || !supported.includes(scope));
      if (missing.length > 0) {
        ctx.run.skip(
          `discovery's scopes_supported ${JSON.stringify(supported)} does not list ${missing.join(', ')} (the OIDF rule skips the module)`,
        );
      }
      const flow = await codeFlow(ctx, await ctx.browser(), { scope: `openid ${scopes.join(' ')}` });
      const info = await userinfo(ctx, flow);
      checkStandardClaims(ctx, info);
      for (const scope of scopes) {
        for (const [claim, value] of Object.entries(RELEASED[scope]!)) {
          ctx.run.check(
            `/userinfo carries ${claim} for the ${scope} scope`,
            JSON.stringify(info[claim]) === JSON.stringify(value),
            `${claim}: ${JSON.stringify(info[claim])}`,
          );
        }
      }
    },
  };
}

export const scopeModules: Module[] = [
  scopeModule('oidcc-scope-profile', ['profile']),
  scopeModule('oidcc-scope-email', ['email']),
  scopeModule('oidcc-scope-address', ['address']),
  scopeModule('oidcc-scope-phone', ['phone']),
  scopeModule('oidcc-scope-all', ['profile', 'email', 'address', 'phone']),
  {
    name: 'oidcc-claims-essential',
    plan,
    clients: 'each',
    checks:
      'claims={"userinfo":{"name":{"essential":true}}} with scope openid alone: the flow succeeds, /userinfo carries name, the ID token does not (Core §5.5)',
    async run(ctx) {
      ctx.run.check(
        'discovery says claims_parameter_supported: true (Discovery §3)',
        ctx.d.metadata.claims_parameter_supported === true,
        `claims_parameter_supported ${String(ctx.d.metadata.claims_parameter_supported)}`,
      );
      const claims = JSON.stringify({ userinfo: { name: { essential: true } } });
      const flow = await codeFlow(ctx, await ctx.browser(), { scope: 'openid', claims });
      const info = await userinfo(ctx, flow);
      ctx.run.check(
        '/userinfo carries the essential name claim',
        info.name === 'Alice Liddell',
        `name ${info.name}`,
      );
      ctx.run.check(
        'the ID token does not carry name (asked for /userinfo only)',
        flow.claims.name === undefined,
        `name ${String(flow.claims.name)}`,
      );
    },
  },
];
