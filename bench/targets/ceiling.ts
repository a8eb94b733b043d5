/**
 * The ceiling of the token server benchmark: a bare Fastify route that does the least any token
 * endpoint must do — parse the form body and the HTTP Basic header, check the client secret (a
 * SHA-256 compared in constant time, as Sesame stores it), and sign the same RFC 9068 claims with
 * ES256 by calling node:crypto directly (IEEE P1363 signature, base64url, JSON). No store, no
 * audit, no logging, no schema. A second route does the same for introspection: verify the
 * ES256 signature and answer the claims. A third, `/oauth/unsigned`, answers like the first without
 * signing, to show how much of the ceiling's cost the signature is.
 *
 * Run as its own process by the benchmark: `node --import tsx bench/targets/ceiling.ts` with
 * CEILING_PORT, CEILING_KEY (a private JWK, JSON), CEILING_KID, CEILING_ISSUER, CEILING_CLIENT_ID,
 * CEILING_CLIENT_SECRET. Prints "ceiling listening" when ready.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomUUID,
  sign,
  timingSafeEqual,
  verify,
} from 'node:crypto';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';

const env = process.env;
const jwk = JSON.parse(env.CEILING_KEY!);
const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
const publicKey = createPublicKey(privateKey);
const issuer = env.CEILING_ISSUER!;
const clientId = env.CEILING_CLIENT_ID!;
const secretHash = createHash('sha256').update(env.CEILING_CLIENT_SECRET!).digest();
const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: env.CEILING_KID })).toString(
  'base64url',
);
const LIFE = 900;

function client(authorization: string | undefined): string | undefined {
  if (authorization === undefined || !authorization.startsWith('Basic ')) return undefined;
  const text = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon === -1) return undefined;
  const id = decodeURIComponent(text.slice(0, colon));
  const secret = decodeURIComponent(text.slice(colon + 1));
  const hash = createHash('sha256').update(secret).digest();
  return id === clientId && timingSafeEqual(hash, secretHash) ? id : undefined;
}

const app = Fastify({ logger: false });
await app.register(formbody);

const UNSIGNED = 'A'.repeat(86); // the length of an ES256 signature in base64url

/** The token route; `signed: false` answers the same with a placeholder signature. */
function tokenRoute(signed: boolean) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const id = client(request.headers.authorization);
    if (id === undefined) return reply.code(401).send({ error: 'invalid_client' });
    const body = request.body as Record<string, string>;
    if (body.grant_type !== 'client_credentials')
      return reply.code(400).send({ error: 'unsupported_grant_type' });
    const iat = Math.floor(Date.now() / 1000);
    const scope = body.scope ?? 'api';
    const payload = {
      iss: issuer,
      sub: id,
      aud: 'sesame',
      exp: iat + LIFE,
      iat,
      jti: randomUUID(),
      client_id: id,
      scope,
    };
    const input = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    const signature = signed
      ? sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString(
          'base64url',
        )
      : UNSIGNED;
    return reply
      .header('cache-control', 'no-store')
      .header('pragma', 'no-cache')
      .send({ access_token: `${input}.${signature}`, token_type: 'Bearer', expires_in: LIFE, scope });
  };
}

app.post('/oauth/token', tokenRoute(true));
// The same request and answer with no signature: how much of the ceiling the signature is.
app.post('/oauth/unsigned', tokenRoute(false));

app.post('/oauth/introspect', async (request, reply) => {
  if (client(request.headers.authorization) === undefined)
    return reply.code(401).send({ error: 'invalid_client' });
  const token = String((request.body as Record<string, string>).token ?? '');
  const parts = token.split('.');
  if (parts.length !== 3) return { active: false };
  const ok = verify(
    'sha256',
    Buffer.from(`${parts[0]}.${parts[1]}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(parts[2]!, 'base64url'),
  );
  if (!ok) return { active: false };
  const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  if (claims.exp <= Date.now() / 1000) return { active: false };
  return reply.header('cache-control', 'no-store').send({ active: true, token_type: 'Bearer', ...claims });
});

// For a balancer's health check (bench:scaleout's control runs three of these behind haproxy).
app.get('/readyz', async () => ({ status: 'ready' }));

await app.listen({ host: '127.0.0.1', port: Number(env.CEILING_PORT) });
process.stdout.write('ceiling listening\n');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
