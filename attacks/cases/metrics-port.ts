import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { loadConfig } from '@sesame/server';
import { parsePrometheus } from '@sesame/testkit';
import { PLAYER } from '../lib/deployment.js';
import { freePort, sesame } from '../lib/processes.js';
import { type Context, startDeployment } from '../lib/setup.js';

const CATEGORY = 'metrics port';
const TOKEN = `mt-${randomBytes(18).toString('hex')}`;

/** A raw GET: the path sent as written (fetch would normalise `..`, `//` and case-folded escapes). */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The metrics reveal traffic and client ids, so they are for the monitoring system alone: on a
 * port of their own (never the public one, whatever the spelling of the path), behind a bearer
 * token compared exactly, refused at start off loopback without one; and a request cannot put what
 * it carries (a username, a password, a raw path) into the exposition, nor grow its series. Runs on
 * a deployment of its own with two workers (the primary serves the sum), metricsToken set.
 */
export async function metricsPortAttacks(ctx: Context): Promise<void> {
  const { report } = ctx;
  const check = (name: string, ok: boolean, detail = '') => report.check(CATEGORY, name, ok, detail);

  // Refused at start: every address that is not loopback, without a token.
  const exposed = ['0.0.0.0', '::', '[::]', '10.0.0.7', '192.168.1.10', '169.254.0.1', 'example.com'];
  const disguised = [
    '127.0.0.1.nip.io',
    'localhost.example.com',
    '::ffff:10.0.0.1',
    '2130706433',
    '0177.0.0.1',
    '127.1',
  ];
  for (const host of [...exposed, ...disguised]) {
    let refused = false;
    try {
      loadConfig({ env: { SESAME_METRICS_PORT: '9464', SESAME_METRICS_HOST: host } });
    } catch (error) {
      refused = (error as Error).name === 'ConfigError';
    }
    check(`metricsHost ${host} without a token is refused at start`, refused);
  }
  for (const token of ['short', 'a token with spaces in it', `${'x'.repeat(20)}\n`]) {
    let refused = false;
    try {
      loadConfig({ env: { SESAME_METRICS_TOKEN: token } });
    } catch (error) {
      refused = (error as Error).name === 'ConfigError' && !(error as Error).message.includes(token.trim());
    }
    check(`a metricsToken ${JSON.stringify(token.slice(0, 12))}… is refused without being echoed`, refused);
  }
  const port = await freePort();
  const run = await sesame(['serve', '--port', String(port), '--data-dir', '/nonexistent-metrics'], '', {
    SESAME_METRICS_PORT: String(await freePort()),
    SESAME_METRICS_HOST: '0.0.0.0',
  });
  check(
    'the real sesame serve refuses 0.0.0.0 without a token: one line, exit 2',
    run.code === 2 && run.stderr.trim().split('\n').length === 1 && /SESAME_METRICS_TOKEN/.test(run.stderr),
    `exit ${run.code}: ${run.stderr.trim()}`,
  );

  const metricsPort = await freePort();
  const d = await startDeployment('metrics', ctx.cleanup, {
    quiz: false,
    env: { SESAME_WORKERS: '2', SESAME_METRICS_PORT: String(metricsPort), SESAME_METRICS_TOKEN: TOKEN },
  });
  const publicPort = Number(new URL(d.issuer).port);
  const exposition = (body: string) => body.includes('sesame_http_requests_total');

  // The public port never serves the metrics, however the path is spelled.
  for (const path of [
    '/metrics',
    '/metrics/',
    '/METRICS',
    '//metrics',
    '/%6Detrics',
    '/./metrics',
    '/x/../metrics',
  ]) {
    for (const method of ['GET', 'POST']) {
      const answer = await get(publicPort, path, { authorization: `Bearer ${TOKEN}` }, method);
      check(
        `${method} ${path} on the public port is not the metrics`,
        answer.status >= 400 && !exposition(answer.body),
        `status ${answer.status}`,
      );
    }
  }

  // The metrics port: only /metrics, only with the token.
  const wrong: Record<string, string | undefined> = {
    'no Authorization': undefined,
    'another token': `Bearer mt-${randomBytes(18).toString('hex')}`,
    'the token less its last character': `Bearer ${TOKEN.slice(0, -1)}`,
    'the token with a character more': `Bearer ${TOKEN}0`,
    'a prefix of the token': `Bearer ${TOKEN.slice(0, 8)}`,
    'the token in Basic': `Basic ${Buffer.from(`${TOKEN}:`).toString('base64')}`,
    'the token as Basic password': `Basic ${Buffer.from(`prometheus:${TOKEN}`).toString('base64')}`,
    'the token without a scheme': TOKEN,
    'Bearer and nothing': 'Bearer ',
    'the token with trailing junk': `Bearer ${TOKEN} x`,
  };
  for (const [name, authorization] of Object.entries(wrong)) {
    const answer = await get(metricsPort, '/metrics', authorization === undefined ? {} : { authorization });
    check(
      `a scrape with ${name} is 401`,
      answer.status === 401 && !exposition(answer.body),
      `status ${answer.status}`,
    );
  }
  for (const path of [`/metrics?token=${TOKEN}`, `/metrics?access_token=${TOKEN}`]) {
    const answer = await get(metricsPort, path);
    check(
      `the token in the query (${path.split('=')[0]}) is not a credential`,
      answer.status === 401,
      `status ${answer.status}`,
    );
  }
  for (const path of [
    '/',
    '/metrics/',
    '/METRICS',
    '//metrics',
    '/%6Detrics',
    '/metrics/..',
    '/metrics%00',
    '/healthz',
    '/oauth/token',
  ]) {
    const answer = await get(metricsPort, path, { authorization: `Bearer ${TOKEN}` });
    check(
      `${path} on the metrics port is 404, even with the token`,
      answer.status === 404 && !exposition(answer.body),
      `status ${answer.status}`,
    );
  }

  // What requests carry never reaches the exposition, and never makes a series.
  const marker = randomBytes(8).toString('hex');
  const username = `evil"} sesame_forged_total 1\n# ${marker}`;
  const password = `guess-${marker}`;
  const scrape = async () => {
    const answer = await get(metricsPort, '/metrics', { authorization: `Bearer ${TOKEN}` });
    return { ...answer, samples: answer.status === 200 ? parsePrometheus(answer.body) : [] };
  };
  const before = await scrape();
  check(
    'a scrape with the token is 200 and parses',
    before.status === 200 && before.samples.length > 0,
    `status ${before.status}`,
  );
  const series = (samples: typeof before.samples) =>
    samples.filter((s) => s.name === 'sesame_http_requests_total').length;
  for (const name of [username, PLAYER.username]) {
    await fetch(`${d.issuer}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: d.appClientId,
        username: name,
        password,
      }),
    }).then((r) => r.arrayBuffer());
  }
  for (let i = 0; i < 40; i++) {
    await get(publicPort, `/raw-${marker}-${i}`, { 'x-forwarded-for': `10.9.${i}.1` });
    await get(publicPort, `/admin/users/user-${marker}-${i}`);
  }
  const after = await scrape();
  check(
    'the exposition still parses after crafted usernames',
    after.status === 200 && after.samples.length > 0,
  );
  check(
    'no crafted username, password or raw path reaches the exposition',
    !after.body.includes(marker) && !after.body.includes(PLAYER.username),
  );
  check(
    'no series forged through a username',
    !after.samples.some((s) => s.name.startsWith('sesame_forged')),
  );
  const grown = series(after.samples) - series(before.samples);
  check(
    '80 distinct raw paths add at most a few request series (route patterns, not paths)',
    grown <= 4,
    `${grown} new series`,
  );
  const failed = after.samples.find(
    (s) => s.name === 'sesame_audit_events_total' && s.labels.type === 'login.failed',
  );
  check(
    'the failed logins are counted, by type alone',
    failed !== undefined && failed.value >= 1 && Object.keys(failed.labels).length === 1,
  );
}
