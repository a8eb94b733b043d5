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
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Case, runSuite, type SuiteResult, summaryLine } from './conformance/cases.js';
import { rfcCases } from './conformance/cookbook.js';
import { JWK_EITHER_WAY, JWS_EITHER_WAY, wycheproofCases } from './conformance/wycheproof.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vectorsDir = resolve(projectRoot, '..', 'shared', 'vectors');
const verbose = process.argv.includes('--verbose');

if (!existsSync(join(vectorsDir, 'README.md'))) {
  console.error(`conformance: no vectors at ${vectorsDir}.`);
  console.error(
    'The third-party JOSE vectors (Wycheproof, RFC 7520 cookbook, RFC examples) are not kept in the ' +
      'project; they are expected in ../shared/vectors next to the project root.',
  );
  process.exit(1);
}

const suites: [string, () => Case[]][] = [
  ['wycheproof JWS', () => wycheproofCases(vectorsDir, 'json_web_signature_test.json', JWS_EITHER_WAY)],
  ['wycheproof JWK', () => wycheproofCases(vectorsDir, 'json_web_key_test.json', JWK_EITHER_WAY)],
  ['RFC 7520/8037/7515', () => rfcCases(vectorsDir)],
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
    'unprotected-only headers (RFC 7520 4.7, 4.8 ES512).',
);
process.exit(total.failed === 0 ? 0 : 1);
