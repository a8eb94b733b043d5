/**
 * Decrypt mode, for a JWE (five parts): the pasted private key (or secret JWK) decrypts it with
 * WebCrypto in the page (jwe.ts) and is never sent anywhere. A nested JWT's inner token can be
 * opened in the decoder, where its signature is verified as any other.
 */
import type { DecodedToken } from './decode-view.js';
import { byId, renderJson, setStatus } from './dom.js';
import { decryptJwe } from './jwe.js';

const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/** Clears what an earlier decryption showed (a new token was pasted). */
export function resetDecrypt(): void {
  setStatus(byId('decrypt-result'), '', 'info');
  byId('decrypt-plaintext').hidden = true;
  byId('decrypt-open').hidden = true;
}

/** Wires the decrypt button; `open` puts an inner token into the decoder. */
export function setUpDecrypt(current: () => DecodedToken | undefined, open: (token: string) => void): void {
  let inner = '';
  byId('decrypt-pasted').addEventListener('click', async () => {
    const decoded = current();
    const result = byId('decrypt-result');
    resetDecrypt();
    if (!decoded?.encrypted) return setStatus(result, 'Paste an encrypted token (five parts) first.', 'info');
    setStatus(result, 'Decrypting…', 'info');
    try {
      const { header, plaintext } = await decryptJwe(
        decoded.token,
        byId<HTMLTextAreaElement>('decrypt-key').value,
      );
      const output = byId('decrypt-plaintext');
      try {
        renderJson(output, JSON.parse(plaintext));
      } catch {
        output.textContent = plaintext;
      }
      output.hidden = false;
      inner = plaintext.trim();
      byId('decrypt-open').hidden = !JWS.test(inner);
      const nested = JWS.test(inner) ? ': a signed token inside (verify it in the decoder)' : '';
      setStatus(
        result,
        `Decrypted with the pasted key (${String(header.alg)}, ${String(header.enc)})${nested}.`,
        'ok',
      );
    } catch (problem) {
      setStatus(result, `Not decrypted: ${(problem as Error).message}.`, 'bad');
    }
  });
  byId('decrypt-open').addEventListener('click', () => open(inner));
}
