import { createTestApp, loginAdmin, type TestApp } from '@sesame/testkit/app';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDuplicateKey } from '../../../src/http/oauth/json-body.js';

describe('findDuplicateKey', () => {
  it.each([
    ['{"a":1,"a":2}', 'a'],
    ['{"a":1,"b":{"c":1,"c":2}}', 'c'],
    ['[{"x":1},{"y":[{"z":1,"z":1}]}]', 'z'],
    ['{"a":"\\"a\\"","\\u0061":2}', 'a'],
    ['{ "a" : 1 , "a" : 2 }', 'a'],
    ['{"":1,"":2}', ''],
  ])('finds the repeated name in %s', (text, name) => {
    expect(findDuplicateKey(text)).toBe(name);
  });

  it.each([
    '{"a":1,"b":2}',
    '{"a":{"a":{"a":1}}}',
    '[{"a":1},{"a":2}]',
    '{"a":"{\\"a\\":1,\\"a\\":2}","b":"]}"}',
    '{"a":["a","a"],"b":{"a":"b","b":"a"}}',
    '{"a\\"":1,"a":2}',
    '"a"',
    '[]',
    '{}',
  ])('finds none in %s', (text) => {
    expect(findDuplicateKey(text)).toBeUndefined();
  });

  it('finds none in any JSON.stringify output (which never repeats a name)', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => findDuplicateKey(JSON.stringify(value)) === undefined));
  });

  it('finds a name repeated anywhere in an object', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }), fc.nat(), (object, pick) => {
        const names = Object.keys(object);
        const name = names[pick % names.length] as string;
        const text = `{${JSON.stringify(object).slice(1, -1)},${JSON.stringify(name)}:null}`;
        return findDuplicateKey(text) === name;
      }),
    );
  });
});

describe('a JSON body with a repeated member name is refused like a repeated form parameter', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const post = (url: string, payload: string, authorization?: string) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      payload,
    });

  it('at the token endpoint, and names the parameter as the form error does', async () => {
    const json = await post(
      '/oauth/token',
      `{"grant_type":"password","client_id":"${t.publicId}","username":"alice","username":"bob","password":"x"}`,
    );
    const form = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=password&client_id=${t.publicId}&username=alice&username=bob&password=x`,
    });
    expect(json.statusCode).toBe(400);
    expect(json.json()).toEqual({ error: 'invalid_request', error_description: 'username is repeated' });
    expect(json.json()).toEqual(form.json());
  });

  it('at an admin route, nested, before anything is created', async () => {
    const admin = `Bearer ${await loginAdmin(t)}`;
    const body =
      '{"username":"mallory","password":"a long password 1","scopes":["openid"],"x":{"s":1,"s":2}}';
    const response = await post('/admin/users', body, admin);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'invalid_request', error_description: 's is repeated' });
    const list = await t.app.inject({
      method: 'GET',
      url: '/admin/users',
      headers: { authorization: admin },
    });
    expect(JSON.stringify(list.json())).not.toContain('mallory');
  });

  it('still accepts a JSON body without repeats, and keeps refusing __proto__', async () => {
    const ok = await post(
      '/oauth/token',
      `{"grant_type":"password","client_id":"${t.publicId}","username":"alice","password":"correct horse battery"}`,
    );
    expect(ok.statusCode).toBe(200);
    const proto = await post('/oauth/token', '{"__proto__":{"a":1},"grant_type":"password"}');
    expect(proto.statusCode).toBe(400);
    expect(proto.json().error).toBe('invalid_request');
  });
});
