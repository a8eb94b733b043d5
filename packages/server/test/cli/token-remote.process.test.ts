import { join } from 'node:path';
import { exportJWK, generateKeyPair, sign } from '@sesame/jwt';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneLineError, runCli, tempDir } from './run-cli.js';

/** An issuer on a loopback port: RFC 8414 metadata and a JWKS, as the Sesame server serves them. */
let app: FastifyInstance;
let issuer: string;
const { privateKey, publicKey } = generateKeyPair('ES256', { kid: 'k1' });
let metadataIssuer: (base: string) => string = (base) => base;
/** The requests the JWKS route has answered. */
let jwksFetches = 0;

beforeAll(async () => {
  app = Fastify();
  app.get('/.well-known/oauth-authorization-server', async (request) => {
    const base = `http://${request.headers.host}`;
    return { issuer: metadataIssuer(base), jwks_uri: `${base}/.well-known/jwks.json` };
  });
  app.get('/.well-known/jwks.json', async () => {
    jwksFetches++;
    return { keys: [exportJWK(publicKey)] };
  });
  issuer = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => app.close());

describe('sesame token verify against a remote issuer', { timeout: 60_000 }, () => {
  it('discovers jwks_uri from RFC 8414 metadata and expects iss to be the issuer', async () => {
    const token = sign({ sub: 'u1' }, privateKey, { issuer, audience: 'api', expiresIn: '5m' });
    const ok = await runCli(['token', 'verify', token, '--issuer', issuer, '--aud', 'api']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ sub: 'u1', iss: issuer });

    const otherIss = sign({ sub: 'u1' }, privateKey, {
      issuer: 'https://elsewhere.example',
      expiresIn: '5m',
    });
    const refused = await runCli(['token', 'verify', otherIss, '--issuer', issuer]);
    expect(refused.code).toBe(1);
    expect(oneLineError(refused.stderr).code).toBe('ERR_JWT_ISSUER');
  });

  it('verifies with --jwks and refuses a token from a key the set does not hold', async () => {
    const jwks = `${issuer}/.well-known/jwks.json`;
    const token = sign({ sub: 'u1' }, privateKey, { expiresIn: '5m' });
    const ok = await runCli(['token', 'verify', '-', '--jwks', jwks, '--alg', 'ES256'], {
      input: `${token}\n`,
    });
    expect(ok.code).toBe(0);
    const stranger = generateKeyPair('ES256', { kid: 'k1' }).privateKey;
    const forged = sign({ sub: 'admin' }, stranger, { expiresIn: '5m' });
    const refused = await runCli(['token', 'verify', forged, '--jwks', jwks]);
    expect(refused.code).toBe(1);
    expect(oneLineError(refused.stderr).code).toBe('ERR_JWS_SIGNATURE');
  });

  it('a kid the set does not hold: refused after one fetch of the set, by --jwks and by --issuer', async () => {
    const unknown = sign({ sub: 'u1' }, generateKeyPair('ES256', { kid: 'k9' }).privateKey, {
      issuer,
      expiresIn: '5m',
    });
    for (const source of [
      ['--jwks', `${issuer}/.well-known/jwks.json`],
      ['--issuer', issuer],
    ]) {
      const before = jwksFetches;
      const refused = await runCli(['token', 'verify', unknown, ...source]);
      expect(refused.code, refused.stderr).toBe(1);
      expect(oneLineError(refused.stderr).code).toBe('ERR_JWKS_NO_MATCH');
      // A one-shot command has just read the set: reading it again a second later learns nothing.
      expect(jwksFetches - before, source[0]).toBe(1);
    }
  });

  it('refuses metadata naming another issuer, an unreachable issuer, and http to other hosts', async () => {
    metadataIssuer = () => 'https://look-alike.example';
    try {
      const token = sign({ sub: 'u1' }, privateKey, { issuer, expiresIn: '5m' });
      const spoofed = await runCli(['token', 'verify', token, '--issuer', issuer]);
      expect(spoofed.code).toBe(4);
      expect(oneLineError(spoofed.stderr).code).toBe('ERR_DISCOVERY');
    } finally {
      metadataIssuer = (base) => base;
    }
    const closed = await runCli(['token', 'verify', 'a.b.c', '--issuer', 'http://127.0.0.1:9']);
    expect(closed.code).toBe(4);
    const plain = await runCli(['token', 'verify', 'a.b.c', '--jwks', 'http://id.example/jwks.json']);
    expect(plain.code).toBe(2);
    expect(oneLineError(plain.stderr).line).toMatch(/https/);
  });
});

describe('sesame token decode output', { timeout: 60_000 }, () => {
  it('is plain when piped, coloured with FORCE_COLOR, and reads the token from stdin', async () => {
    const token = sign({ sub: 'u1' }, privateKey, { expiresIn: '7d' });
    const plain = await runCli(['token', 'decode'], { input: `Bearer ${token}\n` });
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toMatch(/\u001b\[/);
    expect(plain.stdout).toMatch(/exp\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+\(in (7 d|6 d 23 h)\)/);
    expect(plain.stdout).toMatch(/long-lifetime/);
    const coloured = await runCli(['token', 'decode', token], { env: { FORCE_COLOR: '1' } });
    expect(coloured.stdout).toMatch(/\u001b\[36m"alg"\u001b\[0m/);
    const none = await runCli(['token', 'decode', token], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(none.stdout).not.toMatch(/\u001b\[/);
  });

  it('signs a JSON payload read from stdin and refuses a payload that is not an object', async () => {
    const dir = tempDir();
    const key = join(dir, 'k.jwk');
    await runCli(['keys', 'generate', '--alg', 'EdDSA', '--format', 'jwk', '--out', key]);
    const signed = await runCli(['token', 'sign', '-', '--key', key], {
      input: '{"sub":"u7","roles":["quiz"]}',
    });
    expect(signed.code).toBe(0);
    const decoded = await runCli(['token', 'decode', signed.stdout.trim(), '--json']);
    expect(JSON.parse(decoded.stdout).payload).toMatchObject({ sub: 'u7', roles: ['quiz'] });
    const list = await runCli(['token', 'sign', '-', '--key', key], { input: '[1,2]' });
    expect(list.code).toBe(3);
    expect(oneLineError(list.stderr).line).toMatch(/must be a JSON object/);
  });
});

describe('the sesame entry point', { timeout: 60_000 }, () => {
  it('carries the token commands and the key tools beside keys list|rotate', async () => {
    const keys = await runCli(['keys', '--help'], { main: true });
    expect(keys.code).toBe(0);
    for (const command of ['list', 'rotate', 'generate', 'thumbprint', 'jwks']) {
      expect(keys.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    const token = sign({ sub: 'u1' }, privateKey, { expiresIn: '5m' });
    const decoded = await runCli(['token', 'decode', token, '--json'], { main: true });
    expect(JSON.parse(decoded.stdout).payload.sub).toBe('u1');
    const refused = await runCli(['token', 'verify', token, '--secret-env', 'S'], {
      main: true,
      env: { S: 'x'.repeat(40) },
    });
    expect(refused.code).toBe(1);
    expect(oneLineError(refused.stderr).code).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
    // The program asks commander for a help hint after errors; the token commands stay one line.
    const unknown = await runCli(['token', 'sign', '--frobnicate'], { main: true });
    expect(unknown.code).toBe(2);
    expect(oneLineError(unknown.stderr).code).toBe('ERR_CLI_USAGE');
  });
});
