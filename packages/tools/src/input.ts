import { readFile } from 'node:fs/promises';
import { badInput, usage } from './errors.js';

/** More than any token or key file; stops a wrong pipe (a log, a binary) from filling memory. */
const MAX_INPUT_BYTES = 1024 * 1024;

/** Reads all of stdin as UTF-8. Refuses a terminal: waiting for typed input would look like a hang. */
export async function readStdin(what: string): Promise<string> {
  if (process.stdin.isTTY) throw usage(`${what} expected on stdin, but stdin is a terminal`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_INPUT_BYTES) throw badInput(`${what} on stdin is larger than 1 MiB`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The token from the argument, or from stdin when the argument is "-" or absent. Surrounding white
 * space and an "Authorization: Bearer" prefix are dropped, as people paste them from requests.
 */
export async function readToken(argument: string | undefined): Promise<string> {
  const raw = argument === undefined || argument === '-' ? await readStdin('a token') : argument;
  const token = raw
    .trim()
    .replace(/^(authorization:\s*)?bearer\s+/i, '')
    .trim();
  if (token.length === 0) throw badInput('no token given');
  if (/\s/.test(token)) throw badInput('the token contains white space');
  return token;
}

/** Reads a text file given on the command line; the error names the option, not the content. */
export async function readTextFile(path: string, what: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw badInput(`cannot read the ${what} ${path}${code ? ` (${code})` : ''}`);
  }
  if (bytes.length > MAX_INPUT_BYTES) throw badInput(`the ${what} ${path} is larger than 1 MiB`);
  return bytes.toString('utf8');
}

/** Parses JSON text that must be an object; the message never quotes the text. */
export function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badInput(`${what} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badInput(`${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** A secret read from the environment variable named on the command line. */
export function secretFromEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw usage(`the environment variable ${name} is not set`);
  if (value.length === 0) throw usage(`the environment variable ${name} is empty`);
  return value;
}

/** Collects a repeatable option into a list (commander's accumulator). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Collects a repeatable, comma-separated option ("--alg ES256,RS256 --alg EdDSA"). */
export function collectList(value: string, previous: string[] | undefined): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return [...(previous ?? []), ...items];
}
