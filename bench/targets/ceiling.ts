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
import { createPrivateKey, createPublicKey, verify } from 'node:crypto';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { ACCESS_TOKEN_LIFE, accessTokenInput, basicClient, es256Signature } from './bare-token.js';

const env = process.env;
const jwk = JSON.parse(env.CEILING_KEY!);
const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
const publicKey = createPublicKey(privateKey);
const client = basicClient(env.CEILING_CLIENT_ID!, env.CEILING_CLIENT_SECRET!);
const tokenInput = accessTokenInput(env.CEILING_KID!, env.CEILING_ISSUER!);

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
    const scope = body.scope ?? 'api';
    const input = tokenInput(id, id, scope);
    const signature = signed ? es256Signature(input, privateKey) : UNSIGNED;
    return reply
      .header('cache-control', 'no-store')
      .header('pragma', 'no-cache')
      .send({
        access_token: `${input}.${signature}`,
        token_type: 'Bearer',
        expires_in: ACCESS_TOKEN_LIFE,
        scope,
      });
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
