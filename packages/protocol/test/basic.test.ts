import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBasicCredentials, ProtocolError, parseBasicCredentials } from '../src/index.js';
import { type Server, startServer } from './agreement/entry-points.js';
import { basicTable } from './tables/basic.js';

/**
 * THE HTTP Basic client credentials rule (RFC 6749 §2.3.1), one table through the protocol and the
 * server's client authentication (POST /oauth/introspect); the guard sends its feed credentials with
 * formatBasicCredentials, which the server must read back.
 */

function outcome(run: () => unknown): unknown {
  try {
    return run();
  } catch (error) {
    if (error instanceof ProtocolError) return { code: error.code };
    throw error;
  }
}

describe('HTTP Basic client credentials (RFC 6749 §2.3.1), through the protocol', () => {
  it.each(basicTable)('%s', (_name, header, expected) => {
    expect(outcome(() => parseBasicCredentials(header))).toEqual(expected);
  });

  it('form-encodes the id and secret before Base64, and reads back what it wrote', () => {
    const header = formatBasicCredentials('my client', 'a:b/c%ü+');
    expect(Buffer.from(header.slice(6), 'base64').toString()).toBe('my+client:a%3Ab%2Fc%25%C3%BC%2B');
    expect(parseBasicCredentials(header)).toEqual({ clientId: 'my client', clientSecret: 'a:b/c%ü+' });
  });

  it('never puts the credentials in an error message', () => {
    const secret = 'hunter2-secret';
    try {
      parseBasicCredentials(`Basic ${Buffer.from(`app%0A:${secret}`).toString('base64')}`);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
      expect((error as Error).message).not.toContain('app');
    }
  });
});

describe('HTTP Basic client credentials, through the server (POST /oauth/introspect)', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  const introspect = (authorization: string | undefined) =>
    server.app.inject({
      method: 'POST',
      url: '/oauth/introspect',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(authorization === undefined ? {} : { authorization }),
      },
      payload: 'token=x',
    });

  // The table's clients do not exist: a header that parses gets as far as the client look-up.
  it.each(basicTable)('%s', async (_name, header, expected) => {
    const response = await introspect(header);
    expect(response.statusCode).toBe(401);
    const body = response.json() as { error: string; error_description: string };
    expect(body.error).toBe('invalid_client');
    expect(body.error_description === 'client authentication failed').toBe('clientId' in expected);
  });

  it('reads back what the guard sends (formatBasicCredentials)', async () => {
    const response = await introspect(formatBasicCredentials(server.feedClient.id, server.feedClient.secret));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ active: false });
  });
});
