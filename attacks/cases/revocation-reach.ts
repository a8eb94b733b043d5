import type { JsonWebKey } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type Deployment, guardStatus, type TokenResponse, userinfoStatus } from '../lib/deployment.js';
import { es256, parts, privateFromJwk, segment } from '../lib/jose.js';
import { sesame, sesameJson } from '../lib/processes.js';
import { type Context, startDeployment } from '../lib/setup.js';

const CATEGORY = 'revocation reach';
/** How long a withdrawal may take to reach the server's mirror and the guard's feed (both ~1 s). */
const REACH_MS = 8_000;

/**
 * Does taking something back reach what was already issued? A password changed, a scope taken
 * away, a client removed, a signing key revoked: each must end the refresh families and get the
 * earlier access tokens refused at the server and, through the revocation feed, at the guard.
 * Runs on a deployment of its own, since it changes users, removes clients and revokes keys.
 */
export async function revocationReachAttacks(ctx: Context): Promise<void> {
  const d = await startDeployment('reach', ctx.cleanup);
  // Tokens for the quiz API and for Sesame's own /userinfo, so both can be asked about one token.
  const app = await sesameJson<{ client_id: string }>([
    ...['clients', 'add', 'reach app', '--public', '--grant', 'password,refresh_token'],
    ...['--scopes', 'openid quiz admin', '--audience', 'quiz-api sesame', '--data-dir', d.dataDir],
  ]);
  const reach = new Reach(ctx, d, app.client_id);
  await reach.passwordChange();
  await reach.scopeRemoval();
  await reach.clientRemoval();
  await reach.endlessToken();
  // Last: the admin token of the cases above is signed with the key it revokes.
  await reach.keyRevocation();
}

interface User {
  id: string;
  username: string;
  password: string;
}

class Reach {
  readonly dir: string[];
  #admin: Promise<string> | undefined;
  #serial = 0;

  constructor(
    readonly ctx: Context,
    readonly d: Deployment,
    readonly appClientId: string,
  ) {
    this.dir = ['--data-dir', d.dataDir];
  }

  check(name: string, ok: boolean, detail = ''): boolean {
    return this.ctx.report.check(CATEGORY, name, ok, detail);
  }

  /** A user made with the CLI while the server runs. */
  async user(scopes: string): Promise<User> {
    const user = { username: `reach-${this.#serial++}`, password: 'reach password 1' };
    const made = await sesame(
      ['users', 'add', user.username, '--password-stdin', '--scopes', scopes, ...this.dir],
      `${user.password}\n`,
    );
    const id = /\(id ([^,]+),/.exec(made.stdout)?.[1];
    if (made.code !== 0 || id === undefined) throw new Error(`users add: ${made.stderr.trim()}`);
    return { ...user, id };
  }

  /** The password grant at a client; any failure is a broken harness, not a verdict. */
  async login(user: Pick<User, 'username' | 'password'>, scope: string, clientId = this.appClientId) {
    const response = await this.token({ grant_type: 'password', client_id: clientId, ...user, scope });
    if (response.status !== 200) throw new Error(`login of ${user.username}: ${response.status}`);
    return response.body;
  }

  async token(fields: Record<string, string>, authorization?: string) {
    const response = await fetch(`${this.d.issuer}/oauth/token`, {
      method: 'POST',
      headers: authorization === undefined ? {} : { authorization },
      body: new URLSearchParams(fields),
    });
    return {
      status: response.status,
      body: (await response.json()) as TokenResponse & { scope?: string; error?: string },
    };
  }

  refresh(refreshToken: string) {
    return this.token({
      grant_type: 'refresh_token',
      client_id: this.appClientId,
      refresh_token: refreshToken,
    });
  }

  /** An admin token of this deployment, through a first-party client whose tokens are for Sesame. */
  admin(): Promise<string> {
    this.#admin ??= (async () => {
      const client = await sesameJson<{ client_id: string }>([
        ...['clients', 'add', 'reach console', '--public', '--grant', 'password'],
        ...['--scopes', 'openid admin', ...this.dir],
      ]);
      const admin = await this.user('openid admin');
      return (await this.login(admin, 'openid admin', client.client_id)).access_token;
    })();
    return this.#admin;
  }

  async adminCall(method: string, path: string, body?: unknown): Promise<number> {
    const response = await fetch(`${this.d.issuer}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await this.admin()}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await response.arrayBuffer();
    return response.status;
  }

  /** Polls until the status is a refusal, within REACH_MS; answers the last status seen. */
  async refusedWithin(status: () => Promise<number>): Promise<number> {
    const end = Date.now() + REACH_MS;
    for (;;) {
      const seen = await status();
      if (seen === 401 || seen === 400 || Date.now() >= end) return seen;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The earlier access token must be refused by the server and by the guard, within the feed's delay. */
  async expectWithdrawn(what: string, accessToken: string): Promise<void> {
    const [server, guard] = await Promise.all([
      this.refusedWithin(() => userinfoStatus(this.d, accessToken)),
      this.refusedWithin(() => guardStatus(this.d, accessToken)),
    ]);
    this.check(
      `${what}: the earlier access token @ userinfo`,
      server === 401,
      `/userinfo answered ${server}`,
    );
    this.check(`${what}: the earlier access token @ guard`, guard === 401, `quiz API answered ${guard}`);
  }

  async control(what: string, accessToken: string): Promise<boolean> {
    const [server, guard] = await Promise.all([
      userinfoStatus(this.d, accessToken),
      guardStatus(this.d, accessToken),
    ]);
    return (
      this.check(`control: ${what} @ userinfo`, server === 200, `/userinfo answered ${server}`) &&
      this.check(`control: ${what} @ guard`, guard === 200, `quiz API answered ${guard}`)
    );
  }

  /** `sesame users passwd`: the old refresh token and the old access token are dead. */
  async passwordChange(): Promise<void> {
    const user = await this.user('openid quiz');
    const session = await this.login(user, 'openid quiz');
    if (!(await this.control('password change: the token before', session.access_token))) return;
    const changed = await sesame(
      ['users', 'passwd', user.username, '--password-stdin', ...this.dir],
      'another password 2\n',
    );
    if (changed.code !== 0) throw new Error(`users passwd: ${changed.stderr.trim()}`);
    const refreshed = await this.refresh(session.refresh_token!);
    this.check(
      'password change: the earlier refresh token is refused',
      refreshed.status === 400,
      `${refreshed.status} ${refreshed.body.scope ?? refreshed.body.error ?? ''}`,
    );
    await this.expectWithdrawn('password change', session.access_token);
  }

  /** PATCH /admin/users/{id} taking `admin` away: the refresh is narrowed, the old token refused. */
  async scopeRemoval(): Promise<void> {
    const user = await this.user('openid quiz admin');
    const session = await this.login(user, 'openid quiz admin');
    if (!(await this.control('scope removal: the token before', session.access_token))) return;
    const patched = await this.adminCall('PATCH', `/admin/users/${user.id}`, { scopes: ['openid', 'quiz'] });
    if (patched !== 200) throw new Error(`PATCH /admin/users answered ${patched}`);
    const refreshed = await this.refresh(session.refresh_token!);
    const scopes = (refreshed.body.scope ?? '').split(' ');
    this.check(
      'scope removal: the refresh does not grant the removed scope',
      refreshed.status === 200 && !scopes.includes('admin') && scopes.includes('quiz'),
      `${refreshed.status} scope="${refreshed.body.scope ?? refreshed.body.error ?? ''}"`,
    );
    await this.expectWithdrawn('scope removal', session.access_token);
  }

  /** DELETE /admin/clients/{id}: the client's refresh and access tokens are dead. */
  async clientRemoval(): Promise<void> {
    const client = await sesameJson<{ client_id: string }>([
      ...['clients', 'add', 'reach doomed app', '--public', '--grant', 'password,refresh_token'],
      ...['--scopes', 'openid quiz', '--audience', 'quiz-api sesame', ...this.dir],
    ]);
    const user = await this.user('openid quiz');
    const session = await this.login(user, 'openid quiz', client.client_id);
    if (!(await this.control('client removal: the token before', session.access_token))) return;
    const removed = await this.adminCall('DELETE', `/admin/clients/${encodeURIComponent(client.client_id)}`);
    if (removed !== 204) throw new Error(`DELETE /admin/clients answered ${removed}`);
    const refreshed = await this.token({
      grant_type: 'refresh_token',
      client_id: client.client_id,
      refresh_token: session.refresh_token!,
    });
    this.check(
      'client removal: the refresh token is refused',
      refreshed.status === 400 || refreshed.status === 401,
      `${refreshed.status}`,
    );
    await this.expectWithdrawn('client removal', session.access_token);
  }

  /** POST /admin/keys/{kid}/revoke: the key leaves the JWKS and its tokens are refused everywhere. */
  async keyRevocation(): Promise<void> {
    const user = await this.user('openid quiz');
    const session = await this.login(user, 'openid quiz');
    if (!(await this.control('key revocation: the token before', session.access_token))) return;
    const kid = (parts(session.access_token).header as { kid?: string }).kid ?? '';
    const revoked = await this.adminCall('POST', `/admin/keys/${encodeURIComponent(kid)}/revoke`);
    if (revoked !== 200) throw new Error(`POST /admin/keys/{kid}/revoke answered ${revoked}`);
    const jwks = (await (await fetch(`${this.d.issuer}/.well-known/jwks.json`)).json()) as {
      keys: Array<{ kid?: string }>;
    };
    this.check(
      'key revocation: the key has left the JWKS',
      !jwks.keys.some((key) => key.kid === kid),
      `kids: ${jwks.keys.map((key) => key.kid).join(' ')}`,
    );
    await this.expectWithdrawn('key revocation', session.access_token);
  }

  /** A token signed with the issuer's own key (read from its data dir) claiming exp 1e300. */
  async endlessToken(): Promise<void> {
    const db = new Database(join(this.d.dataDir, 'sesame.db'), { readonly: true, fileMustExist: true });
    let row: { kid: string; private_jwk: string } | undefined;
    try {
      row = db
        .prepare("SELECT kid, private_jwk FROM signing_keys WHERE state = 'current'")
        .get() as typeof row;
    } finally {
      db.close();
    }
    if (row === undefined || !row.private_jwk.trimStart().startsWith('{')) {
      this.check('exp 1e300: the current key could be read for the simulation', false);
      return;
    }
    const key = privateFromJwk(JSON.parse(row.private_jwk) as JsonWebKey);
    const user = await this.user('openid quiz');
    const template = parts((await this.login(user, 'openid quiz')).access_token);
    const signed = (payload: Record<string, unknown>) => {
      const input = `${segment({ ...template.header, kid: row.kid })}.${segment({ ...template.payload, ...payload })}`;
      return `${input}.${es256(input, key)}`;
    };
    const control = await guardStatus(this.d, signed({ jti: 'reach-control' }));
    if (!this.check('control: a token signed with the read key @ guard', control === 200, `${control}`))
      return;
    const endless = await guardStatus(this.d, signed({ jti: 'reach-endless', exp: 1e300 }));
    this.check('exp 1e300 signed by the issuer @ guard', endless === 401, `quiz API answered ${endless}`);
  }
}
