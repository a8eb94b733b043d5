/**
 * The JWE vectors: Wycheproof json_web_encryption_test.json (139 cases) and the RFC 7520 §5
 * examples (JOSE cookbook). Each token is decrypted by an application that allows every algorithm
 * Sesame supports, holding the vector's private key: the key's binding to its algorithm, not a
 * narrow allow-list, is what has to refuse a token made for another key.
 *
 * Refused on purpose, whatever the label: RSA1_5, PBES2-* and `zip` (ERR_JOSE_NOT_SUPPORTED).
 * Not supported, so handed over and required to be rejected: the JSON serializations (Wycheproof
 * tcId 22; the cookbook's json and json_flat forms, the only forms of 5.10–5.13).
 */
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONTENT_ENCRYPTION_ALGORITHMS,
  contentEncryptionSpec,
  decrypt,
  importJWK,
  type JWK,
  KEY_MANAGEMENT_ALGORITHMS,
  type Key,
  type KeyManagementAlgorithm,
  keyManagementSpec,
} from '../../packages/jwt/src/index.js';
import type { Case, Verdict } from './cases.js';

/** The code every deliberately refused feature must be rejected with. */
const REFUSED = 'ERR_JOSE_NOT_SUPPORTED';

/**
 * Defects of json_web_encryption_test.json: none found. Every label was checked against the
 * behaviour RFC 7516/7518 require; the RSA1_5 and zip cases labelled valid are the refusals above.
 */
export const JWE_EITHER_WAY: ReadonlyMap<number, string> = new Map();

interface WycheproofJweTest {
  tcId: number;
  comment: string;
  pt?: string;
  jwe: string;
  result: Verdict;
}

/**
 * The key an application holds for a vector's JWK. An RSA1_5 key is imported as an RSA-OAEP key
 * (its `alg` dropped), so that it is the token's header, not the key import, that gets refused.
 */
function recipientKey(jwk: JWK): Key<KeyManagementAlgorithm> {
  if (keyManagementSpec(jwk.alg) || contentEncryptionSpec(jwk.alg))
    return importJWK<KeyManagementAlgorithm>(jwk);
  const { alg: _dropped, ...rest } = jwk;
  return importJWK(rest, 'RSA-OAEP');
}

/** Whether the token's header uses something Sesame refuses on purpose. */
function refusedFeature(token: string): boolean {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));
    return header.alg === 'RSA1_5' || String(header.alg).startsWith('PBES2-') || header.zip !== undefined;
  } catch {
    return false;
  }
}

function decryptCase(
  id: string,
  comment: string,
  expected: Verdict,
  token: string,
  key: () => Key<KeyManagementAlgorithm>,
  plaintext: Buffer | undefined,
  eitherWay?: string,
): Case {
  return {
    id,
    comment,
    expected,
    ...(eitherWay === undefined ? {} : { eitherWay }),
    ...(refusedFeature(token) ? { refusedWith: REFUSED } : {}),
    run: () => {
      const result = decrypt(token, key(), {
        keyManagementAlgorithms: KEY_MANAGEMENT_ALGORITHMS,
        contentEncryptionAlgorithms: CONTENT_ENCRYPTION_ALGORITHMS,
      });
      if (plaintext !== undefined && !result.plaintext.equals(plaintext)) {
        throw new Error('decrypted, but the plaintext differs from the vector');
      }
    },
  };
}

/** The Wycheproof JWE cases. */
export function wycheproofJweCases(vectorsDir: string): Case[] {
  const data = JSON.parse(
    readFileSync(join(vectorsDir, 'wycheproof', 'json_web_encryption_test.json'), 'utf8'),
  ) as { testGroups: { comment?: string; private: JWK; tests: WycheproofJweTest[] }[] };
  const cases: Case[] = [];
  for (const group of data.testGroups) {
    for (const test of group.tests) {
      const plaintext =
        test.result === 'valid' && test.pt !== undefined ? Buffer.from(test.pt, 'hex') : undefined;
      cases.push(
        decryptCase(
          `tcId ${test.tcId}`,
          `${group.comment ?? ''}/${test.comment}`,
          test.result,
          test.jwe,
          () => recipientKey(group.private),
          plaintext,
          JWE_EITHER_WAY.get(test.tcId),
        ),
      );
    }
  }
  return cases;
}

interface CookbookJwe {
  title: string;
  input: { plaintext: string; key?: JWK | JWK[]; alg: string | string[] };
  output: { compact?: string; json?: object; json_flat?: object };
}

const COOKBOOK_JWE = [
  '5_1.key_encryption_using_rsa_v15_and_aes-hmac-sha2',
  '5_2.key_encryption_using_rsa-oaep_with_aes-gcm',
  '5_3.key_wrap_using_pbes2-aes-keywrap_with-aes-cbc-hmac-sha2',
  '5_4.key_agreement_with_key_wrapping_using_ecdh-es_and_aes-keywrap_with_aes-gcm',
  '5_5.key_agreement_using_ecdh-es_with_aes-cbc-hmac-sha2',
  '5_6.direct_encryption_using_aes-gcm',
  '5_7.key_wrap_using_aes-gcm_keywrap_with_aes-cbc-hmac-sha2',
  '5_8.key_wrap_using_aes-keywrap_with_aes-gcm',
  '5_9.compressed_content',
  '5_10.including_additional_authentication_data',
  '5_11.protecting_specific_header_fields',
  '5_12.protecting_content_only',
  '5_13.encrypting_to_multiple_recipients',
];

/** The key of an example, imported for the example's own algorithm (5.3 has a password, not a key). */
function cookbookKey(example: CookbookJwe, stand_in: JWK): Key<KeyManagementAlgorithm> {
  const jwk = Array.isArray(example.input.key) ? example.input.key[0]! : (example.input.key ?? stand_in);
  const alg = Array.isArray(example.input.alg) ? example.input.alg[0]! : example.input.alg;
  if (jwk.alg === undefined && keyManagementSpec(alg)) return importJWK(jwk, alg as KeyManagementAlgorithm);
  return recipientKey(jwk);
}

/** The RFC 7520 §5 cases. */
export function cookbookJweCases(vectorsDir: string): Case[] {
  const read = (name: string) =>
    JSON.parse(readFileSync(join(vectorsDir, 'cookbook', 'jwe', `${name}.json`), 'utf8')) as CookbookJwe;
  // 5.3 (PBES2) has no key: the 5.8 A128KW key stands in; the header is refused before any key is used.
  const standIn = read(COOKBOOK_JWE[7]!).input.key as JWK;
  const cases: Case[] = [];
  for (const name of COOKBOOK_JWE) {
    const example = read(name);
    const section = `RFC 7520 ${name.slice(0, name.indexOf('.')).replace('_', '.')}`;
    const key = () => cookbookKey(example, standIn);
    const plaintext = Buffer.from(example.input.plaintext, 'utf8');
    const { compact, json, json_flat: flat } = example.output;
    if (compact !== undefined) {
      cases.push(decryptCase(section, `${example.title} (compact)`, 'valid', compact, key, plaintext));
    }
    for (const [form, value] of [
      ['JSON serialization', json],
      ['flattened JSON serialization', flat],
    ] as const) {
      if (value === undefined) continue;
      cases.push(
        decryptCase(
          section,
          `${example.title} (${form}, unsupported)`,
          'invalid',
          JSON.stringify(value),
          key,
          undefined,
        ),
      );
    }
  }
  return cases;
}
