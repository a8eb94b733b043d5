/**
 * The server's and the guard's entry points for the agreement tests: a Sesame app built through
 * @sesame/server's public exports over a temporary SQLite store (never listening: app.inject), and
 * a guard through @sesame/guard's, whose HTTP goes to that app. A table row that reaches both
 * proves the server and the guard apply the protocol's rule, not a copy of it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGuard, type Guard, type GuardOptions } from '@sesame/guard';
import { exportJWK, generateKeyPair, type JwtPayload, sign } from '@sesame/jwt';
import { buildApp, loadConfig, openStore } from '@sesame/server';
import type { FastifyInstance } from 'fastify';

export const ISSUER = 'http://sesame.test';
export const AUDIENCE = 'protocol-api';

export interface Server {
  app: FastifyInstance;
  store: Awaited<ReturnType<typeof openStore>>;
  /** A confidential client allowed to read the revocation feed and introspect. */
  feedClient: { id: string; secret: string };
  close(): Promise<void>;
}

export async function startServer(now: () => number = Date.now): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sesame-protocol-'));
  const config = loadConfig({ values: { dataDir, logLevel: 'silent', issuer: ISSUER } });
  const store = await openStore(config);
  const app = await buildApp({ config, store, now, logger: false });
  const created = await app.sesame.clients.create(
    {
      name: 'protocol api',
      clientId: 'protocol-api',
      type: 'confidential',
      grantTypes: ['client_credentials'],
      scopes: ['openid'],
      redirectUris: [],
      permissions: ['introspect', 'revocations'],
    },
    'test',
  );
  return {
    app,
    store,
    feedClient: { id: 'protocol-api', secret: created.clientSecret! },
    async close() {
      await app.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const { privateKey, publicKey } = generateKeyPair('ES256', { kid: 'k-guard' });

/** The JWKS holding the key of guardToken, for a guard that discovers its keys. */
export const GUARD_JWKS = { keys: [exportJWK(publicKey)] };

/** An access token the guard below accepts (RFC 9068 header and claims), with `claims` over them. */
export function guardToken(claims: JwtPayload, options: { kid?: string; nowS?: number } = {}): string {
  const nowS = options.nowS ?? Math.floor(Date.now() / 1000);
  const payload: JwtPayload = { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', exp: nowS + 600, ...claims };
  return sign(payload, privateKey, { typ: 'at+jwt', issuedAt: false, kid: options.kid ?? 'k-guard' });
}

/** The `fetch` of a guard whose server is `app`: every request is an app.inject. */
export function injectFetch(app: FastifyInstance, options: { stream?: boolean } = {}): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const url = new URL(String(input));
    if (options.stream === false && url.pathname.endsWith('/stream'))
      return new Response('', { status: 404 });
    const response = await app.inject({
      method: (init?.method ?? 'GET') as 'GET',
      url: url.pathname + url.search,
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
    });
    return new Response(response.rawPayload, {
      status: response.statusCode,
      headers: { 'content-type': String(response.headers['content-type'] ?? 'application/json') },
    });
  }) as typeof fetch;
}

/** A guard with a local key (no discovery), for the issuer above. */
export function startGuard(options: Partial<GuardOptions> = {}): Guard {
  return createGuard({ issuer: ISSUER, audience: AUDIENCE, key: publicKey, ...options });
}
