import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions, redactUrl, skipRedactionOfScalars } from '../src/logger.js';

describe('logger redaction', () => {
  it('hides credential query values and keeps the rest', () => {
    expect(redactUrl('/x?js_code=abc&state=s1&session_key=k')).toBe(
      '/x?js_code=[redacted]&state=s1&session_key=[redacted]',
    );
    expect(redactUrl('/userinfo?access_token=eyJ.x.y')).toBe('/userinfo?access_token=[redacted]');
    expect(redactUrl('/x?scope=quiz')).toBe('/x?scope=quiz');
  });

  it('censors credential members of logged objects', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = pino(loggerOptions({ logLevel: 'info' }) as pino.LoggerOptions, sink);
    log.info({ wechat: { session_key: 'SESSIONKEY', openid: 'o1' }, password: 'hunter2hunter2' }, 'x');
    const text = lines.join('');
    expect(text).not.toContain('SESSIONKEY');
    expect(text).not.toContain('hunter2hunter2');
    expect(text).toContain('o1');
  });

  it('with scalars skipping the wildcard redactor, lines are the same and objects are still censored', () => {
    const record = () => {
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      });
      return { lines, sink };
    };
    const plain = record();
    const fast = record();
    const options = { ...loggerOptions({ logLevel: 'info' }), base: undefined, timestamp: false };
    const a = pino(options as pino.LoggerOptions, plain.sink);
    const b = pino(options as pino.LoggerOptions, fast.sink);
    skipRedactionOfScalars(b as never);
    for (const log of [a, b]) {
      const child = log.child({ reqId: 'req-1' });
      child.info({ url: '/x "q"\u2028', n: 1.5, ok: true, none: null, big: Number.NaN }, 'request completed');
      child.info({ body: { client_secret: 'S3CRET' }, nested: { token: 'TOKEN1', keep: 'k' } }, 'm');
      child.info({ password: 'hunter2hunter2', code: 'CODE1' });
    }
    expect(fast.lines).toEqual(plain.lines);
    const text = fast.lines.join('');
    for (const secret of ['S3CRET', 'TOKEN1', 'hunter2hunter2', 'CODE1']) expect(text).not.toContain(secret);
    expect(text).toContain('"keep":"k"');
    expect(text).toContain('"reqId":"req-1"');
  });
});
