import { Buffer, isUtf8 } from 'node:buffer';

/** Deeper nesting than this is refused: no honest header or claims set comes near it. */
const MAX_DEPTH = 32;

/**
 * Parses bytes as a JSON object, strictly: valid UTF-8, an object at the top, no duplicate member
 * names at any depth (RFC 7515 §5.2 and RFC 7519 §4 let a parser reject them; JSON.parse would keep
 * the last, so two readers of one token could disagree), nesting at most 32 deep.
 * Returns undefined instead of throwing, so callers choose the error code.
 */
export function parseJsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  if (!isUtf8(bytes)) return undefined;
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const members = countMembers(value, 0);
  // Every ':' outside a string separates one member from its value. If the text holds more of them
  // than the parsed objects hold members, some name appeared twice.
  if (members < 0 || members !== countColons(text)) return undefined;
  return value as Record<string, unknown>;
}

function countMembers(value: object, depth: number): number {
  // The top-level value is depth 0, so depth MAX_DEPTH would be nesting level MAX_DEPTH + 1.
  if (depth >= MAX_DEPTH) return -1;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item === 'object' && item !== null) {
        const inner = countMembers(item, depth + 1);
        if (inner < 0) return -1;
        count += inner;
      }
    }
    return count;
  }
  for (const key in value) {
    count++;
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === 'object' && item !== null) {
      const inner = countMembers(item, depth + 1);
      if (inner < 0) return -1;
      count += inner;
    }
  }
  return count;
}

/**
 * Counts the member names in JSON text that JSON.parse has already accepted. In valid JSON a ':'
 * outside a string only ever follows a member name, after optional white space (RFC 8259 §4), so
 * the names are the strings followed by ':'. Jumping from quote to quote with indexOf is cheaper
 * than reading every character.
 */
function countColons(text: string): number {
  let count = 0;
  let i = 0;
  for (;;) {
    const start = text.indexOf('"', i);
    if (start < 0) return count;
    let end = text.indexOf('"', start + 1);
    // A quote preceded by an odd run of backslashes is escaped and does not end the string.
    while (text.charCodeAt(end - 1) === 0x5c) {
      let run = 1;
      while (text.charCodeAt(end - 1 - run) === 0x5c) run++;
      if ((run & 1) === 0) break;
      end = text.indexOf('"', end + 1);
    }
    i = end + 1;
    let c = text.charCodeAt(i);
    while (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) c = text.charCodeAt(++i);
    if (c === 0x3a) count++;
  }
}

/** @internal UTF-8 bytes of a JSON value. */
export function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
