import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authorizeUrl, Browser, cookieHeader, formFields, pkce, signIn } from '@sesame/testkit';
import Database from 'better-sqlite3';
import { type Deployment, PLAYER } from '../lib/deployment.js';
import { freePort, sesameJson, startSesame } from '../lib/processes.js';
import type { Context } from '../lib/setup.js';
import { startDeployment } from '../lib/setup.js';

const CATEGORY = 'login protection';

/** A password-grant attempt, as sent through a proxy that appends the client's address (`xff`). */
async function attempt(d: Deployment, username: string, password: string, xff: string): Promise<number> {
  const response = await fetch(`${d.issuer}/oauth/token`, {
    method: 'POST',
    headers: { 'x-forwarded-for': xff },
    body: new URLSearchParams({ grant_type: 'password', client_id: d.appClientId, username, password }),
  });
  await response.arrayBuffer();
  return response.status;
}

/** The `login.throttled` rows of the deployment's audit trail, read from its SQLite file. */
function throttledRows(d: Deployment): Array<{ ip: string; details: string }> {
  const db = new Database(join(d.dataDir, 'sesame.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare("select ip, details from audit_events where type = 'login.throttled'").all() as Array<{
      ip: string;
      details: string;
    }>;
  } finally {
    db.close();
  }
}

/**
 * The login throttle against an attacker who shares an address with real users, or writes
 * X-Forwarded-For: on a server of its own behind one proxy (`trustProxy: 1`), so these failed logins
 * throttle no address the other categories use.
 *  - lock-out by address: failures for made-up usernames from one address must not keep a real user
 *    of that address with the right password out;
 *  - refused logins are audited, aggregated (a flood of 429s is a handful of rows);
 *  - X-Forwarded-For rotation: behind one proxy (which appends what it saw), a client writing its own
 *    entries to the left stays one address; and `trustProxy: true`, which believes the left-most
 *    entry, is refused at start;
 *  - a copied session cookie of the login pages is refused once its session logged out.
 */
export async function loginProtectionAttacks(ctx: Context): Promise<void> {
  const { report, cleanup } = ctx;
  const d = await startDeployment('login', cleanup, { quiz: false, env: { SESAME_TRUST_PROXY: '1' } });

  const office = '198.51.100.20';
  const spray: number[] = [];
  for (let i = 0; i < 11; i++) spray.push(await attempt(d, `made-up-${i}`, 'guess', office));
  report.check(CATEGORY, 'control: no made-up login succeeds', !spray.includes(200), spray.join(','));
  const real = await attempt(d, PLAYER.username, PLAYER.password, office);
  report.check(
    CATEGORY,
    "11 failures for made-up usernames from an address do not lock out that address's real user",
    real === 200,
    `${real}`,
  );

  const retries: number[] = [];
  for (let i = 0; i < 100; i++) retries.push(await attempt(d, 'made-up-0', `guess-${i}`, office));
  report.check(
    CATEGORY,
    'control: the address is throttled on a username it failed on',
    retries.every((status) => status === 429),
    [...new Set(retries)].join(','),
  );
  const rows = throttledRows(d).filter((row) => row.ip === office);
  const counts = rows.map((row) => (JSON.parse(row.details) as { refused?: number }).refused);
  report.check(
    CATEGORY,
    '100 throttled logins are audited, aggregated (7 rows: refusal 1, 2, 4 … 64)',
    JSON.stringify(counts) === JSON.stringify([1, 2, 4, 8, 16, 32, 64]),
    `${rows.length} rows: ${JSON.stringify(counts)}`,
  );

  const real1 = '198.51.100.30';
  const rounds: number[][] = [[], []];
  for (const round of rounds) {
    for (let i = 0; i < 12; i++) {
      // The client writes the left entry, a new one each time; the proxy appends what it saw.
      const written = `203.0.113.${rounds.indexOf(round) * 12 + i}`;
      round.push(await attempt(d, `sprayed-${i}`, 'guess', `${written}, ${real1}`));
    }
  }
  report.check(
    CATEGORY,
    'X-Forwarded-For rotation (trustProxy 1): a second round on the same usernames is throttled',
    rounds[0]!.every((status) => status === 400) && rounds[1]!.every((status) => status === 429),
    rounds.map((round) => round.join(',')).join(' | '),
  );
  report.check(CATEGORY, 'trustProxy true is refused at start, in one line', await trueRefused());

  const after = await copiedCookieAfterLogout(d);
  report.check(
    CATEGORY,
    'a copied session cookie is refused after logout',
    after.before === 'consent' && after.after === 'login',
    `before logout: ${after.before} page, after: ${after.after} page`,
  );
}

/**
 * Signs the player in on the login pages, copies the cookies, signs out, and shows which page the
 * copy gets before and after: 'consent' (still signed in) or 'login'.
 */
async function copiedCookieAfterLogout(d: Deployment): Promise<{ before: string; after: string }> {
  const redirect = 'http://127.0.0.1:9/callback';
  const web = await sesameJson<{ client_id: string }>([
    ...['clients', 'add', 'login web', '--public', '--grant', 'authorization_code'],
    ...['--scopes', 'openid quiz', '--redirect-uri', redirect, '--data-dir', d.dataDir],
  ]);
  const url = authorizeUrl({
    response_type: 'code',
    client_id: web.client_id,
    redirect_uri: redirect,
    scope: 'openid quiz',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
  });
  const browser = new Browser(d.issuer);
  const page = (html: string) => (html.includes('action="/oauth/authorize/consent"') ? 'consent' : 'login');
  await signIn(browser, url, PLAYER);
  const copied = cookieHeader(browser.cookies);
  const consent = await browser.go(url);
  const before = page((await browser.go(url, undefined, copied)).body);
  await browser.go('/oauth/authorize/logout', formFields(consent.body, '/oauth/authorize/logout'));
  return { before, after: page((await browser.go(url, undefined, copied)).body) };
}

/** `sesame serve` with SESAME_TRUST_PROXY=true must exit non-zero with one line naming it, soon. */
async function trueRefused(): Promise<boolean> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sesame-attacks-proxy-'));
  const server = startSesame(await freePort(), dataDir, { SESAME_TRUST_PROXY: 'true' });
  try {
    const code = await Promise.race([
      new Promise<number | null>((resolve) => server.child.once('exit', (exit) => resolve(exit))),
      new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 15_000)),
    ]);
    const lines = server.output().trim().split('\n');
    return code !== 'running' && code !== 0 && lines.length === 1 && /SESAME_TRUST_PROXY/.test(lines[0]!);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
