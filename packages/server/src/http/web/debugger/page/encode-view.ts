/**
 * Encode mode: edit the header and payload JSON, pick a key (an HMAC secret, or an ES256/RS256
 * key pair generated in the browser), get a token. The private key never leaves the page; the
 * public key is shown as a JWK so the token can be checked elsewhere.
 */
import { weakSecretReason } from '../analysis.js';
import { derToPem } from './b64.js';
import { generatePair, importSecret, publicJwk, signToken } from './crypto.js';
import { byId, setStatus } from './dom.js';

let pair: { alg: 'ES256' | 'RS256'; keys: CryptoKeyPair; kid: string } | undefined;

function parseObject(id: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(byId<HTMLTextAreaElement>(id).value);
  } catch {
    throw new Error(`the ${what} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`the ${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** The HMAC fields or the key-pair fields, whichever the chosen algorithm needs. */
function showKeyFields(): void {
  const hmac = byId<HTMLSelectElement>('encode-alg').value.startsWith('HS');
  byId('encode-secret-field').hidden = !hmac;
  byId('encode-pair-field').hidden = hmac;
}

async function generate(): Promise<void> {
  const alg = byId<HTMLSelectElement>('encode-alg').value as 'ES256' | 'RS256';
  const status = byId('encode-status');
  setStatus(status, `Generating an ${alg} key pair…`, 'info');
  const keys = await generatePair(alg);
  const jwk = await publicJwk(keys.publicKey, alg);
  pair = { alg, keys, kid: jwk.kid };
  byId<HTMLTextAreaElement>('encode-public').value =
    `${JSON.stringify({ keys: [jwk] }, null, 2)}\n\n${derToPem(await crypto.subtle.exportKey('spki', keys.publicKey), 'PUBLIC KEY')}`;
  setStatus(status, `New ${alg} key pair, kid ${jwk.kid}. Its public key is below.`, 'ok');
}

async function encode(): Promise<void> {
  const status = byId('encode-status');
  const alg = byId<HTMLSelectElement>('encode-alg').value;
  const header: Record<string, unknown> = { ...parseObject('encode-header', 'header'), alg };
  const payload = parseObject('encode-payload', 'payload');
  let key: CryptoKey;
  let note = '';
  if (alg.startsWith('HS')) {
    const secret = byId<HTMLInputElement>('encode-secret').value;
    if (secret === '') throw new Error('enter an HMAC secret');
    // Refused, as `sesame token sign` and the server refuse it (RFC 7518 §3.2: at least the hash
    // size); the other weaknesses stay warnings there too.
    const bytes = new TextEncoder().encode(secret).length;
    const needed = Number(alg.slice(2)) / 8;
    if (bytes < needed)
      throw new Error(`the HMAC secret is ${bytes} bytes; ${alg} needs at least ${needed} (RFC 7518 §3.2)`);
    const reason = weakSecretReason(secret, alg);
    if (reason) note = ` Warning: weak HMAC secret: ${reason}.`;
    key = await importSecret(secret, alg);
  } else {
    if (!pair || pair.alg !== alg) await generate();
    key = pair!.keys.privateKey;
    header.kid ??= pair!.kid;
  }
  const token = await signToken(header, payload, alg, key);
  byId<HTMLTextAreaElement>('encode-output').value = token;
  setStatus(status, `Signed with ${alg}.${note}`, note ? 'bad' : 'ok');
}

/** Wires encode mode; `open` shows a token in decode mode. */
export function setUpEncode(open: (token: string) => void): void {
  const now = Math.floor(Date.now() / 1000);
  byId<HTMLTextAreaElement>('encode-payload').value = JSON.stringify(
    { sub: 'u1', aud: 'api', iat: now, exp: now + 900 },
    null,
    2,
  );
  byId('encode-alg').addEventListener('change', showKeyFields);
  showKeyFields();
  byId('encode-generate').addEventListener('click', () => {
    generate().catch((problem: Error) => setStatus(byId('encode-status'), problem.message, 'bad'));
  });
  byId('encode-sign').addEventListener('click', () => {
    encode().catch((problem: Error) => {
      // No token from an earlier try may stay on show as if it came from this one.
      byId<HTMLTextAreaElement>('encode-output').value = '';
      setStatus(byId('encode-status'), `Not signed: ${problem.message}.`, 'bad');
    });
  });
  byId('encode-open').addEventListener('click', () => {
    const token = byId<HTMLTextAreaElement>('encode-output').value;
    if (!token) return;
    open(token);
    // A token signed with the generated pair arrives with the public key that verifies it.
    const alg = byId<HTMLSelectElement>('encode-alg').value;
    if (!alg.startsWith('HS') && pair?.alg === alg)
      byId<HTMLTextAreaElement>('verify-key').value =
        byId<HTMLTextAreaElement>('encode-public').value.split('\n\n')[0]!;
  });
}
