import type { JsonWebKey, KeyObject } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expectAccepted, expectRejected, login } from '../lib/deployment.js';
import { es256, parts, privateFromJwk, segment } from '../lib/jose.js';
import { inBatches } from '../lib/report.js';
import type { Context } from '../lib/setup.js';

const CATEGORY = 'behind a valid signature (leaked key): nbf, typ, JSON';

/**
 * Checks that only run once the signature verifies — nbf, typ, required claims, and the strict JSON
 * reading of header and payload — need tokens signed with the server's own key. The other
 * deployment is a throwaway made for this: its current private key is read from its SQLite data
 * dir (stored in clear there; the PostgreSQL mode encrypts it), which simulates a leaked key. A
 * control token signed the same way must be accepted, or the simulation proves nothing.
 */
function leakedCurrentKey(dataDir: string): { kid: string; key: KeyObject } | undefined {
  const db = new Database(join(dataDir, 'sesame.db'), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare("SELECT kid, private_jwk FROM signing_keys WHERE state = 'current'").get() as
      | { kid: string; private_jwk: string }
      | undefined;
    if (row === undefined || !row.private_jwk.trimStart().startsWith('{')) return undefined;
    return { kid: row.kid, key: privateFromJwk(JSON.parse(row.private_jwk) as JsonWebKey) };
  } finally {
    db.close();
  }
}

export async function leakedKeyAttacks(ctx: Context): Promise<void> {
  const { report, other } = ctx;
  const leaked = leakedCurrentKey(other.dataDir);
  if (leaked === undefined) {
    report.note('leaked-key simulation skipped: the data dir holds no readable current key (encrypted?)');
    report.check(CATEGORY, 'the current signing key could be read for the simulation', false);
    return;
  }
  const template = parts((await login(other)).access_token);
  const header = { ...template.header, kid: leaked.kid };
  const now = Math.floor(Date.now() / 1000);
  let serial = 0;
  // Each token gets its own jti, so no check can pass by remembering an earlier one.
  const claims = (extra: Record<string, unknown> = {}) => ({
    ...template.payload,
    jti: `leak-${serial++}`,
    ...extra,
  });
  const sign = (h: unknown, p: unknown) => {
    const input = `${segment(h)}.${segment(p)}`;
    return `${input}.${es256(input, leaked.key)}`;
  };
  // Exact JSON text, for what JSON.stringify cannot write: duplicate members, stray bytes.
  const raw = (headerMembers: string, payloadMembers: string) =>
    sign(Buffer.from(`{${headerMembers}}`), Buffer.from(`{${payloadMembers}}`));
  const members = (value: Record<string, unknown>) => JSON.stringify(value).slice(1, -1);
  const bytes = (...pieces: Array<string | number[]>) =>
    Buffer.concat(pieces.map((piece) => Buffer.from(piece)));

  if (
    !(await expectAccepted(
      report,
      other,
      CATEGORY,
      'a token signed with the leaked key',
      sign(header, claims()),
    ))
  )
    return;

  const nested = (depth: number): unknown => (depth === 0 ? 'x' : { a: nested(depth - 1) });
  const h = members(header);
  const cases: Array<[string, string, boolean?]> = [
    ['nbf an hour ahead', sign(header, claims({ nbf: now + 3600 }))],
    ['nbf a minute ahead', sign(header, claims({ nbf: now + 60 }))],
    ['iat an hour ahead', sign(header, claims({ iat: now + 3600 }))],
    ['exp an hour ago', sign(header, claims({ exp: now - 3600, iat: now - 7200 }))],
    ['exp removed', sign(header, claims({ exp: undefined }))],
    ['exp as a string', sign(header, claims({ exp: String(now + 600) }))],
    ['typ "JWT" instead of "at+jwt" (RFC 9068 §2.1)', sign({ ...header, typ: 'JWT' }, claims())],
    ['typ removed', sign({ ...header, typ: undefined }, claims())],
    ['iss of another server', sign(header, claims({ iss: 'http://127.0.0.1:1' }))],
    ['crit naming an unknown parameter', sign({ ...header, crit: ['exp'], exp: now }, claims())],
    ['payload nested 40 deep', sign(header, claims({ x: nested(40) }))],
    ['header nested 40 deep', sign({ ...header, x: nested(40) }, claims())],
    ['payload with invalid UTF-8', sign(header, bytes(`{${members(claims())},"note":"`, [0xff, 0xfe], '"}'))],
    ['header with invalid UTF-8', sign(bytes(`{${h},"note":"`, [0xc3, 0x28], '"}'), claims())],
    [
      'payload with a UTF-8 byte order mark',
      sign(header, bytes([0xef, 0xbb, 0xbf], JSON.stringify(claims()))),
    ],
    ['duplicate sub (the second one another user)', raw(h, `${members(claims())},"sub":"someone-else"`)],
    [
      'duplicate exp (expired first, then a year ahead)',
      raw(h, `"exp":${now - 10},${members(claims({ exp: undefined }))},"exp":${now + 31_536_000}`),
    ],
    [
      'duplicate sub spelled with an escape ("s\\u0075b")',
      raw(h, `${members(claims())},"s\\u0075b":"someone-else"`),
    ],
    ['duplicate scope (raised to admin)', raw(h, `${members(claims())},"scope":"openid quiz admin"`)],
    ['duplicate alg in the header', raw(`${h},"alg":"ES256"`, members(claims()))],
    ['duplicate typ in the header', raw(`"typ":"JWT",${h}`, members(claims()))],
    ['payload a JSON array', sign(header, Buffer.from(JSON.stringify([claims()])))],
    ['payload JSON null', sign(header, Buffer.from('null'))],
    [
      'payload with trailing bytes after the object',
      sign(header, Buffer.from(`${JSON.stringify(claims())}x`)),
    ],
    ['payload of 20 KB', sign(header, claims({ pad: 'x'.repeat(20_000) })), true],
    ['header of 20 KB', sign({ ...header, pad: 'x'.repeat(20_000) }, claims()), true],
  ];
  await inBatches(cases, 8, ([name, token, oversized]) =>
    expectRejected(report, other, CATEGORY, name, token, { oversized: oversized === true }),
  );
}
