import { request } from 'node:http';
import type { Deployment } from '../lib/deployment.js';
import { inBatches } from '../lib/report.js';
import type { Context } from '../lib/setup.js';

const CATEGORY = 'malformed bodies (never a 5xx)';
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

interface Sent {
  name: string;
  method?: string;
  headers: Record<string, string>;
  body: Buffer | string;
  /** Over the body limit: the server may close the connection on it instead of answering 413. */
  oversized?: boolean;
}

/** One raw HTTP exchange: node:http, so every header and byte goes out exactly as written. */
function send(url: string, sent: Sent): Promise<number> {
  return new Promise((resolve) => {
    const body = Buffer.from(sent.body);
    const req = request(url, {
      method: sent.method ?? 'POST',
      headers: { ...sent.headers, 'content-length': String(body.length) },
    });
    req.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    req.on('error', () => resolve(-1));
    req.end(body);
  });
}

function bodies(d: Deployment): Sent[] {
  const id = d.appClientId;
  const form = (body: string, extra: Record<string, string> = {}): Omit<Sent, 'name'> => ({
    headers: { 'content-type': FORM, ...extra },
    body,
  });
  const json = (body: string | Buffer): Omit<Sent, 'name'> => ({
    headers: { 'content-type': JSON_TYPE },
    body,
  });
  const list: Array<[string, Omit<Sent, 'name'>]> = [
    ['no content type, empty body', { headers: {}, body: '' }],
    ['form, empty body', form('')],
    ['text/plain', { headers: { 'content-type': 'text/plain' }, body: 'grant_type=password' }],
    [
      'application/xml',
      { headers: { 'content-type': 'application/xml' }, body: '<grant_type>password</grant_type>' },
    ],
    [
      'multipart/form-data',
      {
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
        body: '--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\npassword\r\n--x--\r\n',
      },
    ],
    ['a content type of ";;;"', { headers: { 'content-type': ';;;' }, body: 'grant_type=password' }],
    ['form declared UTF-16', form('grant_type=password', { 'content-type': `${FORM}; charset=utf-16` })],
    ['gzip declared, plain bytes sent', form('grant_type=password', { 'content-encoding': 'gzip' })],
    ['JSON: not JSON', json('not json')],
    ['JSON: truncated', json('{"grant_type":')],
    ['JSON: an array', json('[]')],
    ['JSON: a string', json('"password"')],
    ['JSON: a number', json('123')],
    ['JSON: null', json('null')],
    ['JSON: true', json('true')],
    ['JSON: grant_type as an array', json('{"grant_type":["password"]}')],
    ['JSON: grant_type as an object', json('{"grant_type":{"$ne":null}}')],
    [
      'JSON: username as an object',
      json(`{"grant_type":"password","client_id":"${id}","username":{"$gt":""},"password":"x"}`),
    ],
    [
      'JSON: password as an array',
      json(`{"grant_type":"password","client_id":"${id}","username":"player","password":["a","b"]}`),
    ],
    [
      'JSON: client_id as a number',
      json('{"grant_type":"password","client_id":12345,"username":"a","password":"b"}'),
    ],
    ['JSON: __proto__ member', json(`{"__proto__":{"grant_type":"client_credentials"},"client_id":"${id}"}`)],
    [
      'JSON: constructor.prototype member',
      json('{"constructor":{"prototype":{"admin":true}},"grant_type":"password"}'),
    ],
    ['JSON: nested 5000 deep', json(`{"grant_type":"password","x":${'['.repeat(5000)}${']'.repeat(5000)}}`)],
    ['JSON: duplicate grant_type', json('{"grant_type":"password","grant_type":"client_credentials"}')],
    [
      'JSON: invalid UTF-8',
      json(
        Buffer.concat([Buffer.from('{"grant_type":"pass'), Buffer.from([0xff, 0xfe]), Buffer.from('word"}')]),
      ),
    ],
    ['JSON: a lone surrogate escape', json('{"grant_type":"\\ud800","client_id":"\\udfff"}')],
    [
      'JSON: a NUL in a value',
      json(`{"grant_type":"password","client_id":"${id}","username":"pla\\u0000yer","password":"x"}`),
    ],
    ['JSON body sent as a form', form('{"grant_type":"password"}')],
    ['form: grant_type repeated', form('grant_type=password&grant_type=client_credentials')],
    [
      'form: client_id repeated',
      form(`grant_type=password&client_id=${id}&client_id=${id}&username=a&password=b`),
    ],
    ['form: grant_type[]', form('grant_type[]=password')],
    ['form: grant_type[a]', form('grant_type[a]=password')],
    ['form: a NUL in a value', form(`grant_type=password&client_id=${id}&username=pla%00yer&password=x`)],
    [
      'form: CR LF in a value',
      form(`grant_type=password&client_id=${id}&username=a%0d%0aSet-Cookie:%20x&password=x`),
    ],
    ['form: a control character in a name', form('grant%01type=password')],
    ['form: broken percent-encoding', form('grant_type=%zz&client_id=%')],
    [
      'form: invalid UTF-8 percent-encoded',
      form(`grant_type=password&client_id=${id}&username=%ff%fe&password=%c0%af`),
    ],
    [
      'form: a 10 KB value',
      form(`grant_type=password&client_id=${id}&username=${'u'.repeat(10_000)}&password=x`),
    ],
    ['form: 2000 parameters', form(Array.from({ length: 2000 }, (_, i) => `p${i}=1`).join('&'))],
    [
      'form: over the body limit (20 KB)',
      { ...form(`grant_type=password&x=${'x'.repeat(20_000)}`), oversized: true },
    ],
    ['form: 2 MB', { ...form(`grant_type=password&x=${'x'.repeat(2_000_000)}`), oversized: true }],
    ['form: unknown grant_type', form(`grant_type=urn:sesame:nope&client_id=${id}`)],
    ['form: empty grant_type', form(`grant_type=&client_id=${id}`)],
    [
      'form: scope with control characters',
      form(`grant_type=password&client_id=${id}&username=a&password=b&scope=a%7fb`),
    ],
    ['Basic: not base64', form('grant_type=client_credentials', { authorization: 'Basic !!!' })],
    [
      'Basic: no colon',
      form('grant_type=client_credentials', {
        authorization: `Basic ${Buffer.from('nocolon').toString('base64')}`,
      }),
    ],
    [
      'Basic: control characters',
      form('grant_type=client_credentials', {
        authorization: `Basic ${Buffer.from('a%00:b%0a').toString('base64')}`,
      }),
    ],
    [
      'Basic: 8 KB of credentials',
      form('grant_type=client_credentials', {
        authorization: `Basic ${Buffer.from(`${'a'.repeat(6000)}:b`).toString('base64')}`,
      }),
    ],
    [
      'Bearer instead of client credentials',
      form('grant_type=client_credentials', { authorization: 'Bearer abc' }),
    ],
  ];
  const sent: Sent[] = list.map(([name, value]) => ({ name, ...value }));
  sent.push(
    { name: 'GET', method: 'GET', headers: {}, body: '' },
    { name: 'PUT with a form', method: 'PUT', ...form('grant_type=password') },
  );
  return sent;
}

/**
 * Every body at the token endpoint, and at revocation and introspection (which read the same
 * form-or-JSON parameters): the answer must be a 4xx — never a 5xx, never a hang.
 */
export async function malformedBodyAttacks(ctx: Context): Promise<void> {
  const { report, main } = ctx;
  const cases = bodies(main).flatMap((sent) =>
    ['/oauth/token', '/oauth/revoke', '/oauth/introspect'].map((path) => ({ path, sent })),
  );
  await inBatches(cases, 6, async ({ path, sent }) => {
    const status = await send(`${main.issuer}${path}`, sent);
    const closed = status === -1 && sent.oversized === true;
    report.check(
      CATEGORY,
      `${path}: ${sent.name}`,
      (status >= 400 && status < 500) || closed,
      status === -1 ? 'the connection failed' : `answered ${status}`,
    );
  });
  const health = await fetch(`${main.issuer}/healthz`);
  report.check(CATEGORY, 'the server is still healthy afterwards', health.status === 200, `${health.status}`);
}
