import { connect } from 'node:net';
import { type Deployment, login, PLAYER } from '../lib/deployment.js';
import type { Context } from '../lib/setup.js';

const CATEGORY = 'protocol grammar';

/**
 * One raw HTTP/1.1 request, bytes as written: `fetch` and node:http refuse or normalise the header
 * bytes these cases are about (a byte 0xA0 after the token). Resolves to the status, -1 when the
 * connection closed without an answer.
 */
function rawRequest(
  base: string,
  method: string,
  path: string,
  headers: Buffer[],
  body = '',
): Promise<number> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      const head = Buffer.from(
        `${method} ${path} HTTP/1.1\r\nhost: ${url.host}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`,
      );
      const lines = headers.flatMap((header) => [header, Buffer.from('\r\n')]);
      socket.end(Buffer.concat([head, ...lines, Buffer.from(`\r\n${body}`)]));
    });
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? -1)));
    socket.on('error', () => resolve(-1));
  });
}

const authorization = (value: Buffer) => Buffer.concat([Buffer.from('authorization: '), value]);

/**
 * RFC 6750 §2.1 is `"Bearer" 1*SP b64token` and nothing else. The guard used to String.trim() the
 * header value, which removes a no-break space (byte 0xA0, which Node decodes as U+00A0) that the
 * HTTP parser leaves in place — so the guard accepted values the server refused. Both now use
 * @sesame/protocol's grammar: a genuine token with a byte around it is refused everywhere.
 */
async function bearerEdges(ctx: Context, d: Deployment): Promise<void> {
  const { access_token: token } = await login(d);
  const answers = JSON.stringify({ questionId: 1, choice: 1 });
  const cases: Array<[string, Buffer]> = [
    [
      'a no-break space after the token',
      Buffer.concat([Buffer.from(`Bearer ${token}`), Buffer.from([0xa0])]),
    ],
    [
      'a no-break space before the scheme',
      Buffer.concat([Buffer.from([0xa0]), Buffer.from(`Bearer ${token}`)]),
    ],
    [
      'a no-break space instead of the space',
      Buffer.concat([Buffer.from('Bearer'), Buffer.from([0xa0]), Buffer.from(token)]),
    ],
    ['a tab instead of the space', Buffer.from(`Bearer\t${token}`)],
  ];
  // The same genuine token, well formed, is accepted: the refusals are the grammar's.
  const control = await rawRequest(
    d.api,
    'POST',
    '/answers',
    [authorization(Buffer.from(`Bearer ${token}`))],
    answers,
  );
  ctx.report.check(
    CATEGORY,
    'control: the genuine token, well formed, is accepted by the guard',
    control < 400,
    `answered ${control}`,
  );
  for (const [name, value] of cases) {
    const guard = await rawRequest(d.api, 'POST', '/answers', [authorization(value)], answers);
    ctx.report.check(CATEGORY, `guard: ${name} → 400`, guard === 400, `answered ${guard}`);
    const userinfo = await rawRequest(d.issuer, 'GET', '/userinfo', [authorization(value)]);
    ctx.report.check(CATEGORY, `userinfo: ${name} → 400`, userinfo === 400, `answered ${userinfo}`);
  }
}

/**
 * RFC 6749 §3.3 is `scope-token *( SP scope-token )`: the server used to split on spaces and drop
 * empty pieces, so " openid quiz", "openid  quiz" and "openid quiz " were granted. They are
 * invalid_scope now, as in the guard (whose own scope lists were the only other reader).
 */
async function scopeEdges(ctx: Context, d: Deployment): Promise<void> {
  for (const scope of [' openid quiz', 'openid  quiz', 'openid quiz ']) {
    const response = await fetch(`${d.issuer}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: d.appClientId, ...PLAYER, scope }),
    });
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    ctx.report.check(
      CATEGORY,
      `token endpoint: scope ${JSON.stringify(scope)} → 400 invalid_scope`,
      response.status === 400 && body.error === 'invalid_scope',
      `answered ${response.status} ${JSON.stringify(body).slice(0, 120)}`,
    );
  }
}

export async function protocolGrammarAttacks(ctx: Context): Promise<void> {
  await bearerEdges(ctx, ctx.main);
  await scopeEdges(ctx, ctx.main);
}
