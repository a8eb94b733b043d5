/**
 * The API of the guard benchmark: one Fastify route, `GET /resource`, answering a small JSON
 * document. API_MODE=plain serves it to anyone; API_MODE=guarded puts @sesame/guard's Fastify
 * plugin in front (ES256 tokens, audience `bench-api`, scope `read`, the revocation feed followed)
 * and prints its ready line only once the feed has delivered API_ENTRIES revocations.
 *
 * Env: API_PORT, API_MODE, API_ISSUER, API_ENTRIES, API_FEED_ID, API_FEED_SECRET, API_CACHE_SIZE (optional).
 */
import { requireScopes, sesameGuard } from '@sesame/guard/fastify';
import Fastify from 'fastify';

const env = process.env;
const guarded = env.API_MODE === 'guarded';
const app = Fastify({ logger: false });
let ready: Promise<void> = Promise.resolve();

if (guarded) {
  const entries = Number(env.API_ENTRIES ?? 0);
  let synced: () => void;
  ready = new Promise((resolve) => {
    synced = resolve;
  });
  await app.register(sesameGuard, {
    issuer: env.API_ISSUER!,
    audience: 'bench-api',
    ...(env.API_CACHE_SIZE === undefined ? {} : { cacheSize: Number(env.API_CACHE_SIZE) }),
    revocation: {
      clientId: env.API_FEED_ID!,
      clientSecret: env.API_FEED_SECRET!,
      failClosedAfterMs: 60_000,
      onHealth: (health) => {
        if (health.healthy && health.entries >= entries) synced();
      },
    },
  });
  const check = setInterval(() => {
    const health = app.sesameGuard.health();
    if (health?.healthy && health.entries >= entries) synced();
  }, 50);
  void ready.then(() => clearInterval(check));
}

app.get('/resource', guarded ? { preHandler: requireScopes('read') } : {}, async (request) => ({
  ok: true,
  sub: request.auth?.sub ?? null,
  items: [1, 2, 3],
}));

await app.listen({ host: '127.0.0.1', port: Number(env.API_PORT) });
await ready;
process.stdout.write(
  `api listening (${guarded ? `guarded, ${app.sesameGuard.health()?.entries} revocations held` : 'plain'})\n`,
);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
