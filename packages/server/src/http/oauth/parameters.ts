import type { FastifyRequest } from 'fastify';
import { OAuthError } from '../../domain/errors.js';

import type { Parameters } from '../../domain/parameters.js';

export type { Parameters };

/** C0 controls and DEL; a parameter value never needs them, and logs and headers must not get them. */
const CONTROL_CHARACTERS = /[\x00-\x1f\x7f]/;
const MAX_VALUE_LENGTH = 8192;

/**
 * Reads the body of an OAuth endpoint (form-urlencoded, or JSON as the classic design sends) into
 * a flat map of strings. RFC 6749 §3.1/§3.2: "Request and response parameters MUST NOT be included
 * more than once" and "Parameters sent without a value MUST be treated as if they were omitted".
 *
 * @example const params = readParameters(request.body); params.grant_type // 'password'
 */
export function readParameters(body: unknown): Parameters {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new OAuthError('invalid_request', 'the body must be a form or a JSON object');
  }
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    const text = parameterValue(name, value);
    if (text !== undefined && text !== '') params[name] = text;
  }
  return params;
}

/** A name fit to appear in an error description; anything else is "a parameter". */
const shownName = (name: string) => (/^[\w.-]{1,64}$/.test(name) ? name : 'a parameter');

/**
 * The error of a parameter sent twice: a repeated form field, or a JSON member name that occurs
 * twice in one object (oauth/json-body.ts), so both are refused the same way.
 *
 * @example throw repeatedParameter('grant_type'); // invalid_request: grant_type is repeated
 */
export function repeatedParameter(name: string): OAuthError {
  return new OAuthError('invalid_request', `${shownName(name)} is repeated`);
}

function parameterValue(name: string, value: unknown): string | undefined {
  if (CONTROL_CHARACTERS.test(name)) throw new OAuthError('invalid_request', 'a parameter name is malformed');
  const shown = shownName(name);
  if (Array.isArray(value)) throw repeatedParameter(name);
  if (value === null) return undefined;
  // JSON bodies may send numbers or booleans for simple values; objects have no meaning here.
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') throw new OAuthError('invalid_request', `${shown} must be a string`);
  if (value.length > MAX_VALUE_LENGTH) throw new OAuthError('invalid_request', `${shown} is too long`);
  if (CONTROL_CHARACTERS.test(value)) {
    throw new OAuthError('invalid_request', `${shown} contains control characters`);
  }
  return value;
}

/** The value of a required parameter, or invalid_request naming it. */
export function requireParameter(params: Parameters, name: string): string {
  const value = params[name];
  if (value === undefined) throw new OAuthError('invalid_request', `the ${name} parameter is missing`);
  return value;
}

/**
 * A preValidation hook for OAuth endpoints: replaces the body by its checked string parameters,
 * so the route schema validates clean values and a repeated parameter is named as such.
 */
export async function normaliseOAuthBody(request: FastifyRequest): Promise<void> {
  request.body = readParameters(request.body);
}

/**
 * True for a form-encoded body: what a browser posts, and what OpenID Connect's POST variants take
 * (Core §3.1.2.1 and RP-Initiated Logout §2: "using Form Serialization").
 *
 * @example if (!isForm(request)) return malformedPage(reply, 'the request must be form-encoded');
 */
export function isForm(request: FastifyRequest): boolean {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/x-www-form-urlencoded';
}
