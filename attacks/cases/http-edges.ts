import { basic, type Deployment, PLAYER } from '../lib/deployment.js';
import type { Context } from '../lib/setup.js';

const CATEGORY = 'http edges';

interface Answer {
  status: number;
  body: string;
  headers: Headers;
}

async function send(url: string, init: RequestInit): Promise<Answer> {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.text(), headers: response.headers };
}

const oauthError = (answer: Answer, code: string) => {
  try {
    const body = JSON.parse(answer.body) as { error?: unknown; error_description?: unknown };
    return body.error === code && typeof body.error_description === 'string';
  } catch {
    return false;
  }
};

/**
 * A JSON member name twice in one object: `{"scope":"openid","scope":"openid quiz admin"}` means
 * one thing to JSON.parse (the last) and another to a parser that keeps the first. Refused like a
 * repeated form parameter, at the token, revocation and introspection endpoints.
 */
async function duplicateJsonKeys(ctx: Context, d: Deployment): Promise<void> {
  const json = { 'content-type': 'application/json' };
  const login = `{"grant_type":"password","client_id":"${d.appClientId}","username":"${PLAYER.username}","password":"${PLAYER.password}"`;
  const cases: Array<[string, string, string, Record<string, string>]> = [
    ['token: scope twice', '/oauth/token', `${login},"scope":"openid","scope":"openid quiz"}`, json],
    ['token: username twice', '/oauth/token', `${login},"username":"${PLAYER.username}"}`, json],
    ['token: a name escaped the second time', '/oauth/token', `${login},"\\u0075sername":"x"}`, json],
    [
      'revoke: token twice',
      '/oauth/revoke',
      '{"token":"a","token":"b"}',
      { ...json, authorization: basic(d.feed.client_id, d.feed.client_secret) },
    ],
    [
      'introspect: token twice',
      '/oauth/introspect',
      '{"token":"a","token":"b"}',
      { ...json, authorization: basic(d.feed.client_id, d.feed.client_secret) },
    ],
  ];
  for (const [name, path, body, headers] of cases) {
    const answer = await send(`${d.issuer}${path}`, { method: 'POST', headers, body });
    ctx.report.check(
      CATEGORY,
      `duplicate JSON keys: ${name}`,
      answer.status === 400 && oauthError(answer, 'invalid_request') && /is repeated/.test(answer.body),
      `answered ${answer.status} ${answer.body.slice(0, 120)}`,
    );
  }
}

/** Requests at the edges of HTTP: what the router and the parsers answer before any route. */
export async function httpEdgeAttacks(ctx: Context): Promise<void> {
  await duplicateJsonKeys(ctx, ctx.main);
}
