/**
 * Verify mode: the signature against this server's JWKS (one click), a pasted JWKS, JWK or PEM
 * public key, or an HMAC secret — with WebCrypto, in the page. Only the JWKS is fetched, from this
 * server (the Content-Security-Policy allows nothing else).
 */
import { isoDate, type TokenWarning, weakSecretReason } from '../analysis.js';
import { importPublicKeys, importSecret, specOf, verifyToken } from './crypto.js';
import type { DecodedToken } from './decode-view.js';
import { renderWarnings } from './decode-view.js';
import { byId, setStatus } from './dom.js';

/** The signature is only half of validity: say when a verified token has expired or is not valid yet. */
function claimNote(decoded: DecodedToken): string {
  const now = Date.now() / 1000;
  const { exp, nbf } = decoded.payload;
  if (typeof exp === 'number' && exp <= now) return `, but the token expired at ${isoDate(exp)}`;
  if (typeof nbf === 'number' && nbf > now) return `, but the token is not valid before ${isoDate(nbf)}`;
  return '';
}

/**
 * The result goes right under the button that asked for it, in view: with three buttons in the
 * box, one place at the bottom was a screen away from the first of them.
 */
function resultBeside(button: HTMLElement): HTMLElement {
  const result = byId('verify-result');
  const row = button.closest('p') ?? button;
  if (row.nextElementSibling !== result) row.after(result);
  return result;
}

function show(result: HTMLElement, text: string, kind: 'ok' | 'bad' | 'info'): void {
  setStatus(result, text, kind);
  result.scrollIntoView({ block: 'nearest' });
}

async function check(
  decoded: DecodedToken | undefined,
  source: string,
  keys: (alg: string, kid: unknown) => Promise<CryptoKey[]>,
  button: HTMLElement,
): Promise<void> {
  const result = resultBeside(button);
  const setStatus = (element: HTMLElement, text: string, kind: 'ok' | 'bad' | 'info') =>
    show(element, text, kind);
  if (!decoded) {
    setStatus(result, 'Paste a token first.', 'info');
    return;
  }
  setStatus(result, 'Verifying…', 'info');
  try {
    const alg = String(decoded.header.alg);
    specOf(alg);
    const valid = await verifyToken(decoded.token, alg, await keys(alg, decoded.header.kid));
    if (valid) setStatus(result, `Signature verified with ${source}${claimNote(decoded)}.`, 'ok');
    else setStatus(result, `Invalid signature: ${source} did not sign this token.`, 'bad');
  } catch (problem) {
    setStatus(result, `Not verified: ${(problem as Error).message}.`, 'bad');
  }
}

async function serverKeys(alg: string, kid: unknown): Promise<CryptoKey[]> {
  let response: Response;
  try {
    response = await fetch('/.well-known/jwks.json', { cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new Error("this server's JWKS could not be fetched (offline?)");
  }
  if (!response.ok) throw new Error(`this server's JWKS answered ${response.status}`);
  return importPublicKeys(await response.text(), alg, kid);
}

/** Wires the three verify buttons; `current` gives the token decoded from the textarea. */
export function setUpVerify(current: () => DecodedToken | undefined): void {
  byId('verify-server').addEventListener('click', () => {
    void check(current(), "this server's keys", serverKeys, byId('verify-server'));
  });
  byId('verify-pasted').addEventListener('click', () => {
    const text = byId<HTMLTextAreaElement>('verify-key').value;
    void check(
      current(),
      'the pasted key',
      (alg, kid) => importPublicKeys(text, alg, kid),
      byId('verify-pasted'),
    );
  });
  byId('verify-hmac').addEventListener('click', () => {
    const secret = byId<HTMLInputElement>('verify-secret').value;
    const decoded = current();
    const extra: TokenWarning[] = [];
    const reason = decoded ? weakSecretReason(secret, String(decoded.header.alg)) : undefined;
    if (reason) extra.push({ code: 'weak-secret', message: `weak HMAC secret: ${reason}` });
    renderWarnings(decoded, extra);
    void check(decoded, 'the secret', async (alg) => [await importSecret(secret, alg)], byId('verify-hmac'));
  });
}
