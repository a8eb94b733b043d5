import { buildQuizApi } from './app.js';

/**
 * Runs the quiz API. Configuration from the environment:
 *   SESAME_ISSUER       the Sesame server (default http://127.0.0.1:8080)
 *   QUIZ_AUDIENCE       this API's audience (default quiz-api)
 *   QUIZ_FEED_CLIENT_ID, QUIZ_FEED_CLIENT_SECRET   a confidential client, to follow the revocation feed
 *   QUIZ_PORT, QUIZ_HOST (default 3000, 127.0.0.1)
 */
const env = process.env;
const issuer = env.SESAME_ISSUER ?? 'http://127.0.0.1:8080';
const clientId = env.QUIZ_FEED_CLIENT_ID;
const clientSecret = env.QUIZ_FEED_CLIENT_SECRET;

const app = await buildQuizApi({
  guard: {
    issuer,
    audience: env.QUIZ_AUDIENCE ?? 'quiz-api',
    ...(clientId && clientSecret
      ? {
          revocation: {
            clientId,
            clientSecret,
            failClosedAfterMs: 60_000,
            onHealth: (health) =>
              process.stderr.write(
                `revocation feed: ${health.state}${health.error ? ` (${health.error})` : ''}\n`,
              ),
          },
        }
      : {}),
  },
});
if (!clientId || !clientSecret) {
  process.stderr.write('QUIZ_FEED_CLIENT_ID/SECRET not set: revocations will not reach this API\n');
}
const address = await app.listen({ port: Number(env.QUIZ_PORT ?? 3000), host: env.QUIZ_HOST ?? '127.0.0.1' });
process.stdout.write(`quiz api listening on ${address} (issuer ${issuer})\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
