import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Spawned, sesame, startQuiz, startSesame, waitForOk } from '../src/processes.js';

// Both processes for real: `sesame serve` and the quiz API, talking over HTTP.

let dataDir: string;
let server: Spawned;
let quiz: Spawned;
let issuer: string;
let api: string;
let appClientId: string;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'quiz-api-'));
  const [sesamePort, quizPort] = [await freePort(), await freePort()];
  issuer = `http://127.0.0.1:${sesamePort}`;
  api = `http://127.0.0.1:${quizPort}`;
  server = startSesame({ port: sesamePort, dataDir });
  await waitForOk(`${issuer}/healthz`);
  const dir = ['--data-dir', dataDir];
  const feed = JSON.parse(
    await sesame([
      ...['clients', 'add', 'quiz feed', '--grant', 'client_credentials'],
      ...['--permission', 'revocations', '--json', ...dir],
    ]),
  );
  const app = JSON.parse(
    await sesame([
      ...['clients', 'add', 'quiz app', '--public', '--grant', 'password,refresh_token'],
      ...['--scopes', 'openid quiz admin', '--audience', 'quiz-api', '--json', ...dir],
    ]),
  );
  appClientId = app.client_id;
  await sesame(
    ['users', 'add', 'player', '--password-stdin', '--scopes', 'openid quiz', ...dir],
    'player password 1\n',
  );
  await sesame(
    ['users', 'add', 'teacher', '--password-stdin', '--scopes', 'openid quiz admin', ...dir],
    'teacher password 1\n',
  );
  quiz = startQuiz({
    SESAME_ISSUER: issuer,
    QUIZ_PORT: String(quizPort),
    QUIZ_FEED_CLIENT_ID: feed.client_id,
    QUIZ_FEED_CLIENT_SECRET: feed.client_secret,
  });
  await waitForOk(`${api}/questions`);
}, 60_000);

afterAll(async () => {
  await quiz?.stop();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function login(username: string, password: string, scope: string): Promise<string> {
  const response = await fetch(`${issuer}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', client_id: appClientId, username, password, scope }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

const post = (path: string, body: unknown, token?: string) =>
  fetch(api + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

it('GET /questions is public', async () => {
  const response = await fetch(`${api}/questions`);
  expect(response.status).toBe(200);
  const questions = (await response.json()) as { id: number; answer?: number }[];
  expect(questions.length).toBeGreaterThan(0);
  expect(questions[0]!.answer).toBeUndefined();
});

it('POST /answers needs a token with scope quiz', async () => {
  const none = await post('/answers', { questionId: 1, choice: 1 });
  expect(none.status).toBe(401);
  expect(none.headers.get('www-authenticate')).toBe('Bearer realm="quiz-api"');
  const token = await login('player', 'player password 1', 'openid quiz');
  const answered = await post('/answers', { questionId: 1, choice: 1 }, token);
  expect(answered.status).toBe(200);
  expect(await answered.json()).toEqual({ correct: true, score: { answered: 1, correct: 1 } });
  const openidOnly = await login('player', 'player password 1', 'openid');
  expect((await post('/answers', { questionId: 1, choice: 0 }, openidOnly)).status).toBe(403);
});

it('POST /questions needs scope admin', async () => {
  const question = { text: 'Which status means a missing scope?', choices: ['401', '403'], answer: 1 };
  const player = await login('player', 'player password 1', 'openid quiz');
  const denied = await post('/questions', question, player);
  expect(denied.status).toBe(403);
  expect(denied.headers.get('www-authenticate')).toContain('scope="admin"');
  const teacher = await login('teacher', 'teacher password 1', 'openid quiz admin');
  const created = await post('/questions', question, teacher);
  expect(created.status).toBe(201);
  expect(await created.json()).toMatchObject({ text: question.text, choices: question.choices });
});

it('a token revoked at the server is refused by the quiz API within 2 seconds', async () => {
  const token = await login('player', 'player password 1', 'openid quiz');
  expect((await post('/answers', { questionId: 2, choice: 1 }, token)).status).toBe(200);
  const revoke = await fetch(`${issuer}/oauth/revoke`, {
    method: 'POST',
    body: new URLSearchParams({ token, client_id: appClientId }),
  });
  expect(revoke.status).toBe(200);
  const start = Date.now();
  let status = 200;
  while (status === 200 && Date.now() - start < 2000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    status = (await post('/answers', { questionId: 2, choice: 1 }, token)).status;
  }
  expect(status).toBe(401);
  expect(Date.now() - start).toBeLessThan(2000);
});
