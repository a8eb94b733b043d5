/**
 * The JSON body parser of every route: Fastify's own (which refuses `__proto__` and `constructor`
 * members), plus a refusal of duplicate member names. RFC 8259 §4 leaves duplicates undefined
 * ("the names within an object SHOULD be unique"); JSON.parse keeps the last, another parser in
 * front of or behind Sesame may keep the first, so `{"scope":"a","scope":"admin"}` could mean two
 * things. A repeated form parameter is refused (RFC 6749 §3.1), and a repeated JSON member is
 * refused the same way, with the same error, at any depth.
 */
import type { FastifyInstance } from 'fastify';
import { repeatedParameter } from './parameters.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/**
 * The first member name that occurs twice in one object of `text`, or undefined. One pass over the
 * text, for text JSON.parse has accepted (on other text it returns some answer, never throws):
 * strings are skipped as a whole, so brackets and quotes inside values are not structure. Names
 * are compared decoded, so `"a"` and `"\u0061"` are the same name.
 *
 * @example findDuplicateKey('{"a":1,"b":{"c":1,"c":2}}') // 'c'
 */
export function findDuplicateKey(text: string): string | undefined {
  // One entry per open container: the names seen so far in an object, null for an array.
  const open: Array<Set<string> | null> = [];
  let names: Set<string> | null = null;
  let expectName = false;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let end = i + 1;
      let escaped = false;
      for (; end < length; end++) {
        const d = text.charCodeAt(end);
        if (d === QUOTE) break;
        if (d === BACKSLASH) {
          escaped = true;
          end++;
        }
      }
      if (expectName && names !== null) {
        const name = escaped ? decodeName(text.slice(i, end + 1)) : text.slice(i + 1, end);
        if (names.has(name)) return name;
        names.add(name);
        expectName = false;
      }
      i = end;
    } else if (c === OPEN_OBJECT) {
      open.push(names);
      names = new Set();
      expectName = true;
    } else if (c === OPEN_ARRAY) {
      open.push(names);
      names = null;
      expectName = false;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      names = open.pop() ?? null;
      expectName = false;
    } else if (c === COMMA) {
      expectName = names !== null;
    }
  }
  return undefined;
}

function decodeName(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted; // unreachable on text JSON.parse accepted; compared raw otherwise
  }
}

/**
 * Replaces the `application/json` parser of `app` (and of every plugin registered after it) by
 * Fastify's default one followed by the duplicate check.
 *
 * @example installJsonBodyParser(app); // before registering routes
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body); // parseAs 'string': always a string
    parse(request, text, (error, value) => {
      if (error) return done(error);
      const duplicate = findDuplicateKey(text);
      if (duplicate !== undefined) return done(repeatedParameter(duplicate));
      done(null, value);
    });
  });
}
