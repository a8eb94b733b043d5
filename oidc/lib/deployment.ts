/**
 * One Sesame server for the whole suite, set up the way an operator would: a fresh data dir, users
 * and clients made with the real CLI (`sesame users add`, `sesame clients add`), `sesame serve` (the
 * built CLI, as `npm install` builds it), a postal address set through the admin API (the one claim
 * the CLI has no flag for), the relying party's endpoints, openid-client configured by discovery
 * for the two clients, and one chromium.
 */
import { existsSync, rmSync } from 'node:fs';
import {
  freePort,
  type RunResult,
  runSesame,
  SESAME_BUILT,
  type Started,
  startSesame,
  tempDir,
} from '@sesame/testkit';
import { Chromium, type User } from './browser.js';
import { RpEndpoints } from './endpoints.js';
import { type AuthMethod, type Registered, type Rp, relyingParty } from './rp.js';

export interface Person extends User {
  id: string;
}

export interface Deployment {
  issuer: string;
  dataDir: string;
  server: Started;
  endpoints: RpEndpoints;
  chromium: Chromium;
  /** alice has every profile claim and the scopes openid profile email phone address; bob fewer. */
  alice: Person;
  bob: Person;
  /** One client per authentication method, registered alike otherwise. */
  rps: Record<AuthMethod, Rp>;
  /** The discovery document as served at start. */
  metadata: Record<string, unknown>;
  /** Runs `sesame ARGS --data-dir DIR` (the built CLI). */
  cli(args: readonly string[], stdin?: string): Promise<RunResult>;
  /** Registers one more client with the CLI (`clients add … --json`). */
  addClient(args: readonly string[], authMethod?: AuthMethod): Promise<Registered>;
  stop(): Promise<void>;
}

export const SCOPES = 'openid profile email phone address';

const ALICE_PROFILE = [
  ...['--name', 'Alice Liddell', '--given-name', 'Alice', '--family-name', 'Liddell'],
  ...['--email', 'alice@example.com', '--email-verified', 'yes'],
  ...['--phone', '+351912345678', '--phone-verified', 'yes'],
  ...['--locale', 'en-GB', '--picture', 'https://example.com/alice.png'],
];

export const ALICE_ADDRESS = {
  formatted: '1 Rabbit Hole\nOxford OX1 1AA\nUnited Kingdom',
  street_address: '1 Rabbit Hole',
  locality: 'Oxford',
  postal_code: 'OX1 1AA',
  country: 'GB',
};

/** Starts everything; on any failure, stops what was started and rethrows. */
export async function startDeployment(): Promise<Deployment> {
  if (!existsSync(SESAME_BUILT)) throw new Error(`${SESAME_BUILT} is missing: run npm run build first`);
  const undo: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const step of undo.reverse()) await Promise.resolve(step()).catch(() => undefined);
  };
  try {
    const dataDir = tempDir('sesame-oidc-');
    undo.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const cli = (args: readonly string[], stdin?: string) =>
      runSesame([...args, '--data-dir', dataDir], { built: true, ...(stdin === undefined ? {} : { stdin }) });
    const ok = async (args: readonly string[], stdin?: string) => {
      const result = await cli(args, stdin);
      if (result.code !== 0) throw new Error(`sesame ${args.slice(0, 3).join(' ')}: ${result.stderr.trim()}`);
      return result.stdout;
    };
    const addUser = async (username: string, password: string, args: readonly string[]) => {
      const out = await ok(['users', 'add', username, '--password-stdin', ...args], `${password}\n`);
      const id = /\(id ([^,]+),/.exec(out)?.[1];
      if (id === undefined) throw new Error(`users add ${username}: no id in ${out}`);
      return { username, password, id };
    };
    const addClient = async (args: readonly string[], authMethod: AuthMethod = 'client_secret_basic') => {
      const out = JSON.parse(await ok(['clients', 'add', ...args, '--json'])) as Record<string, string>;
      return { clientId: out.client_id!, clientSecret: out.client_secret!, authMethod };
    };

    const endpoints = await RpEndpoints.start();
    undo.push(() => endpoints.close());
    // The first command makes the store; the rest, the server and chromium start side by side
    // (each command is its own process, and SQLite in WAL mode takes their writes in turn).
    const alice = await addUser('alice', 'alice password 1', ['--scopes', SCOPES, ...ALICE_PROFILE]);
    const rpClient = (method: AuthMethod) =>
      addClient(
        [
          ...[`oidc rp ${method}`, '--grant', 'authorization_code,refresh_token', '--scopes', SCOPES],
          ...['--redirect-uri', endpoints.redirectUri, '--auth-method', method, '--no-pkce'],
          ...['--post-logout-redirect-uri', endpoints.postLogoutRedirectUri],
        ],
        method,
      );
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const serving = startSesame({ port, dataDir, built: true, args: ['--workers', '1'] });
    const launching = Chromium.launch();
    // Stopped whatever else fails, once started.
    undo.push(async () => (await serving).stop());
    undo.push(async () => (await launching).close());
    const [bob, admin, adminTool, basic, post, server, chromium] = await Promise.all([
      addUser('bob', 'bob password 22', ['--scopes', SCOPES, '--name', 'Bob']),
      // Only for the admin API call below: alice's postal address.
      addUser('oidc-admin', 'admin password 333', ['--scopes', 'admin']),
      addClient(['oidc admin tool', '--public', '--grant', 'password', '--scopes', 'admin']),
      rpClient('client_secret_basic'),
      rpClient('client_secret_post'),
      serving,
      launching,
    ]);
    await setAddress(issuer, admin, adminTool.clientId, alice.id);

    const metadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    const rps = {
      client_secret_basic: await relyingParty(issuer, basic, endpoints.redirectUri),
      client_secret_post: await relyingParty(issuer, post, endpoints.redirectUri),
    };
    return { issuer, dataDir, server, endpoints, chromium, alice, bob, rps, metadata, cli, addClient, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** PATCH /admin/users/ID with alice's address, with a token from the password grant. */
async function setAddress(issuer: string, admin: User, clientId: string, userId: string): Promise<void> {
  const token = await fetch(`${issuer}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', client_id: clientId, scope: 'admin', ...admin }),
  });
  if (token.status !== 200) throw new Error(`admin token: ${token.status} ${await token.text()}`);
  const { access_token } = (await token.json()) as { access_token: string };
  const patched = await fetch(`${issuer}/admin/users/${userId}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ profile: { address: ALICE_ADDRESS } }),
  });
  if (patched.status !== 200)
    throw new Error(`admin PATCH address: ${patched.status} ${await patched.text()}`);
}
