import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, envName, loadConfig } from '../../src/config/config.js';

const SECRET = 'a-classic-shared-secret-of-32-bytes!!';

describe('loadConfig', () => {
  it('has the documented defaults and is frozen', () => {
    const config = loadConfig();
    expect(config.issuer).toBe('http://127.0.0.1:8080');
    expect(config.port).toBe(8080);
    expect(config.dataDir).toBe('./.sesame');
    expect(config.algorithm).toBe('ES256');
    expect(config.accessTokenTtl).toBe(15 * 60_000);
    expect(config.refreshGraceWindow).toBe(30_000);
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow();
  });

  it('takes defaults < values < file < env < flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sesame-config-'));
    const file = join(dir, 'sesame.json');
    writeFileSync(file, JSON.stringify({ port: 9001, host: '0.0.0.0', logLevel: 'warn' }));
    const config = loadConfig({
      values: { port: 9000 },
      file,
      env: { SESAME_PORT: '9002', SESAME_REFRESH_GRACE_WINDOW: '0', PATH: '/bin' },
      flags: { port: 9003 },
    });
    expect(config.port).toBe(9003);
    expect(config.host).toBe('0.0.0.0');
    expect(config.logLevel).toBe('warn');
    expect(config.refreshGraceWindow).toBe(0);
    // the default issuer follows host and port; a wildcard host is reached on the loopback
    expect(config.issuer).toBe('http://127.0.0.1:9003');
  });

  it('reads durations and gives the classic profile a 7-day life', () => {
    const config = loadConfig({
      values: { tokenProfile: 'classic', hmacSecret: SECRET, refreshTokenTtl: '14d' },
    });
    expect(config.accessTokenTtl).toBe(7 * 86_400_000);
    expect(config.refreshTokenTtl).toBe(14 * 86_400_000);
    expect(loadConfig({ env: { SESAME_ACCESS_TOKEN_TTL: '5m' } }).accessTokenTtl).toBe(300_000);
  });

  it('leaves the test suites their SESAME_TEST_* variables', () => {
    expect(loadConfig({ env: { SESAME_TEST_REQUIRE_SERVICES: '1' } }).port).toBe(8080);
    expect(() => loadConfig({ env: { SESAME_TESTS: '1' } })).toThrow(ConfigError);
  });

  it.each([
    [{ values: { prot: 1 } }, /config prot: unknown configuration key/],
    [{ env: { SESAME_PROT: '1' } }, /SESAME_PROT: unknown configuration variable/],
    [{ env: { SESAME_PORT: 'eighty' } }, /SESAME_PORT: must be an integer/],
    [{ flags: { port: 70000 } }, /--port: 70000 is above the maximum/],
    [{ values: { algorithm: 'none' } }, /config algorithm: must be one of ES256, RS256, EdDSA, HS256/],
    [{ values: { issuer: 'not a url' } }, /config issuer: must be an absolute URL/],
    [{ values: { issuer: 'https://id.example/?x=1' } }, /without query or fragment/],
    [{ values: { accessTokenTtl: '15 minutes' } }, /config accessTokenTtl: must be a duration/],
    [{ values: { trustProxy: 'yes' } }, /config trustProxy: "yes" is not an IP address, a CIDR/],
    [
      { values: { trustProxy: true } },
      /config trustProxy: true trusts any client's X-Forwarded-For.*give the proxies' addresses/,
    ],
    [{ env: { SESAME_TRUST_PROXY: 'true' } }, /SESAME_TRUST_PROXY: true trusts any client's X-Forwarded-For/],
    [{ values: { trustProxy: ['10.0.0.0/33'] } }, /config trustProxy: "10.0.0.0\/33" is not an IP address/],
    [{ values: { trustProxy: [] } }, /config trustProxy: must be false, a hop count or a list/],
    [{ values: { trustProxy: 101 } }, /config trustProxy: a hop count must be 0 to 100/],
    [{ values: { tokenProfile: 'classic', hmacSecret: 'short' } }, /hmacSecret .*at least 32 bytes/],
    [{ values: { algorithm: 'HS256' } }, /hmacSecret \(SESAME_HMAC_SECRET\): HS256 tokens need/],
  ])('refuses %j with one line naming the key', (sources, message) => {
    let caught: unknown;
    try {
      loadConfig(sources as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain('\n');
  });

  it("takes trustProxy as false, a hop count, or the proxies' addresses and CIDRs", () => {
    expect(loadConfig().trustProxy).toBe(false);
    expect(loadConfig({ env: { SESAME_TRUST_PROXY: 'false' } }).trustProxy).toBe(false);
    expect(loadConfig({ env: { SESAME_TRUST_PROXY: '0' } }).trustProxy).toBe(false);
    // '1' used to mean true; it is now one hop, what it must mean behind one proxy.
    expect(loadConfig({ env: { SESAME_TRUST_PROXY: '1' } }).trustProxy).toBe(1);
    expect(loadConfig({ values: { trustProxy: 2 } }).trustProxy).toBe(2);
    expect(
      loadConfig({ env: { SESAME_TRUST_PROXY: '10.0.0.0/8, 192.0.2.7,::1, fd00::/8, loopback' } }).trustProxy,
    ).toEqual(['10.0.0.0/8', '192.0.2.7', '::1', 'fd00::/8', 'loopback']);
    expect(loadConfig({ values: { trustProxy: ['192.0.2.7'] } }).trustProxy).toEqual(['192.0.2.7']);
  });

  it('names the file for a bad or unknown key in it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sesame-config-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ bodyLimt: 10 }));
    expect(() => loadConfig({ file })).toThrow(`${file}: bodyLimt: unknown configuration key`);
    writeFileSync(file, '{ not json');
    expect(() => loadConfig({ file })).toThrow(`${file}: the configuration file is not valid JSON`);
    expect(() => loadConfig({ file: join(dir, 'missing.json') })).toThrow(/cannot be read/);
  });

  it('maps keys to SESAME_ variables', () => {
    expect(envName('accessTokenTtl')).toBe('SESAME_ACCESS_TOKEN_TTL');
    expect(envName('dataDir')).toBe('SESAME_DATA_DIR');
  });
});
