/**
 * The login, consent and error pages of the authorization endpoint: server-rendered HTML with one
 * stylesheet, no script (the CSP forbids any), so they work with JavaScript off, in a screen reader
 * and on a phone. Every value from a request or the store goes through `escape`.
 * `data-ready` on <html> tells the browser tests the page is complete (there is no script to wait for).
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** HTML-escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

export const STYLESHEET_PATH = '/oauth/assets/login.css';

function layout(title: string, main: string): string {
  return `<!doctype html>
<html lang="en" data-ready="true">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · Sesame</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<main class="card" aria-labelledby="title">
<p class="brand">Sesame</p>
${main}
</main>
</body>
</html>
`;
}

function hiddenFields(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
}

function alert(message: string | undefined): string {
  return message === undefined
    ? ''
    : `<p class="alert" role="alert" id="form-error">${escapeHtml(message)}</p>`;
}

export interface LoginPageInput {
  clientName: string;
  /** The authorization request's parameters and the CSRF token. */
  hidden: Record<string, string>;
  username?: string;
  error?: string;
}

/**
 * The sign-in form. Its field names (`username`, `password`) and the button's id (`sign-in`) are
 * stable, so browser automation and conformance suites can script it; the button has no name, so
 * it adds no field to the form. Errors are announced (role=alert) and tied to the fields (aria-describedby).
 */
export function loginPage(input: LoginPageInput): string {
  const described = input.error === undefined ? '' : ' aria-describedby="form-error" aria-invalid="true"';
  return layout(
    'Sign in',
    `<h1 id="title">Sign in</h1>
<p class="lead">to continue to <strong>${escapeHtml(input.clientName)}</strong></p>
${alert(input.error)}
<form method="post" action="/oauth/authorize/login">
${hiddenFields(input.hidden)}
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="256" value="${escapeHtml(input.username ?? '')}"${described} autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"${described}>
<button type="submit" id="sign-in" class="primary">Sign in</button>
</form>`,
  );
}

/** What a scope lets the client do, in words; unknown scopes are shown by name. */
const SCOPE_WORDS: Record<string, string> = {
  openid: 'Know who you are: your user id and username',
  admin: 'Administer this Sesame server: users, clients, keys',
};

export interface ConsentPageInput {
  clientName: string;
  username: string;
  scopes: readonly string[];
  /** Descriptions set with `sesame scopes set`; they take precedence over the built-in words. */
  descriptions?: Readonly<Record<string, string>>;
  hidden: Record<string, string>;
  error?: string;
}

/** Allow or deny; the user can also sign out to switch accounts. */
export function consentPage(input: ConsentPageInput): string {
  const words = (scope: string) =>
    (Object.hasOwn(input.descriptions ?? {}, scope) ? input.descriptions![scope] : undefined) ??
    (Object.hasOwn(SCOPE_WORDS, scope) ? SCOPE_WORDS[scope] : undefined);
  const items = input.scopes.length
    ? input.scopes
        .map((scope) => {
          const text = words(scope);
          return `<li><code>${escapeHtml(scope)}</code>${text ? ` — ${escapeHtml(text)}` : ''}</li>`;
        })
        .join('\n')
    : '<li>No access beyond knowing you signed in</li>';
  return layout(
    'Allow access',
    `<h1 id="title">Allow <strong>${escapeHtml(input.clientName)}</strong> to use your account?</h1>
${alert(input.error)}
<p>Signed in as <strong>${escapeHtml(input.username)}</strong>.</p>
<h2 id="scopes-title">It will be able to:</h2>
<ul class="scopes" aria-labelledby="scopes-title">
${items}
</ul>
<form method="post" action="/oauth/authorize/consent">
${hiddenFields(input.hidden)}
<div class="actions">
<button type="submit" name="decision" value="allow" class="primary">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</div>
</form>
<form method="post" action="/oauth/authorize/logout" class="switch">
${hiddenFields(input.hidden)}
<button type="submit" class="link">Not ${escapeHtml(input.username)}? Sign in as someone else</button>
</form>`,
  );
}

/**
 * An error that cannot go back to the client (RFC 6749 §4.1.2.1): shown here, never redirected.
 * `link` names what failed: a sign-in link (the authorization endpoint) or a sign-out link.
 */
export function errorPage(input: {
  error: string;
  description: string;
  link?: 'sign-in' | 'sign-out';
}): string {
  return layout(
    'Cannot continue',
    `<h1 id="title">This ${input.link ?? 'sign-in'} link cannot be used</h1>
<p class="alert" role="alert">${escapeHtml(input.description)}</p>
<p>Go back to the application and try again. If it keeps happening, tell its developers this code:
<code>${escapeHtml(input.error)}</code>.</p>`,
  );
}

export interface LogoutPageInput {
  username: string;
  /** The client that sent the browser here, when it said which. */
  clientName?: string;
  /** The logout request's parameters and the CSRF token. */
  hidden: Record<string, string>;
  error?: string;
}

/**
 * The confirmation of a logout request that cannot be trusted on its own (no valid id_token_hint
 * for this user, RP-Initiated Logout 1.0 §6): a link on another site must not sign anyone out.
 * The buttons' values are stable (`decision=logout`, `decision=stay`; ids `sign-out`, `stay`).
 */
export function logoutPage(input: LogoutPageInput): string {
  const from =
    input.clientName === undefined
      ? ''
      : `<p class="lead">from <strong>${escapeHtml(input.clientName)}</strong></p>\n`;
  return layout(
    'Sign out',
    `<h1 id="title">Sign out of Sesame?</h1>
${from}${alert(input.error)}
<p>Signed in as <strong>${escapeHtml(input.username)}</strong>. Signing out also signs you out of the
applications you signed in to with this session.</p>
<form method="post" action="/oauth/logout/confirm">
${hiddenFields(input.hidden)}
<div class="actions">
<button type="submit" name="decision" value="logout" id="sign-out" class="primary">Sign out</button>
<button type="submit" name="decision" value="stay" id="stay">Stay signed in</button>
</div>
</form>`,
  );
}

/** After a logout with nowhere to send the browser back to (no post_logout_redirect_uri). */
export function signedOutPage(input: { signedOut: boolean }): string {
  return input.signedOut
    ? layout('Signed out', '<h1 id="title">You are signed out</h1>\n<p>You can close this window.</p>')
    : layout('Still signed in', '<h1 id="title">You are still signed in</h1>\n<p>Nothing was changed.</p>');
}
