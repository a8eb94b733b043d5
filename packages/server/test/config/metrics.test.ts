import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { isLoopback } from '../../src/config/metrics.js';

const TOKEN = 'a-metrics-token-of-24-chars';

describe('metrics settings', () => {
  it('are off by default, on loopback, without a token', () => {
    const config = loadConfig();
    expect(config.metricsPort).toBe(0);
    expect(config.metricsHost).toBe('127.0.0.1');
    expect(config.metricsToken).toBe('');
  });

  it('take a loopback address without a token, and any address with one', () => {
    for (const host of ['127.0.0.1', '127.0.0.53', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) {
      expect(
        loadConfig({ env: { SESAME_METRICS_PORT: '9464', SESAME_METRICS_HOST: host } }).metricsHost,
      ).toBe(host);
    }
    const config = loadConfig({
      env: { SESAME_METRICS_PORT: '9464', SESAME_METRICS_HOST: '0.0.0.0', SESAME_METRICS_TOKEN: TOKEN },
    });
    expect(config.metricsToken).toBe(TOKEN);
  });

  it('refuse an address off loopback without a token, naming the variable and not echoing a token', () => {
    for (const host of ['0.0.0.0', '::', '10.0.0.7', 'metrics.example.com', '128.0.0.1', '::ffff:10.0.0.1']) {
      expect(() => loadConfig({ env: { SESAME_METRICS_PORT: '9464', SESAME_METRICS_HOST: host } })).toThrow(
        /metricsHost \(SESAME_METRICS_HOST\): .* is not a loopback address; set SESAME_METRICS_TOKEN/,
      );
    }
    // Off, the host is not checked: nothing listens.
    expect(loadConfig({ env: { SESAME_METRICS_HOST: '0.0.0.0' } }).metricsPort).toBe(0);
  });

  it('refuse a short token or one a Bearer header cannot carry, without echoing it', () => {
    const refuse = (token: string) => {
      try {
        loadConfig({ env: { SESAME_METRICS_TOKEN: token } });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as Error).message).not.toContain(token);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refuse('short-token')).toMatch(/at least 16 characters/);
    expect(refuse('a token with spaces in it')).toMatch(/may hold only/);
  });

  it('refuse the public port as the metrics port', () => {
    expect(() => loadConfig({ env: { SESAME_PORT: '9000', SESAME_METRICS_PORT: '9000' } })).toThrow(
      /must differ from port/,
    );
  });

  it('tell loopback addresses apart', () => {
    expect(isLoopback('127.1.2.3')).toBe(true);
    expect(isLoopback('LOCALHOST')).toBe(true);
    expect(isLoopback('127.0.0.1.example.com')).toBe(false);
    expect(isLoopback('::2')).toBe(false);
  });
});
