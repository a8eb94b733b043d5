/**
 * Decode mode: the token's three parts in three colours, header and payload pretty-printed, the
 * claims table and the warnings — the same analysis as `sesame token decode`.
 */
import { claimRows, type TokenWarning, tokenWarnings } from '../analysis.js';
import { decodeJsonSegment } from './b64.js';
import { byId, el, renderJson, setStatus } from './dom.js';

/** A token split and decoded, not verified. */
export interface DecodedToken {
  token: string;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** A JWE (five parts): the header is its protected header, the payload empty until decrypted. */
  encrypted?: boolean;
}

/** Splits and decodes a compact JWS or a JWE's header; the error says which part is wrong, never echoing it. */
export function decodeToken(input: string): DecodedToken {
  const token = input.trim().replace(/^bearer\s+/i, '');
  const parts = token.split('.');
  if (parts.length === 5)
    return { token, header: decodeJsonSegment(parts[0]!, 'header'), payload: {}, encrypted: true };
  if (parts.length !== 3)
    throw new Error(
      `a JWT has three parts separated by dots (five when encrypted); this has ${parts.length}`,
    );
  return {
    token,
    header: decodeJsonSegment(parts[0]!, 'header'),
    payload: decodeJsonSegment(parts[1]!, 'payload'),
  };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function renderParts(token: string): void {
  const target = byId('token-parts');
  target.replaceChildren();
  const parts = token.split('.');
  if (parts.length === 5) {
    // header . encrypted key . iv . ciphertext . tag (RFC 7516 §7.1)
    const classes = ['part-header', 'part-payload', 'part-payload', 'part-payload', 'part-signature'];
    parts.forEach((part, i) => {
      if (i > 0) target.append(el('span', '.', 'dot'));
      target.append(el('span', part, classes[i]));
    });
    return;
  }
  const [header, payload, signature] = parts;
  target.append(
    el('span', header, 'part-header'),
    el('span', '.', 'dot'),
    el('span', payload, 'part-payload'),
    el('span', '.', 'dot'),
    el('span', signature, 'part-signature'),
  );
}

function renderClaims(payload: Record<string, unknown>): void {
  const body = byId<HTMLTableSectionElement>('claims-body');
  body.replaceChildren();
  for (const row of claimRows(payload, nowSeconds())) {
    const tr = el('tr');
    const name = el('th', row.name);
    name.scope = 'row';
    const value = el('td');
    const text = typeof row.value === 'string' ? row.value : JSON.stringify(row.value);
    value.append(el('code', text));
    if (row.time) value.append(el('br'), el('span', `${row.time.iso} (${row.time.relative})`, 'time'));
    tr.append(name, value, el('td', row.meaning ?? ''));
    body.append(tr);
  }
}

/** Shows warnings; `extra` adds findings of the verify step (a weak secret). */
export function renderWarnings(decoded: DecodedToken | undefined, extra: readonly TokenWarning[] = []): void {
  const list = byId('warnings');
  list.replaceChildren();
  // A JWE's claims are unknown until decrypted: its inner token gets the warnings when opened.
  const warnings =
    decoded && !decoded.encrypted
      ? [...tokenWarnings(decoded.header, decoded.payload, nowSeconds()), ...extra]
      : [];
  for (const warning of warnings) {
    const item = el('li');
    item.append(el('strong', warning.code), `: ${warning.message}`);
    list.append(item);
  }
  byId('warnings-none').hidden = warnings.length > 0 || decoded === undefined;
}

/** Decodes the textarea's token and renders everything, or shows why it cannot be decoded. */
export function showToken(input: string): DecodedToken | undefined {
  const error = byId('token-error');
  const output = byId('decoded');
  if (input.trim() === '') {
    setStatus(error, '', 'info');
    output.hidden = true;
    return undefined;
  }
  let decoded: DecodedToken;
  try {
    decoded = decodeToken(input);
  } catch (problem) {
    setStatus(error, (problem as Error).message, 'bad');
    output.hidden = true;
    return undefined;
  }
  setStatus(error, '', 'info');
  output.hidden = false;
  renderParts(decoded.token);
  renderJson(byId('header-json'), decoded.header);
  renderJson(byId('payload-json'), decoded.payload);
  byId('verify-box').hidden = decoded.encrypted === true;
  byId('decrypt-box').hidden = decoded.encrypted !== true;
  if (decoded.encrypted)
    byId('payload-json').textContent = 'Encrypted: decrypt it below with the private key.';
  renderClaims(decoded.payload);
  renderWarnings(decoded);
  return decoded;
}
