/**
 * RFC 7520 (JOSE cookbook) JWS examples 4.1–4.8, RFC 8037 A.4 (Ed25519) and RFC 7515 appendix A.
 *
 * Sesame verifies compact JWS with a protected header and attached content, nothing else:
 * - 4.1–4.4, RFC 8037 A.4 and RFC 7515 A.1–A.4 are compact: they must verify, with the payload
 *   the example signed.
 * - 4.5 (detached content), 4.6 and 4.7 (unprotected header) and 4.8 (multiple signatures) use
 *   forms Sesame does not support. None is skipped: each form given is handed to the verifier and
 *   must be rejected. Where a signature of those examples has a protected header with its `alg`,
 *   the same signature re-serialized as compact (RFC 7515 §7.1: protected header, payload,
 *   signature; the unprotected header is not signed, so dropping it changes nothing) must verify;
 *   where it has no protected header, the compact form must be rejected.
 * - RFC 7515 A.5 (alg none) must be rejected.
 */
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALGORITHMS, type Algorithm, type JWK, verifyJws } from '../../packages/jwt/src/index.js';
import type { Case } from './cases.js';
import { publicPart, singleKey } from './keys.js';

interface SigningStep {
  protected?: Record<string, unknown>;
  protected_b64u?: string;
  sig: string;
}

interface CookbookExample {
  title: string;
  input: { payload: string; key: JWK | JWK[]; alg: string | string[] };
  signing: SigningStep | SigningStep[];
  output: { compact?: string; json?: object; json_flat?: object };
}

const COOKBOOK_JWS = [
  '4_1.rsa_v15_signature',
  '4_2.rsa-pss_signature',
  '4_3.ecdsa_signature',
  '4_4.hmac-sha2_integrity_protection',
  '4_5.signature_with_detached_content',
  '4_6.protecting_specific_header_fields',
  '4_7.protecting_content_only',
  '4_8.multiple_signatures',
];

function readJson<T>(vectorsDir: string, ...path: string[]): T {
  return JSON.parse(readFileSync(join(vectorsDir, ...path), 'utf8')) as T;
}

/**
 * A case that verifies `token` with the public part of `jwk`, allowing `algorithms`, and, when a payload is expected, also checks
 * that the verified bytes are the example's: a "valid" verdict over other content is no pass.
 */
function verifyCase(
  id: string,
  comment: string,
  token: string,
  jwk: JWK,
  algorithms: readonly string[],
  payload?: Buffer,
): Case {
  const key = singleKey(publicPart(jwk));
  return {
    id,
    comment,
    expected: payload === undefined ? 'invalid' : 'valid',
    run: () => {
      const result = verifyJws(token, key, { algorithms: algorithms as Algorithm[] });
      if (payload !== undefined && !result.payload.equals(payload)) {
        throw new Error('verified, but the payload differs from the example');
      }
    },
  };
}

function cookbookCases(vectorsDir: string, name: string): Case[] {
  const example = readJson<CookbookExample>(vectorsDir, 'cookbook', 'jws', `${name}.json`);
  const section = `RFC 7520 ${name.slice(0, 3).replace('_', '.')}`;
  const keys = Array.isArray(example.input.key) ? example.input.key : [example.input.key];
  const algs = Array.isArray(example.input.alg) ? example.input.alg : [example.input.alg];
  const steps = Array.isArray(example.signing) ? example.signing : [example.signing];
  const payload = Buffer.from(example.input.payload, 'utf8');
  const payloadSegment = payload.toString('base64url');
  const detached = name.startsWith('4_5');
  const cases: Case[] = [];

  const { compact, json, json_flat: flat } = example.output;
  if (compact !== undefined) {
    // 4.5's compact form has an empty payload segment: Sesame has no way to be given detached
    // content, so it verifies the signature over an empty payload, which must fail.
    cases.push(
      verifyCase(
        section,
        detached ? `${example.title} (compact, content detached)` : `${example.title} (compact)`,
        compact,
        keys[0]!,
        [algs[0]!],
        detached ? undefined : payload,
      ),
    );
  }
  for (const [form, value] of [
    ['JSON serialization', json],
    ['flattened JSON serialization', flat],
  ] as const) {
    if (value === undefined) continue;
    cases.push(
      verifyCase(section, `${example.title} (${form}, unsupported)`, JSON.stringify(value), keys[0]!, [
        algs[0]!,
      ]),
    );
  }
  // The signatures of the JSON-only examples, re-serialized as compact where that is possible.
  if (compact === undefined) {
    steps.forEach((step, i) => {
      const protectedAlg = step.protected?.alg;
      const token = `${step.protected_b64u ?? ''}.${payloadSegment}.${step.sig}`;
      const label = `${example.title} (signature ${i + 1} ${algs[i]} as compact`;
      cases.push(
        typeof protectedAlg === 'string'
          ? verifyCase(section, `${label})`, token, keys[i]!, [algs[i]!], payload)
          : verifyCase(section, `${label}, no protected header)`, token, keys[i]!, [algs[i]!]),
      );
    });
  }
  return cases;
}

interface Rfc7515Vector {
  section: string;
  alg: string;
  jwk: JWK | null;
  payload_utf8: string;
  compact: string;
}

/** Builds the cookbook, RFC 8037 A.4 and RFC 7515 appendix A cases. */
export function rfcCases(vectorsDir: string): Case[] {
  const cases = COOKBOOK_JWS.flatMap((name) => cookbookCases(vectorsDir, name));

  const ed25519 = readJson<CookbookExample>(vectorsDir, 'cookbook', 'curve25519', 'jws.json');
  cases.push(
    verifyCase(
      'RFC 8037 A.4',
      ed25519.title,
      ed25519.output.compact!,
      ed25519.input.key as JWK,
      ['EdDSA'],
      Buffer.from(ed25519.input.payload, 'utf8'),
    ),
  );

  const appendixA = readJson<{ vectors: Rfc7515Vector[] }>(vectorsDir, 'rfc', 'rfc7515_appendixA.json');
  for (const vector of appendixA.vectors) {
    if (vector.jwk === null) {
      // A.5, alg none: the verifier holds a real key and allows every algorithm Sesame has; the
      // unsecured token must still be refused. The A.1 key stands in for "any key".
      const anyKey = appendixA.vectors[0]!.jwk!;
      cases.push(verifyCase(vector.section, 'alg none (unsecured JWS)', vector.compact, anyKey, ALGORITHMS));
      continue;
    }
    cases.push(
      verifyCase(
        vector.section,
        `${vector.alg}, header and payload bytes as received`,
        vector.compact,
        vector.jwk,
        [vector.alg],
        Buffer.from(vector.payload_utf8, 'utf8'),
      ),
    );
  }
  return cases;
}
