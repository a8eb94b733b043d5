import { describe, expect, it } from 'vitest';
import { formatBasicCredentials, ProtocolError, parseBasicCredentials, parseBearer } from '../src/index.js';
import { basicTable } from './tables/basic.js';
import { bearerTable } from './tables/bearer.js';

function outcome(run: () => unknown): unknown {
  try {
    return run();
  } catch (error) {
    if (error instanceof ProtocolError) return { code: error.code };
    throw error;
  }
}

describe('the Bearer rule (RFC 6750 §2.1), through the protocol', () => {
  it.each(bearerTable)('%s', (_name, header, expected) => {
    const result = outcome(() => ({ token: parseBearer(header) }));
    expect(result).toEqual(expected);
  });
});

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
