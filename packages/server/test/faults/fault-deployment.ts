/**
 * One Sesame deployment for a fault suite: a fresh PostgreSQL schema and Redis prefix
 * (helpers/processes.ts), a user, a public client for password + refresh_token and a confidential
 * client for client_credentials and introspection, made through the real CLI; and small HTTP
 * helpers that report status, Retry-After and the OAuth error of every answer.
 */

import { PG_URL } from '@sesame/testkit';
import pg from 'pg';
import { deployment as makeDeployment, sesame } from '../helpers/processes.js';

export interface Answer {
  status: number;
  retryAfter: string | null;
  body: Record<string, unknown>;
}

export const PASSWORD = 'alice password 1';

/** A deployment with its accounts; `env` starts instances, `drop()` removes schema and rows. */
export async function faultDeployment(issuerPort: number, extra: Record<string, string> = {}) {
  const deployment = await makeDeployment(issuerPort);
  Object.assign(deployment.env, extra);
  const { env } = deployment;
  const run = async (args: string[], input = '') => {
    const result = await sesame(args, env, input);
    if (result.code !== 0) throw new Error(`sesame ${args[0]} ${args[1]} failed: ${result.stderr}`);
    return result.stdout;
  };
  await run(['users', 'add', 'alice', '--scopes', 'openid quiz', '--password-stdin'], `${PASSWORD}\n`);
  const app = await run(['clients', 'add', 'quiz-app', '--public', '--grant', 'password,refresh_token']);
  const appId = /client_id: (\S+)/.exec(app)![1]!;
  const api = JSON.parse(
    await run([
      ...['clients', 'add', 'quiz-api', '--grant', 'client_credentials'],
      ...['--permission', 'introspect,revocations', '--json'],
    ]),
  );
  const basic = `Basic ${Buffer.from(`${api.client_id}:${api.client_secret}`).toString('base64')}`;
  return { ...deployment, appId, basic };
}

/** POSTs JSON; never throws on an HTTP status (a refused connection still throws). */
export async function post(
  port: number,
  path: string,
  body: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { raw: text.slice(0, 200) };
  }
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: parsed };
}

export async function readyz(port: number): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

/**
 * Refresh tokens of the schema whose rotation is half done: rotated with no successor, or a
 * successor whose predecessor is not marked rotated. A rotation is one transaction, so there must
 * be none whatever moment the database went away.
 */
export async function halfRotated(schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`set search_path = "${schema}"`);
    const { rows } = await client.query(`
      select count(*)::int as n from refresh_tokens t
      where (t.rotated_at is not null and not exists (select 1 from refresh_tokens s
               where s.family_id = t.family_id and s.generation = t.generation + 1))
         or (t.generation > 0 and exists (select 1 from refresh_tokens p
               where p.family_id = t.family_id and p.generation = t.generation - 1
                 and p.rotated_at is null))`);
    return rows[0].n as number;
  } finally {
    await client.end();
  }
}
