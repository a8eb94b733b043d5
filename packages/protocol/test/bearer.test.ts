import type { GuardReason } from '@sesame/guard';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError, parseBearer } from '../src/index.js';
import { type Server, startGuard, startServer } from './agreement/entry-points.js';
import { type BearerOutcome, bearerTable } from './tables/bearer.js';

/**
 * THE Bearer header rule (RFC 6750 §2.1), one table through three entry points: the protocol's
 * parseBearer, the server's bearer routes (GET /userinfo) and the guard's authenticate.
 */

describe('the Bearer rule, through the protocol', () => {
  it.each(bearerTable)('%s', (_name, header, expected) => {
    let outcome: BearerOutcome;
    try {
      outcome = { token: parseBearer(header) };
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      outcome = { code: error.code as 'ERR_CREDENTIALS_MALFORMED' };
    }
    expect(outcome).toEqual(expected);
  });
});

/**
 * What each outcome looks like from outside. An accepted header gets as far as the token, which
 * is not a valid JWT here: 401 invalid_token. No credentials or another scheme: 401 with a
 * challenge and no error code (RFC 6750 §3.1). Malformed: 400 invalid_request.
 */
const expectedAnswer = (outcome: BearerOutcome) =>
  'token' in outcome
    ? { status: 401, error: 'invalid_token' }
    : outcome.code === 'ERR_CREDENTIALS_MALFORMED'
      ? { status: 400, error: 'invalid_request' }
      : { status: 401, error: undefined };

describe('the Bearer rule, through the server (GET /userinfo)', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  // Node gives a request one Authorization string, never a list: the list rows are the guard's.
  it.each(bearerTable.filter(([, header]) => !Array.isArray(header)))(
    '%s',
    async (_name, header, expected) => {
      const response = await server.app.inject({
        method: 'GET',
        url: '/userinfo',
        headers: header === undefined ? {} : { authorization: header as string },
      });
      const want = expectedAnswer(expected);
      const challenge = String(response.headers['www-authenticate']);
      expect({
        status: response.statusCode,
        error: /error="/.test(challenge) ? /error="([a-z_]+)"/.exec(challenge)?.[1] : undefined,
      }).toEqual(want);
    },
  );
});

describe('the Bearer rule, through the guard (authenticate)', () => {
  const guard = startGuard();
  afterAll(() => guard.close());
  const reasons: Record<string, GuardReason> = {
    token: 'token_invalid',
    ERR_CREDENTIALS_MISSING: 'no_credentials',
    ERR_CREDENTIALS_SCHEME: 'no_credentials',
    ERR_CREDENTIALS_MALFORMED: 'malformed_header',
  };

  it.each(bearerTable)('%s', async (_name, header, expected) => {
    const refusal = await guard.authenticate(header).then(
      () => undefined,
      (error: { reason: GuardReason; status: number; error?: string }) => error,
    );
    expect(refusal?.reason).toBe(reasons['token' in expected ? 'token' : expected.code]);
    const want = expectedAnswer(expected);
    expect({ status: refusal?.status, error: refusal?.error }).toEqual(want);
  });
});
