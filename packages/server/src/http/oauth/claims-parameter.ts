/**
 * The `claims` request parameter (OpenID Connect Core 1.0 §5.5): a JSON object whose `userinfo`
 * and `id_token` members name the claims the client wants in each place, each `null` or an object
 * with `essential`, `value` or `values`. Sesame keeps the names it can release (the profile claims
 * of Core §5.4), acts on an essential `acr` (§5.5.1.1) and on a `sub` value (§5.5.1), and ignores
 * the rest ("any members used that are not understood MUST be ignored").
 */
import { releasableClaims, SCOPED_CLAIMS } from '../../domain/accounts/claims.js';
import { OAuthError } from '../../domain/errors.js';
import { PASSWORD_ACR } from '../../domain/tokens/id-token.js';
import type { Client, RequestedClaims } from '../../store/types.js';
import { findDuplicateKey } from './json-body.js';

/** What the parameter asks for, once read. */
export interface ClaimsParameter {
  /** The names Sesame can release, in the order asked, each once. */
  requested: RequestedClaims;
  /** `id_token.acr` asked for as essential with `value` or `values`: the classes that would do. */
  essentialAcr: string[] | undefined;
  /** `id_token.sub` with a `value`: the user the request is for. */
  subject: string | undefined;
}

const invalid = (why: string) => new OAuthError('invalid_request', `the claims parameter ${why}`);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One member (`userinfo` or `id_token`): checked, and its claims' requests by name. */
function readMember(member: unknown, name: string): Map<string, Record<string, unknown> | null> {
  const claims = new Map<string, Record<string, unknown> | null>();
  if (member === undefined) return claims;
  if (!isObject(member)) throw invalid(`member ${name} must be a JSON object`);
  for (const [claim, request] of Object.entries(member)) {
    // §5.5.1: null ("requested in the default manner") or an object; names are never echoed.
    if (request !== null && !isObject(request))
      throw invalid(`has a ${name} claim that is neither null nor an object`);
    if (request !== null) {
      if (request.essential !== undefined && typeof request.essential !== 'boolean') {
        throw invalid(`has an essential that is not true or false in ${name}`);
      }
      if (request.values !== undefined && !Array.isArray(request.values)) {
        throw invalid(`has values that are not an array in ${name}`);
      }
    }
    claims.set(claim, request);
  }
  return claims;
}

/** The string values a claim request allows (`value`, or the strings of `values`), if it names any. */
function allowedValues(request: Record<string, unknown> | null | undefined): string[] | undefined {
  if (request == null) return undefined;
  if (typeof request.value === 'string') return [request.value];
  if (Array.isArray(request.values)) return request.values.filter((v): v is string => typeof v === 'string');
  return undefined;
}

/**
 * Reads the parameter; throws invalid_request for text that is not a JSON object, a repeated
 * member name, or members of the wrong type. Undefined when it was not sent.
 *
 * @example readClaimsParameter('{"id_token":{"email":{"essential":true}}}') // requested: { userinfo: [], idToken: ['email'] }
 */
export function readClaimsParameter(text: string | undefined): ClaimsParameter | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('is not valid JSON');
  }
  if (!isObject(parsed)) throw invalid('must be a JSON object');
  // The same refusal as for a JSON body: {"email":null,"email":{…}} could mean two things.
  if (findDuplicateKey(text) !== undefined) throw invalid('repeats a member name');
  const userinfo = readMember(parsed.userinfo, 'userinfo');
  const idToken = readMember(parsed.id_token, 'id_token');
  const known = (claims: Map<string, unknown>) =>
    [...claims.keys()].filter((name) => (SCOPED_CLAIMS as readonly string[]).includes(name));
  const acr = idToken.get('acr');
  const subject = allowedValues(idToken.get('sub'));
  return {
    requested: { userinfo: known(userinfo), idToken: known(idToken) },
    essentialAcr: acr?.essential === true ? allowedValues(acr) : undefined,
    subject: subject?.length === 1 && typeof idToken.get('sub')?.value === 'string' ? subject[0] : undefined,
  };
}

/**
 * What the parameter means for this request: the claims asked for by name that the client may
 * ever be given (their scope is the client's), and the user it is for (`sub` value, which must
 * agree with an id_token_hint's). An essential `acr` Sesame cannot meet is "a failed
 * authentication attempt" (Core §5.5.1.1): access_denied, before any page, since no password
 * could meet it.
 *
 * @example const applied = applyClaimsParameter(parameter, client, hintSubject); // { claims, subject } or an OAuthError
 */
export function applyClaimsParameter(
  parameter: ClaimsParameter | undefined,
  client: Pick<Client, 'scopes'>,
  hintSubject: string | undefined,
): { claims: RequestedClaims | undefined; subject: string | undefined } | OAuthError {
  if (parameter === undefined) return { claims: undefined, subject: hintSubject };
  if (parameter.essentialAcr !== undefined && !parameter.essentialAcr.includes(PASSWORD_ACR)) {
    return new OAuthError(
      'access_denied',
      `the essential acr values cannot be met: the only one is ${PASSWORD_ACR}`,
    );
  }
  if (parameter.subject !== undefined && hintSubject !== undefined && parameter.subject !== hintSubject) {
    return new OAuthError(
      'invalid_request',
      'the claims parameter and the id_token_hint name different users',
    );
  }
  return {
    claims: releasableClaims(parameter.requested, client.scopes),
    subject: hintSubject ?? parameter.subject,
  };
}
