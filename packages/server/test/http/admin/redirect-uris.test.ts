/**
 * Redirect URIs at registration (service, admin API, CLI): https; http only on loopback hosts
 * (RFC 8252 §7.3); private-use schemes in reverse-domain form for native apps (§7.1); never
 * javascript:, data:, file:, wildcards, fragments or userinfo. The error names the URI and the rule.
 */

import { type AdminCall, adminApi, createTestApp, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirectUriProblem } from '../../../src/domain/clients/validate.js';

const ACCEPTED = [
  'https://app.example/cb',
  'https://app.example:8443/cb?tenant=1',
  'http://127.0.0.1:7000/cb',
  'http://[::1]:7000/cb',
  'http://localhost:3000/cb',
  'com.example.app:/oauth2redirect',
  'com.example.app://callback',
];

const REFUSED: Array<[string, RegExp]> = [
  ['javascript:alert(1)', /scheme javascript: is not allowed/],
  ['JavaScript://%0aalert(document.domain)', /scheme javascript: is not allowed/],
  ['data:text/html,<script>alert(1)</script>', /scheme data: is not allowed/],
  ['file:///etc/passwd', /scheme file: is not allowed/],
  ['vbscript:msgbox', /scheme vbscript: is not allowed/],
  ['myapp:/cb', /reverse-domain/],
  ['http://app.example/cb', /http is allowed only for the loopback hosts/],
  ['http://127.0.0.1.nip.io/cb', /loopback/],
  ['https://*.app.example/cb', /wildcards/],
  ['https://app.example/*', /wildcards/],
  ['https://app.example/cb#top', /fragment/],
  ['https://good.example@evil.example/cb', /userinfo/],
  ['https://user:pass@app.example/cb', /userinfo/],
  ['https://evil.example\\@good.example/cb', /backslash/],
  ['/relative/cb', /absolute URI/],
  ['https://app.example/c b', /spaces/],
];

describe('redirectUriProblem', () => {
  it.each(ACCEPTED)('accepts %s', (uri) => {
    expect(redirectUriProblem(uri)).toBeUndefined();
  });
  it.each(REFUSED)('refuses %s', (uri, rule) => {
    expect(redirectUriProblem(uri)).toMatch(rule);
  });
});

describe('POST /admin/clients: redirect URIs', () => {
  let t: TestApp;
  let admin: AdminCall;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await adminApi(t);
  });
  afterAll(async () => t.close());

  const register = (redirectUris: string[]) =>
    admin('POST', '/admin/clients', { name: 'web', grantTypes: ['authorization_code'], redirectUris });

  it('refuses javascript: and plain http with 400 naming the URI and the rule; registers nothing', async () => {
    const before = (await t.services.clients.list()).length;
    for (const [uri, rule] of [
      ['javascript:alert(1)', /scheme javascript: is not allowed/],
      ['http://app.example/cb', /loopback/],
    ] as const) {
      const response = await register(['https://app.example/ok', uri]);
      expect(response.statusCode, uri).toBe(400);
      expect(response.json().error).toBe('invalid_request');
      expect(response.json().error_description).toContain(`'${uri}'`);
      expect(response.json().error_description).toMatch(rule);
    }
    expect(await t.services.clients.list()).toHaveLength(before);
  });

  it('never echoes a password carried in userinfo', async () => {
    const response = await register(['https://user:s3cret-pw@app.example/cb']);
    expect(response.statusCode).toBe(400);
    expect(response.body).not.toContain('s3cret-pw');
    expect(response.json().error_description).toMatch(/userinfo/);
  });

  it('registers https, loopback http and a private-use scheme', async () => {
    const response = await register(ACCEPTED);
    expect(response.statusCode).toBe(201);
    expect(response.json().client.redirectUris).toEqual(ACCEPTED);
  });
});
