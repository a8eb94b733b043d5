/**
 * The OpenID Connect parameters that change no flow (Core 1.0 §3.1.2.1) and the request objects
 * Sesame refuses (Core §6), through app.inject: display is one of four values, locales are
 * preferences (a bad tag is ignored), unknown parameters are ignored, and `request` /
 * `request_uri` go back to the client as request_not_supported / request_uri_not_supported
 * without the object being read or the URI fetched.
 */
import { createServer, type Server } from 'node:http';
import { authorizeUrl, formFields, pkce } from '@sesame/testkit';
import { createTestApp, locationParams, PageClient, type TestApp } from '@sesame/testkit/app';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDIRECT, webClient } from '../../helpers/code-flow.js';

const ISSUER = 'http://127.0.0.1:8080';
let t: TestApp;

beforeEach(async () => {
  t = await createTestApp();
  await webClient(t, 'web-a');
});
afterEach(() => t.close());

function params(extra: Record<string, string> = {}) {
  return {
    response_type: 'code',
    client_id: 'web-a',
    redirect_uri: REDIRECT,
    scope: 'openid quiz',
    state: 'st-oidc',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
}

const get = (extra: Record<string, string>) => new PageClient(t.app).get(authorizeUrl(params(extra)));

function expectLoginPage(response: LightMyRequestResponse): Record<string, string> {
  expect(response.statusCode, response.headers.location as string).toBe(200);
  return formFields(response.body, '/oauth/authorize/login');
}

function expectBack(response: LightMyRequestResponse, error: string, description: RegExp) {
  expect(response.statusCode, response.body).toBe(302);
  const back = locationParams(response);
  expect([back.get('error'), back.get('state'), back.get('iss')]).toEqual([error, 'st-oidc', ISSUER]);
  expect(back.get('error_description')).toMatch(description);
}

describe('display', () => {
  it.each(['page', 'popup', 'touch', 'wap'])(
    '%s is accepted and carried through the login form',
    async (display) => {
      expect(expectLoginPage(await get({ display })).display).toBe(display);
    },
  );

  it.each(['PAGE', 'fullscreen', 'page popup'])(
    '%s is invalid_request, back to the client',
    async (display) => {
      expectBack(await get({ display }), 'invalid_request', /display must be one of/);
    },
  );
});

describe('ui_locales, claims_locales, acr_values', () => {
  it.each([
    ['ui_locales', 'fr-CA en'],
    ['ui_locales', 'klingon-xx-yy-zz !!! <b> en'],
    ['ui_locales', '   '],
    ['claims_locales', 'de ja-Kana-JP'],
    ['claims_locales', '*** ???'],
    ['acr_values', 'urn:mace:incommon:iap:silver 0'],
  ])('%s=%j is accepted (a preference, never a reason to refuse)', async (name, value) => {
    const page = await get({ [name]: value });
    const fields = expectLoginPage(page);
    expect(page.body).toContain('<html lang="en"');
    if (value.trim() !== '') expect(fields[name]).toBe(value);
  });
});

describe('unknown parameters', () => {
  it('are ignored and not carried through the forms', async () => {
    const fields = expectLoginPage(
      await get({ foo: 'bar', registration: '{}', claims_x: '1', csrf_token: 'x', username: 'mallory' }),
    );
    for (const name of ['foo', 'registration', 'claims_x', 'username'])
      expect(fields).not.toHaveProperty(name);
    // The csrf_token field is the form's own, not the one sent.
    expect(fields.csrf_token).not.toBe('x');
  });
});

describe('request objects are refused, never read or fetched', () => {
  let target: Server;
  let hits: string[];
  let uri: string;
  beforeEach(async () => {
    hits = [];
    target = createServer((request, response) => {
      hits.push(`${request.method} ${request.url}`);
      response.end('eyJhbGciOiJub25lIn0.e30.');
    });
    await new Promise<void>((done) => target.listen(0, '127.0.0.1', done));
    uri = `http://127.0.0.1:${(target.address() as { port: number }).port}/request.jwt`;
  });
  afterEach(() => new Promise((done) => target.close(done)));

  it('request: request_not_supported, with state and iss', async () => {
    expectBack(await get({ request: 'eyJhbGciOiJub25lIn0.e30.' }), 'request_not_supported', /not supported/);
    expectBack(await get({ request: 'not even a jwt' }), 'request_not_supported', /not supported/);
  });

  it('request_uri: request_uri_not_supported, and nothing is fetched', async () => {
    expectBack(await get({ request_uri: uri }), 'request_uri_not_supported', /not supported/);
    // A pushed request's URN is RFC 9126's (par.test.ts): one never pushed is invalid_request_uri,
    // on a page (its redirect URI would be the pushed request's), and nothing is fetched either.
    const unpushed = await get({ request_uri: 'urn:ietf:params:oauth:request_uri:abc' });
    expect(unpushed.statusCode).toBe(400);
    expect(unpushed.headers.location).toBeUndefined();
    expect(unpushed.body).toContain('invalid_request_uri');
    expect(hits).toEqual([]);
  });

  it('before prompt=none is looked at, and in the response mode asked for', async () => {
    expectBack(await get({ prompt: 'none', request_uri: uri }), 'request_uri_not_supported', /not supported/);
    const page = await get({ response_mode: 'form_post', request: 'x' });
    expect(page.statusCode).toBe(200);
    expect(formFields(page.body, REDIRECT).error).toBe('request_not_supported');
    expect(hits).toEqual([]);
  });

  it('an unverified redirect URI is still a page', async () => {
    const response = await get({ request_uri: uri, redirect_uri: 'https://evil.example/cb' });
    expect(response.statusCode).toBe(400);
    expect(response.headers.location).toBeUndefined();
    expect(hits).toEqual([]);
  });
});

describe('discovery', () => {
  it('lists the display values and the pages’ language, and offers no request objects', async () => {
    const metadata = (await t.app.inject({ url: '/.well-known/openid-configuration' })).json();
    expect(metadata).toMatchObject({
      display_values_supported: ['page', 'popup', 'touch', 'wap'],
      ui_locales_supported: ['en'],
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
    });
  });
});
