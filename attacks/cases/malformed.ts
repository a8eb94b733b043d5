import { expectRejected, guardStatus, login, userinfoStatus } from '../lib/deployment.js';
import { attackerKey, b64u, es256, parts, segment } from '../lib/jose.js';
import { inBatches } from '../lib/report.js';
import type { Context } from '../lib/setup.js';

const CATEGORY = 'oversized, nested, invalid UTF-8, duplicate members';

/**
 * Tokens built to hurt the reader rather than fool it: too large, nested too deep, not UTF-8,
 * with duplicate JSON members, or not JSON at all — as an attacker without any key makes them
 * (the attacker's own ES256 key, or the genuine signature over changed bytes). The same shapes
 * behind a valid signature are in leaked-key.ts. Every one must be refused, none with a 5xx.
 */
export async function malformedAttacks(ctx: Context): Promise<void> {
  const { report, main } = ctx;
  const genuine = (await login(main)).access_token;
  const { header, payload, h, p, s } = parts(genuine);
  const attacker = attackerKey();
  const signed = (hd: unknown, pl: unknown) => {
    const input = `${segment(hd)}.${segment(pl)}`;
    return `${input}.${es256(input, attacker.privateKey)}`;
  };
  const bytes = (...pieces: Array<string | number[]>) =>
    Buffer.concat(pieces.map((piece) => Buffer.from(piece)));
  const members = (value: Record<string, unknown>) => JSON.stringify(value).slice(1, -1);
  const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  const cases: Array<[string, string, boolean?]> = [
    ['a 20 KB payload', `${h}.${segment({ ...payload, pad: 'x'.repeat(20_000) })}.${s}`, true],
    ['a 1 MB token', `${h}.${b64u(Buffer.alloc(786_432, 0x61))}.${s}`, true],
    ['a 20 KB header', `${segment({ ...header, pad: 'x'.repeat(20_000) })}.${p}.${s}`, true],
    // Under the header limits, over introspection's 8 KB parameter limit.
    ['a 15 KB token', `${h}.${segment({ ...payload, pad: 'x'.repeat(10_500) })}.${s}`, true],
    ['header nested 100 deep', `${segment(bytes(`{${members(header)},"x":${deepArray(100)}}`))}.${p}.${s}`],
    [
      'header nested 5000 deep',
      `${segment(bytes(`{${members(header)},"x":${deepArray(5000)}}`))}.${p}.${s}`,
      true,
    ],
    [
      'payload nested 100 deep, attacker-signed',
      signed(header, bytes(`{${members(payload)},"x":${deepArray(100)}}`)),
    ],
    ['header with invalid UTF-8', `${segment(bytes(`{${members(header)},"n":"`, [0xff], '"}'))}.${p}.${s}`],
    [
      'header with an overlong UTF-8 "/"',
      `${segment(bytes(`{${members(header)},"n":"`, [0xc0, 0xaf], '"}'))}.${p}.${s}`,
    ],
    [
      'header with a UTF-8 surrogate (CESU)',
      `${segment(bytes(`{${members(header)},"n":"`, [0xed, 0xa0, 0x80], '"}'))}.${p}.${s}`,
    ],
    [
      'payload with invalid UTF-8, genuine signature',
      `${h}.${segment(bytes(`{${members(payload)},"n":"`, [0xfe], '"}'))}.${s}`,
    ],
    [
      'duplicate alg in the header (ES256 then none)',
      `${segment(bytes(`{${members(header)},"alg":"none"}`))}.${p}.`,
    ],
    [
      'duplicate alg in the header (none then ES256)',
      `${segment(bytes(`{"alg":"none",${members(header)}}`))}.${p}.${s}`,
    ],
    ['duplicate kid in the header', `${segment(bytes(`{${members(header)},"kid":"attacker"}`))}.${p}.${s}`],
    [
      'duplicate scope in the payload, genuine signature',
      `${h}.${segment(bytes(`{${members(payload)},"scope":"openid quiz admin"}`))}.${s}`,
    ],
    [
      'duplicate sub with an escaped name ("s\\u0075b")',
      `${h}.${segment(bytes(`{${members(payload)},"s\\u0075b":"x"}`))}.${s}`,
    ],
    ['header not JSON', `${b64u('not json')}.${p}.${s}`],
    ['header a JSON array', `${b64u('["ES256"]')}.${p}.${s}`],
    ['header JSON null', `${b64u('null')}.${p}.${s}`],
    ['header a JSON string', `${b64u('"ES256"')}.${p}.${s}`],
    ['header with a trailing comma', `${segment(bytes(`{${members(header)},}`))}.${p}.${s}`],
    ['header base64url with illegal characters', `${h.slice(0, -2)}*!.${p}.${s}`],
    ['header with base64 padding "="', `${h}==.${p}.${s}`],
    ['payload not base64url (spaces)', `${h}.${p.slice(0, 10)} ${p.slice(10)}.${s}`],
  ];
  await inBatches(cases, 6, ([name, token, oversized]) =>
    expectRejected(report, main, CATEGORY, name, token, { oversized: oversized === true }),
  );

  // Headers, not tokens: an Authorization header far over the limits, and odd spellings of it.
  const huge = `${h}.${b64u(Buffer.alloc(48_000, 0x62))}.${s}`;
  for (const [name, status] of [
    ['a 64 KB Authorization header @ guard', await guardStatus(main, huge).catch(() => 431)],
    ['a 64 KB Authorization header @ userinfo', await userinfoStatus(main, huge).catch(() => 431)],
  ] as const) {
    report.check(CATEGORY, name, status === 400 || status === 401 || status === 431, `answered ${status}`);
  }
  for (const [name, value] of [
    ['two bearer tokens in one header', `Bearer ${genuine} ${genuine}`],
    ['a comma-joined repeat of the header', `Bearer ${genuine}, Bearer ${genuine}`],
    ['Basic scheme carrying the token', `Basic ${genuine}`],
  ] as const) {
    for (const [where, url, method] of [
      ['guard', `${main.api}/answers`, 'POST'],
      ['userinfo', `${main.issuer}/userinfo`, 'GET'],
    ] as const) {
      const response = await fetch(url, {
        method,
        headers: { authorization: value, 'content-type': 'application/json' },
        ...(method === 'POST' ? { body: '{"questionId":1,"choice":1}' } : {}),
      }).catch(() => undefined);
      const status = response?.status ?? 0;
      await response?.arrayBuffer();
      report.check(CATEGORY, `${name} @ ${where}`, status === 400 || status === 401, `answered ${status}`);
    }
  }
}
