/**
 * Config OP plan: oidcc-discovery-endpoint-verification (the discovery document's required fields,
 * the issuer, the JWKS); and the Dynamic OP plan's oidcc-server-rotate-keys, driven for real: the
 * operator's `sesame keys rotate` runs before the other modules, and after them the JWKS must have
 * the new signing key and still the old one, a new ID token must be signed by the new key, and
 * the ID token signed before the rotation must still verify.
 */
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { codeFlow, type Flow } from '../lib/flow.js';
import { fetchJwks } from '../lib/id-token.js';
import type { Module, ModuleContext } from '../lib/module.js';
import { relyingParty } from '../lib/rp.js';

/** RFC 7518 §6: members that only a private or symmetric key has. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
/** RFC 6749 §3.3 scope-token: NQCHARs. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const LANGUAGE_TAG = /^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$/;

/** The OIDF's ValidateServerJWKs, CheckForKeyIdInServerJWKs, CheckDistinctKeyIdValueInServerJWKs, EnsureServerJwksDoesNotContainPrivateOrSymmetricKeys. */
export function checkJwks(ctx: ModuleContext, jwks: { keys?: JWK[] }, label: string): JWK[] {
  const keys = Array.isArray(jwks.keys) ? jwks.keys : [];
  ctx.run.check(`${label}: a JWK Set with keys (RFC 7517 §5)`, keys.length > 0);
  ctx.run.check(
    `${label}: every key has kty`,
    keys.every((key) => typeof key.kty === 'string'),
  );
  ctx.run.check(
    `${label}: every key has a kid (Core §10.1)`,
    keys.every((key) => typeof key.kid === 'string'),
  );
  const kids = keys.map((key) => key.kid);
  ctx.run.check(
    `${label}: kids are distinct (RFC 7517 §4.5)`,
    new Set(kids).size === kids.length,
    kids.join(' '),
  );
  ctx.run.check(
    `${label}: no private or symmetric key material (RFC 7518 §6.3.2.1)`,
    keys.every((key) => key.kty !== 'oct' && PRIVATE_MEMBERS.every((member) => !(member in key))),
  );
  ctx.run.check(
    `${label}: keys are for signatures (use sig, when given)`,
    keys.every((key) => key.use === undefined || key.use === 'sig'),
  );
  return keys;
}

const isUrl = (value: unknown) => typeof value === 'string' && URL.canParse(value);

export const configModules: Module[] = [
  {
    name: 'oidcc-discovery-endpoint-verification',
    plan: 'Config OP',
    clients: 'once',
    checks:
      'the discovery document: 200 JSON, the issuer it is served under, required fields (Discovery §3), RS256 among the ID token algorithms, endpoints, a JWKS of public signing keys, scopes and locales well formed',
    async run(ctx) {
      const url = `${ctx.d.issuer}/.well-known/openid-configuration`;
      const response = await fetch(url);
      ctx.run.check(
        'the discovery URL answers 200 (Discovery §4)',
        response.status === 200,
        `${response.status}`,
      );
      ctx.run.check(
        'the answer is application/json',
        (response.headers.get('content-type') ?? '').startsWith('application/json'),
      );
      const m = (await response.json()) as Record<string, unknown>;
      ctx.run.check(
        'issuer + /.well-known/openid-configuration is the URL it was fetched from (Discovery §4.3)',
        `${String(m.issuer)}/.well-known/openid-configuration` === url,
        `issuer ${String(m.issuer)}`,
      );
      const issuer = isUrl(m.issuer) ? new URL(m.issuer as string) : undefined;
      ctx.run.check(
        'issuer is a URL with no query or fragment (RFC 8414 §2)',
        issuer !== undefined && issuer.search === '' && issuer.hash === '',
      );
      ctx.run.note(
        "not checked: every endpoint on https (the suite's server listens on http://127.0.0.1; TLS is the proxy's, docs/deploy.md)",
      );
      const list = (field: string) => (Array.isArray(m[field]) ? (m[field] as unknown[]) : undefined);
      ctx.run.check(
        'response_types_supported includes code',
        list('response_types_supported')?.includes('code') === true,
      );
      ctx.run.check(
        'subject_types_supported is public and/or pairwise',
        (list('subject_types_supported')?.length ?? 0) > 0 &&
          list('subject_types_supported')!.every((type) => type === 'public' || type === 'pairwise'),
      );
      const algs = list('id_token_signing_alg_values_supported');
      ctx.run.check(
        'id_token_signing_alg_values_supported includes RS256 (Discovery §3: MUST)',
        algs?.includes('RS256') === true,
        JSON.stringify(algs),
      );
      ctx.run.check(
        'id_token_signing_alg_values_supported does not include none',
        algs?.includes('none') !== true,
      );
      if (m.userinfo_signing_alg_values_supported !== undefined) {
        ctx.run.check(
          'userinfo_signing_alg_values_supported is a list',
          Array.isArray(m.userinfo_signing_alg_values_supported),
        );
      }
      for (const field of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri']) {
        ctx.run.check(`${field} is a URL`, isUrl(m[field]), String(m[field]));
      }
      if (m.registration_endpoint !== undefined)
        ctx.run.check('registration_endpoint is a URL', isUrl(m.registration_endpoint));
      const jwks = await fetch(String(m.jwks_uri));
      ctx.run.check('jwks_uri answers 200', jwks.status === 200, `${jwks.status}`);
      checkJwks(ctx, (await jwks.json()) as { keys?: JWK[] }, 'the JWKS');
      for (const field of [
        'request_parameter_supported',
        'request_uri_parameter_supported',
        'claims_parameter_supported',
      ]) {
        if (m[field] !== undefined) ctx.run.check(`${field} is a boolean`, typeof m[field] === 'boolean');
      }
      ctx.run.check(
        'claims_supported is listed (Discovery §3: RECOMMENDED)',
        Array.isArray(m.claims_supported),
      );
      ctx.run.check(
        'grant_types_supported, when listed, includes authorization_code',
        m.grant_types_supported === undefined ||
          list('grant_types_supported')?.includes('authorization_code') === true,
      );
      ctx.run.check(
        'scopes_supported includes openid (Discovery §3: MUST)',
        list('scopes_supported')?.includes('openid') === true,
      );
      ctx.run.check(
        'scopes_supported are scope-tokens (RFC 6749 §3.3)',
        (list('scopes_supported') ?? []).every(
          (scope) => typeof scope === 'string' && SCOPE_TOKEN.test(scope),
        ),
      );
      for (const field of ['ui_locales_supported', 'claims_locales_supported']) {
        if (m[field] !== undefined) {
          ctx.run.check(
            `${field} are language tags (RFC 5646)`,
            (list(field) ?? [null]).every((tag) => typeof tag === 'string' && LANGUAGE_TAG.test(tag)),
          );
        }
      }
      if (m.code_challenge_methods_supported !== undefined) {
        ctx.run.check(
          'code_challenge_methods_supported is a list (RFC 8414 §2)',
          Array.isArray(m.code_challenge_methods_supported),
        );
      }
    },
  },
  {
    name: 'oidcc-server-rotate-keys',
    plan: 'Dynamic OP',
    clients: 'once',
    checks:
      '`sesame keys rotate` while serving: the JWKS gets the new signing key and keeps the old one (Core §10.1.1), new ID tokens carry the new kid and verify, and an ID token from before still verifies',
    async prepare(ctx) {
      const session = await ctx.browser();
      const before = await codeFlow(ctx, session, {}, { label: 'ID token before the rotation' });
      const jwks = checkJwks(ctx, await fetchJwks(String(ctx.d.metadata.jwks_uri)), 'the JWKS before');
      const rotated = await ctx.d.cli(['keys', 'rotate']);
      ctx.run.require('sesame keys rotate succeeds', rotated.code === 0, rotated.stderr.trim());
      const listed = await ctx.d.cli(['keys', 'list', '--json']);
      const keys = JSON.parse(listed.stdout) as Array<{ kid: string; alg: string; state: string }>;
      // With keys of several algorithms, the one that replaces the key of the ID token above.
      const alg = decodeProtectedHeader(before.idToken).alg;
      const current = keys.find((key) => key.state === 'current' && key.alg === alg)?.kid;
      return { session, before, jwks, current };
    },
    async run(ctx, prepared) {
      const { session, before, current } = prepared as {
        session: Awaited<ReturnType<ModuleContext['browser']>>;
        before: Flow;
        current: string;
      };
      const oldKid = decodeProtectedHeader(before.idToken).kid;
      ctx.run.check(
        'the rotation made another key current',
        current !== undefined && current !== oldKid,
        `${oldKid} then ${current}`,
      );
      // The server loads a rotation made by another process within its reload interval (30 s):
      // ask for ID tokens until one carries the new kid; the bound is for a loaded machine.
      const deadline = Date.now() + 120_000;
      let after: Flow | undefined;
      for (;;) {
        after = await codeFlow(ctx, session, { prompt: 'none' }, { label: 'ID token after the rotation' });
        if (decodeProtectedHeader(after.idToken).kid === current || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      ctx.run.check(
        'a new ID token is signed with the new current key',
        decodeProtectedHeader(after.idToken).kid === current,
        `kid ${String(decodeProtectedHeader(after.idToken).kid)}`,
      );
      const keys = checkJwks(ctx, await fetchJwks(String(ctx.d.metadata.jwks_uri)), 'the JWKS after');
      ctx.run.check(
        'the JWKS has the new signing key (VerifyNewJwksHasNewSigningKey)',
        keys.some((key) => key.kid === current),
      );
      const old = keys.find((key) => key.kid === oldKid);
      ctx.run.check(
        'the JWKS still has the old signing key (VerifyNewJwksStillHasOldSigningKey)',
        old !== undefined,
      );
      if (old !== undefined) {
        let verified = true;
        await compactVerify(
          before.idToken,
          await importJWK(old, decodeProtectedHeader(before.idToken).alg),
        ).catch(() => {
          verified = false;
        });
        ctx.run.check('the ID token from before the rotation still verifies against the JWKS', verified);
      }
    },
  },
];

/** The CLI flag that registers a client's ID token algorithm (OpenID Connect Registration §2). */
export const ID_TOKEN_ALG_FLAG = '--id-token-alg';

configModules.push({
  name: 'oidcc-idtoken-rs256',
  plan: 'Dynamic OP',
  clients: 'once',
  checks:
    'a client registered for RS256 ID tokens (id_token_signed_response_alg): its ID token has alg RS256, a kid of an RSA key in the JWKS, and verifies',
  async run(ctx) {
    const registered = await ctx.d.addClient([
      ...['oidc rp rs256', '--grant', 'authorization_code', '--scopes', 'openid'],
      ...['--redirect-uri', ctx.d.endpoints.redirectUri, '--no-pkce', ID_TOKEN_ALG_FLAG, 'RS256'],
    ]);
    const rp = await relyingParty(ctx.d.issuer, registered, ctx.d.endpoints.redirectUri);
    const flow = await codeFlow(ctx, await ctx.browser(), {}, { rp });
    const header = decodeProtectedHeader(flow.idToken);
    ctx.run.check('the ID token has alg RS256', header.alg === 'RS256', String(header.alg));
    const keys = await fetchJwks(String(ctx.d.metadata.jwks_uri));
    ctx.run.check(
      'its kid names an RSA key of the JWKS',
      keys.keys.some((key) => key.kid === header.kid && key.kty === 'RSA'),
      String(header.kid),
    );
  },
});
