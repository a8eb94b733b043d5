import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sesame, startQuiz, startSesame, untilReady } from './processes.js';

/**
 * `npm run dev -w examples/quiz-api`: runs `sesame serve` (port 8080, data in ./.sesame) and the
 * quiz API (port 3000) side by side. On the first run it registers two clients and keeps their
 * credentials in .sesame/quiz-api.json (mode 0600): `quiz app`, a public client whose tokens carry
 * aud quiz-api, and a confidential client the API uses to follow the revocation feed (it needs
 * the `revocations` permission); and it gives the first-start `admin` the `quiz` scope, so the
 * README's token command works as written. If either process cannot start (a port in use), it
 * stops with one line: it never goes on against another server that answers on the same port.
 */
const port = Number(process.env.SESAME_PORT ?? 8080);
const dataDir = resolve(process.env.SESAME_DATA_DIR ?? '.sesame');
const issuer = `http://127.0.0.1:${port}`;

function stop(message: string, ...running: { stop(): Promise<void> }[]): Promise<never> {
  process.stderr.write(`quiz dev: ${message}\n`);
  return Promise.all(running.map((p) => p.stop())).then(() => process.exit(1));
}

const server = startSesame({ port, dataDir });
try {
  // The banner (the admin password, on a first start) comes before the "listening" line.
  process.stdout.write(await untilReady(server, 'sesame listening'));
} catch (error) {
  await stop(`sesame serve cannot start on port ${port}: ${(error as Error).message}`, server);
}

const saved = join(dataDir, 'quiz-api.json');
const dir = ['--data-dir', dataDir];
if (!existsSync(saved)) {
  try {
    const feed = JSON.parse(
      await sesame([
        ...['clients', 'add', 'quiz-api feed', '--grant', 'client_credentials'],
        ...['--permission', 'revocations', '--json', ...dir],
      ]),
    );
    const app = JSON.parse(
      await sesame([
        ...['clients', 'add', 'quiz app', '--public', '--grant', 'password,refresh_token'],
        ...['--scopes', 'openid quiz admin', '--audience', 'quiz-api', '--json', ...dir],
      ]),
    );
    // What the consent page tells a player the scope is for.
    await sesame([
      'scopes',
      'set',
      'quiz',
      '--description',
      'Answer quiz questions and keep your score',
      ...dir,
    ]);
    // Nothing else gives a user the `quiz` scope: the first-start admin gets it, to play at once.
    await sesame(['users', 'scopes', 'admin', '--add', 'quiz', ...dir]).catch(() =>
      process.stderr.write(
        'quiz dev: no user named admin here: give yours the scope with `npx sesame users scopes NAME --add quiz`\n',
      ),
    );
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(saved, JSON.stringify({ feed, app: { client_id: app.client_id } }, null, 2), {
      mode: 0o600,
    });
    chmodSync(saved, 0o600);
  } catch (error) {
    await stop(`cannot register the example's clients: ${(error as Error).message}`, server);
  }
}
const clients = JSON.parse(readFileSync(saved, 'utf8'));
// A feed client registered before clients had permissions gets the one it needs (idempotent).
await sesame(['clients', 'permit', clients.feed.client_id, 'revocations', ...dir]);

const quiz = startQuiz({
  SESAME_ISSUER: issuer,
  QUIZ_FEED_CLIENT_ID: clients.feed.client_id,
  QUIZ_FEED_CLIENT_SECRET: clients.feed.client_secret,
});
try {
  process.stdout.write(await untilReady(quiz, 'quiz api listening'));
} catch (error) {
  await stop(`the quiz API cannot start: ${(error as Error).message}`, quiz, server);
}
process.stdout.write(`\nquiz app client_id (password grant, aud quiz-api): ${clients.app.client_id}\n`);
process.stdout.write(`CLIENT_ID=${clients.app.client_id}\n`);

// Either process stopping ends the other and this script: nothing runs half set up.
let stopping = false;
for (const [name, spawned, other] of [
  ['sesame serve', server, quiz],
  ['the quiz API', quiz, server],
] as const) {
  spawned.child.once('exit', (code) => {
    if (!stopping) void stop(`${name} stopped (exit ${code})`, other);
  });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopping = true;
    void Promise.all([quiz.stop(), server.stop()]).then(() => process.exit(0));
  });
}
