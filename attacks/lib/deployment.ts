import type { Report } from './report.js';

/**
 * One Sesame server with the API that trusts it, and the three verifiers every forged token is put
 * to: the guard (POST /answers of the quiz API), GET /userinfo, and POST /oauth/introspect.
 */
export interface Deployment {
  name: string;
  issuer: string;
  /** The quiz API behind @sesame/guard. */
  api: string;
  dataDir: string;
  /** The public client of the quiz app (password and refresh_token grants, aud quiz-api and sesame). */
  appClientId: string;
  /** A confidential client: the guard's revocation feed, and the introspecting resource server. */
  feed: { client_id: string; client_secret: string };
  userId: string;
  /** True once the server has logged a line matching `pattern`, false if it has not within `ms`. */
  serverLog(pattern: RegExp, ms: number): Promise<boolean>;
}

export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
}

export const PLAYER = { username: 'player', password: 'player password 1' };

const form = (fields: Record<string, string>) => new URLSearchParams(fields);

/** RFC 6749 §2.3.1 Basic credentials, each part form-urlencoded first. */
export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** The password grant for the player; any failure is a broken harness, not a verdict. */
export async function login(d: Deployment, scope = 'openid quiz', clientId = d.appClientId) {
  const response = await fetch(`${d.issuer}/oauth/token`, {
    method: 'POST',
    body: form({ grant_type: 'password', client_id: clientId, ...PLAYER, scope }),
  });
  if (response.status !== 200) throw new Error(`${d.name}: login answered ${response.status}`);
  return (await response.json()) as TokenResponse;
}

/** -1 when the connection was closed without an answer (node does this to some oversized requests). */
const NO_ANSWER = -1;

export async function guardStatus(d: Deployment, token: string): Promise<number> {
  const response = await fetch(`${d.api}/answers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ questionId: 1, choice: 1 }),
  }).catch(() => undefined);
  await response?.arrayBuffer();
  return response?.status ?? NO_ANSWER;
}

export async function userinfoStatus(d: Deployment, token: string): Promise<number> {
  const response = await fetch(`${d.issuer}/userinfo`, {
    headers: { authorization: `Bearer ${token}` },
  }).catch(() => undefined);
  await response?.arrayBuffer();
  return response?.status ?? NO_ANSWER;
}

export async function introspect(d: Deployment, token: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${d.issuer}/oauth/introspect`, {
    method: 'POST',
    headers: { authorization: basic(d.feed.client_id, d.feed.client_secret) },
    body: form({ token }),
  }).catch(() => undefined);
  if (response === undefined) return { status: NO_ANSWER, body: 'no answer' };
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // left as text: shown in the failure detail
  }
  return { status: response.status, body };
}

/** Statuses that refuse a bearer token; 431 is node's own answer to an oversized header. */
const REFUSED = new Set([400, 401, 431]);

export interface RejectOptions {
  /** Which verifiers to ask (default all three). */
  only?: ReadonlyArray<'guard' | 'userinfo' | 'introspect'>;
  /**
   * A token too large to be read at all: introspection may refuse the request (400/413) instead,
   * and node may close the connection without an answer.
   */
  oversized?: boolean;
}

const inactive = (body: unknown) =>
  typeof body === 'object' && body !== null && JSON.stringify(body) === '{"active":false}';

/**
 * Puts a forged token to the verifiers; each must refuse it (guard and /userinfo: 400/401, never
 * 200, 403 or a 5xx; introspection: exactly `{"active":false}`).
 */
export async function expectRejected(
  report: Report,
  d: Deployment,
  category: string,
  name: string,
  token: string,
  options: RejectOptions = {},
): Promise<void> {
  const only = options.only ?? ['guard', 'userinfo', 'introspect'];
  const refusedStatus = (status: number) =>
    REFUSED.has(status) || (options.oversized === true && status === NO_ANSWER);
  await Promise.all([
    only.includes('guard') &&
      guardStatus(d, token).then((status) =>
        report.check(category, `${name} @ guard`, refusedStatus(status), `quiz API answered ${status}`),
      ),
    only.includes('userinfo') &&
      userinfoStatus(d, token).then((status) =>
        report.check(category, `${name} @ userinfo`, refusedStatus(status), `/userinfo answered ${status}`),
      ),
    only.includes('introspect') &&
      introspect(d, token).then(({ status, body }) => {
        const refused = options.oversized && (status === 400 || status === 413 || status === NO_ANSWER);
        const ok = (status === 200 && inactive(body)) || refused === true;
        report.check(category, `${name} @ introspect`, ok, `${status} ${JSON.stringify(body).slice(0, 120)}`);
      }),
  ]);
}

/**
 * The positive control: a token every verifier must accept. Without it a rejection proves nothing
 * (a verifier that refuses everything would pass every attack).
 */
export async function expectAccepted(
  report: Report,
  d: Deployment,
  category: string,
  name: string,
  token: string,
): Promise<boolean> {
  const [guard, userinfo, { status, body }] = await Promise.all([
    guardStatus(d, token),
    userinfoStatus(d, token),
    introspect(d, token),
  ]);
  const active = status === 200 && (body as { active?: boolean }).active === true;
  return [
    report.check(category, `control: ${name} @ guard`, guard === 200, `quiz API answered ${guard}`),
    report.check(category, `control: ${name} @ userinfo`, userinfo === 200, `/userinfo answered ${userinfo}`),
    report.check(category, `control: ${name} @ introspect`, active, `${status} ${JSON.stringify(body)}`),
  ].every(Boolean);
}
