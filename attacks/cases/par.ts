import { authorizeUrl, Browser, pkce } from '@sesame/testkit';
import { basic, type Deployment } from '../lib/deployment.js';
import { sesameJson } from '../lib/processes.js';
import type { Context } from '../lib/setup.js';
import { waitUntil } from '../lib/setup.js';

const CATEGORY = 'pushed authorization requests';
const REDIRECT = 'http://127.0.0.1:9/callback';

interface WebClient {
  client_id: string;
  client_secret: string;
}

/** Registers a confidential code-flow client by CLI (unique names: the deployment is shared). */
function addClient(d: Deployment, name: string, extra: readonly string[] = []): Promise<WebClient> {
  return sesameJson<WebClient>([
    ...['clients', 'add', name, '--grant', 'authorization_code', '--scopes', 'openid quiz'],
    ...['--redirect-uri', REDIRECT, ...extra, '--data-dir', d.dataDir],
  ]);
}

/** The authorization request a client pushes. */
function request(extra: Record<string, string> = {}): Record<string, string> {
  return {
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'openid quiz',
    state: 'par-attack',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
}

/** POST /oauth/par with these fields and headers: status, error and request_uri. */
async function push(d: Deployment, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${d.issuer}/oauth/par`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(fields),
  });
  const body = (await response.json()) as { request_uri?: string; error?: string };
  return { status: response.status, error: body.error, requestUri: body.request_uri };
}

const pushAs = (d: Deployment, client: WebClient, fields = request()) =>
  push(d, fields, { authorization: basic(client.client_id, client.client_secret) });

/** GET /oauth/authorize by reference: the login page (200), or an error page (400, no Location). */
async function open(d: Deployment, clientId: string, requestUri: string) {
  const answer = await new Browser(d.issuer).get(
    authorizeUrl({ client_id: clientId, request_uri: requestUri }),
  );
  return {
    ...answer,
    refused: answer.status === 400 && answer.location === null && answer.body.includes('invalid_request_uri'),
  };
}

export interface PreparedPar {
  client: WebClient;
  requestUri: string | undefined;
  /** When the request_uri has expired for sure (60 s after the push answered, and a second). */
  expiredAt: number;
}

/** Pushes a request at the start of the run, so `parAttacks` finds it expired without a wait of its own. */
export async function preparePar(ctx: Context): Promise<PreparedPar> {
  const client = await addClient(ctx.main, 'par attack expiring');
  const pushed = await pushAs(ctx.main, client);
  return { client, requestUri: pushed.requestUri, expiredAt: Date.now() + 61_000 };
}

/**
 * RFC 9126: a request_uri is used once (§7.3), only by the client that pushed it (§4), and only
 * within its 60 s; a confidential client must authenticate to push (§2.1); what is pushed meets
 * the authorization endpoint's checks (a redirect_uri not registered) and holds no request_uri of
 * its own (§2.1); a client that must push cannot have a request in the query (or one with a
 * made-up seal) taken instead.
 */
export async function parAttacks(ctx: Context, prepared: PreparedPar): Promise<void> {
  const { report, main } = ctx;
  const web = await addClient(main, 'par attack web');
  const other = await addClient(main, 'par attack other');

  const first = await pushAs(main, web);
  const control =
    first.requestUri === undefined ? undefined : await open(main, web.client_id, first.requestUri);
  if (
    !report.check(
      CATEGORY,
      'control: a pushed request opens the login page',
      control?.status === 200,
      `${first.status} ${control?.status}`,
    )
  )
    return;
  const twice = await open(main, web.client_id, first.requestUri!);
  report.check(
    CATEGORY,
    'a request_uri used a second time is refused (invalid_request_uri, no redirect)',
    twice.refused,
    `${twice.status}`,
  );

  const theirs = await pushAs(main, web);
  const stolen = await open(main, other.client_id, theirs.requestUri ?? '');
  report.check(
    CATEGORY,
    'a request_uri used by another client is refused',
    stolen.refused,
    `${stolen.status}`,
  );
  const still = await open(main, web.client_id, theirs.requestUri ?? '');
  report.check(
    CATEGORY,
    "another client's attempt does not spend it for its own client",
    still.status === 200,
    `${still.status}`,
  );

  for (const [name, headers, fields] of [
    ['no client authentication', {}, { ...request(), client_id: web.client_id }],
    ['a wrong secret', { authorization: basic(web.client_id, 'not the secret') }, request()],
    ['another client’s secret', { authorization: basic(web.client_id, other.client_secret) }, request()],
  ] as const) {
    const refused = await push(main, fields, headers);
    report.check(
      CATEGORY,
      `a confidential client's push with ${name} is refused (401 invalid_client)`,
      refused.status === 401 && refused.error === 'invalid_client' && refused.requestUri === undefined,
      `${refused.status} ${refused.error}`,
    );
  }

  const elsewhere = await pushAs(main, web, request({ redirect_uri: 'https://evil.example/callback' }));
  report.check(
    CATEGORY,
    'a push with a redirect_uri not registered is refused (400 invalid_request)',
    elsewhere.status === 400 && elsewhere.error === 'invalid_request' && elsewhere.requestUri === undefined,
    `${elsewhere.status} ${elsewhere.error}`,
  );

  const inner = await pushAs(main, web);
  const nested = await pushAs(main, web, request({ request_uri: inner.requestUri ?? '' }));
  report.check(
    CATEGORY,
    'a pushed request_uri nested in a push is refused (400 invalid_request)',
    nested.status === 400 && nested.error === 'invalid_request' && nested.requestUri === undefined,
    `${nested.status} ${nested.error}`,
  );

  const strict = await addClient(main, 'par attack strict', ['--require-par']);
  const query = authorizeUrl({ ...request(), client_id: strict.client_id });
  const plain = await new Browser(main.issuer).get(query);
  const forged = await new Browser(main.issuer).get(`${query}&pushed=${Date.now()}.${'A'.repeat(43)}`);
  for (const [name, answer] of [
    ['in the query', plain],
    ['with a made-up seal', forged],
  ] as const) {
    const error = answer.location === null ? null : new URL(answer.location).searchParams.get('error');
    report.check(
      CATEGORY,
      `a request ${name} for a client that must push is refused`,
      answer.status === 302 && error === 'invalid_request',
      `${answer.status} ${error}`,
    );
  }

  await waitUntil(prepared.expiredAt);
  const expired = await open(main, prepared.client.client_id, prepared.requestUri ?? '');
  report.check(
    CATEGORY,
    'a request_uri after its 60 s is refused',
    prepared.requestUri !== undefined && expired.refused,
    `${expired.status}`,
  );
}
