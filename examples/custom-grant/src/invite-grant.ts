/**
 * An extension grant (RFC 6749 §4.5) written outside @sesame/server: an invited user signs in once
 * with the invite code that was sent to them, without a password. It uses only the package's public
 * exports: the GrantModule shape, OAuthError for refusals and issueTokenResponse to sign the token.
 */
import { type GrantModule, issueTokenResponse, OAuthError } from '@sesame/server';

/** RFC 6749 §4.5: an extension grant's type is an absolute URI. */
export const INVITE_GRANT_TYPE = 'urn:example:params:oauth:grant-type:invite';

/** Invite codes waiting to be used: each names a user and can be spent once. */
export interface InviteBook {
  /** Makes a code for the user (random, 128 bits). */
  invite(username: string): string;
  /** The user the code names, and the code is gone; undefined for an unknown or spent code. */
  spend(code: string): string | undefined;
}

/**
 * An in-memory invite book (a real one would keep the codes, hashed, in its own table).
 *
 * @example const book = createInviteBook(); const code = book.invite('alice'); book.spend(code); // 'alice'
 */
export function createInviteBook(): InviteBook {
  const codes = new Map<string, string>();
  return {
    invite(username) {
      const code = crypto.randomUUID();
      codes.set(code, username);
      return code;
    },
    spend(code) {
      const username = codes.get(code);
      codes.delete(code);
      return username;
    },
  };
}

/** One message for every refused invite, so a caller cannot tell an unknown code from a disabled user. */
const REFUSED = 'the invite is not valid';

/**
 * The invite grant over a book of codes. The token endpoint has already authenticated the client,
 * checked that it lists this grant type and that `invite` is present.
 *
 * @example
 * const app = await buildApp({ config, store, grants: [...DEFAULT_GRANTS, inviteGrant(book)] });
 */
export function inviteGrant(book: InviteBook): GrantModule {
  return {
    grantType: INVITE_GRANT_TYPE,
    aliases: ['invite'],
    description: 'An invited user signs in once with the code of their invite.',
    parameters: {
      invite: { description: 'the invite code (single use)', required: true, secret: true },
      scope: { description: "space-separated scopes; default: the user's scopes the client may have" },
    },
    async handle({ client, params, services, request }) {
      // Spent before anything else is checked: a code is tried once, whatever the outcome.
      const username = book.spend(params.invite!);
      const user = username === undefined ? undefined : await services.users.find({ username });
      if (!user || user.disabled) throw new OAuthError('invalid_grant', REFUSED);
      const allowed = user.scopes.filter((scope) => client.scopes.includes(scope));
      const requested = params.scope?.split(' ') ?? allowed;
      // RFC 6749 §5.2: a scope beyond what was granted is invalid_scope.
      if (requested.some((scope) => !allowed.includes(scope))) {
        throw new OAuthError('invalid_scope', 'a requested scope is not allowed');
      }
      return issueTokenResponse(services, {
        client,
        grantType: INVITE_GRANT_TYPE,
        subject: user.id,
        username: user.username,
        scopes: requested,
        ip: request.ip,
      });
    },
  };
}
