import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sesame, startQuiz, startSesame, waitForOk } from './processes.js';

/**
 * `npm run dev -w examples/quiz-api`: runs `sesame serve` (port 8080, data in ./.sesame) and the
 * quiz API (port 3000) side by side. On the first run it registers two clients and keeps their
 * credentials in .sesame/quiz-api.json (mode 0600): `quiz-app`, a public client whose tokens carry
 * aud quiz-api, and a confidential client the API uses to follow the revocation feed (it needs
 * the `revocations` permission).
 */
const port = Number(process.env.SESAME_PORT ?? 8080);
const dataDir = resolve(process.env.SESAME_DATA_DIR ?? '.sesame');
const issuer = `http://127.0.0.1:${port}`;

const server = startSesame({ port, dataDir, inherit: true });
await waitForOk(`${issuer}/healthz`);

const saved = join(dataDir, 'quiz-api.json');
if (!existsSync(saved)) {
  const dir = ['--data-dir', dataDir];
  const feed = JSON.parse(
    await sesame([
      ...['clients', 'add', 'quiz-api feed', '--grant', 'client_credentials'],
      ...['--permission', 'revocations', '--json', ...dir],
    ]),
  );
  const app = JSON.parse(
    await sesame([
      'clients',
      'add',
      'quiz app',
      '--public',
      '--grant',
      'password,refresh_token',
      '--scopes',
      'openid quiz admin',
      '--audience',
      'quiz-api',
      '--json',
      ...dir,
    ]),
  );
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(saved, JSON.stringify({ feed, app: { client_id: app.client_id } }, null, 2), { mode: 0o600 });
  chmodSync(saved, 0o600);
}
const clients = JSON.parse(readFileSync(saved, 'utf8'));
// A feed client registered before clients had permissions gets the one it needs (idempotent).
await sesame(['clients', 'permit', clients.feed.client_id, 'revocations', '--data-dir', dataDir]);

const quiz = startQuiz(
  {
    SESAME_ISSUER: issuer,
    QUIZ_FEED_CLIENT_ID: clients.feed.client_id,
    QUIZ_FEED_CLIENT_SECRET: clients.feed.client_secret,
  },
  true,
);
process.stdout.write(`\nquiz app client_id (password grant, aud quiz-api): ${clients.app.client_id}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.all([quiz.stop(), server.stop()]).then(() => process.exit(0));
  });
}
