/**
 * `npm run conformance`: runs third-party JOSE vectors against @sesame/jwt and exits non-zero on
 * any wrong verdict. The vectors are not part of the project; they are read from
 * ../shared/vectors next to the project root (see its README for what each file is).
 *
 *   npm run conformance               one line per wrong verdict, then the summaries
 *   npm run conformance -- --verbose  one line per case
 *
 * The cases import the library's TypeScript sources, not dist/, so what is checked is the code as
 * it is now, without a build.
 */
import { join } from 'node:path';
import { type Case, runSuite, type SuiteResult, summaryLine } from './conformance/cases.js';
import { rfcCases } from './conformance/cookbook.js';
import { cookbookJweCases, wycheproofJweCases } from './conformance/jwe.js';
import { JWK_EITHER_WAY, JWS_EITHER_WAY, wycheproofCases } from './conformance/wycheproof.js';
import { dataVerdict, vectorsDir as findVectors } from './vectors.js';

const vectorsDir = findVectors();
const verbose = process.argv.includes('--verbose');

const data = dataVerdict(
  'conformance',
  join(vectorsDir, 'README.md'),
  'the third-party JOSE vectors: Wycheproof JWS/JWK/JWE, RFC 7520 cookbook, RFC 7515 examples',
);
if (!data.present) {
  (data.skip ? console.log : console.error)(data.line);
  process.exit(data.exitCode);
}

const suites: [string, () => Case[]][] = [
  ['wycheproof JWS', () => wycheproofCases(vectorsDir, 'json_web_signature_test.json', JWS_EITHER_WAY)],
  ['wycheproof JWK', () => wycheproofCases(vectorsDir, 'json_web_key_test.json', JWK_EITHER_WAY)],
  ['RFC 7520/8037/7515', () => rfcCases(vectorsDir)],
  ['wycheproof JWE', () => wycheproofJweCases(vectorsDir)],
  ['RFC 7520 §5 JWE', () => cookbookJweCases(vectorsDir)],
];

const results: SuiteResult[] = [];
for (const [name, build] of suites) {
  results.push(runSuite(name, build(), verbose));
}

const total: SuiteResult = { name: 'overall', passed: 0, failed: 0, eitherWay: 0 };
for (const result of results) {
  console.log(summaryLine(result));
  total.passed += result.passed;
  total.failed += result.failed;
  total.eitherWay += result.eitherWay;
}
console.log(summaryLine(total));
console.log(
  'Not supported, so handed over and required to be rejected (none skipped): JSON serialization ' +
    '(Wycheproof tcId 17, RFC 7520 4.1–4.8 json forms), detached content (RFC 7520 4.5), ' +
    'unprotected-only headers (RFC 7520 4.7, 4.8 ES512); for JWE the JSON serializations ' +
    '(Wycheproof tcId 22, RFC 7520 5.1–5.13 json forms, the only forms of 5.10–5.13). ' +
    'Refused on purpose, counted right only when rejected with ERR_JOSE_NOT_SUPPORTED: RSA1_5, ' +
    'PBES2-* and zip (Wycheproof tcId 94–105, 110–120, 122–128, 135; RFC 7520 5.1, 5.3, 5.9).',
);
process.exit(total.failed === 0 ? 0 : 1);
