import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions, redactUrl } from '../src/logger.js';

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
});
