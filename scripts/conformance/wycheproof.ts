/**
 * The Wycheproof JWS and JWK suites (C2SP/wycheproof testvectors_v1): each group gives a key (or a
 * key set), each test a token and the verdict a careful verifier reaches.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type JWK, verifyJws } from '../../packages/jwt/src/index.js';
import type { Case, Verdict } from './cases.js';
import { publicPart, verifierFor } from './keys.js';

interface WycheproofTest {
  tcId: number;
  comment: string;
  jws: string | object;
  result: Verdict;
  flags: string[];
}

interface WycheproofGroup {
  comment?: string;
  private: JWK | { keys: JWK[] };
  public?: JWK | { keys: JWK[] };
  tests: WycheproofTest[];
}

/**
 * Defects of json_web_signature_test.json itself (see ../shared/vectors/README.md): cases whose
 * label is wrong or where a stricter verifier may lawfully disagree. Either verdict passes.
 */
export const JWS_EITHER_WAY: ReadonlyMap<number, string> = new Map([
  [367, 'labelled invalid, but byte-identical to tcId 357 (valid) with the same key'],
  [370, 'labelled invalid, but byte-identical to tcId 357 (valid) with the same key'],
  [372, "labelled valid, but holds a literal '?', which is not base64url; a strict decoder rejects it"],
  [373, "labelled valid, but holds a literal '?', which is not base64url; a strict decoder rejects it"],
  [346, 'key alg PS256, token PS384: a verifier that enforces the JWK alg rejects it'],
  [350, 'key alg PS256, token PS384: a verifier that enforces the JWK alg rejects it'],
  [
    347,
    'key alg "ES521" (not a JOSE algorithm), token ES512: a verifier that enforces the JWK alg rejects it',
  ],
  [
    351,
    'key alg "ES521" (not a JOSE algorithm), token ES512: a verifier that enforces the JWK alg rejects it',
  ],
]);

/** json_web_key_test.json has no known defect. */
export const JWK_EITHER_WAY: ReadonlyMap<number, string> = new Map();

/**
 * The keys a group gives a verifier: its public key, or the private key reduced to its public
 * part. Where a group has both and they differ in more than the private members (some groups
 * give the private key other `key_ops` than the public one), both are used, so a key the library
 * refuses in either form shows as a wrong verdict.
 */
function keyForms(group: WycheproofGroup): [string, JWK | { keys: JWK[] }][] {
  if (group.public === undefined) return [['', group.private]];
  const reduced = publicPartOf(group.private);
  if (JSON.stringify(reduced) === JSON.stringify(group.public)) return [['', group.public]];
  return [
    ['', group.public],
    [' (private key reduced)', reduced],
  ];
}

function publicPartOf(key: JWK | { keys: JWK[] }): JWK | { keys: JWK[] } {
  return Array.isArray((key as { keys?: unknown }).keys)
    ? { keys: (key as { keys: JWK[] }).keys.map(publicPart) }
    : publicPart(key as JWK);
}

/** Builds the cases of one Wycheproof file. */
export function wycheproofCases(
  vectorsDir: string,
  file: string,
  eitherWay: ReadonlyMap<number, string>,
): Case[] {
  const data = JSON.parse(readFileSync(join(vectorsDir, 'wycheproof', file), 'utf8')) as {
    testGroups: WycheproofGroup[];
  };
  const cases: Case[] = [];
  for (const group of data.testGroups) {
    for (const [form, key] of keyForms(group)) {
      const verifier = verifierFor(key);
      for (const test of group.tests) {
        // Sesame verifies the compact serialization only. A JSON-serialized JWS is handed over as
        // the JSON text an application would receive, and must be refused.
        const token = typeof test.jws === 'string' ? test.jws : JSON.stringify(test.jws);
        const reason = eitherWay.get(test.tcId);
        cases.push({
          id: `tcId ${test.tcId}${form}`,
          comment: `${group.comment ?? ''}/${test.comment}`,
          expected: test.result,
          ...(reason === undefined ? {} : { eitherWay: reason }),
          run: () => {
            verifyJws(token, verifier.key, { algorithms: verifier.algorithms });
          },
        });
      }
    }
  }
  return cases;
}
