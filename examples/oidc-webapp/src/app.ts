/**
 * A web app that signs its users in with Sesame through express-openid-connect: the authorization
 * code flow with PKCE (S256), the client authenticated with client_secret_basic, and the ID token
 * (RS256, express-openid-connect's default `idTokenSigningAlg`) checked by openid-client against
 * Sesame's JWKS. The home page greets the signed-in user by the `name` that /userinfo releases for
 * the `profile` scope.
 */
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { auth, type ConfigParams } from 'express-openid-connect';

export interface WebappOptions {
  /** Sesame's issuer URL, e.g. http://127.0.0.1:8080 (discovery is read from it). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where this app is reached, e.g. http://127.0.0.1:3000; the redirect URI is BASE/callback. */
  baseUrl: string;
  /** Encrypts the app's session cookie (at least 8 characters; a long random one in production). */
  sessionSecret: string;
}

/**
 * express-openid-connect's settings for a Sesame client, as docs/oidc.md ("Connect an app") lists.
 *
 * @example app.use(auth(sesameSettings({ issuer, clientId, clientSecret, baseUrl, sessionSecret })));
 */
export function sesameSettings(options: WebappOptions): ConfigParams {
  return {
    issuerBaseURL: options.issuer,
    clientID: options.clientId,
    clientSecret: options.clientSecret,
    baseURL: options.baseUrl,
    secret: options.sessionSecret,
    // Pages choose: `/` is open to everyone and says who is signed in.
    authRequired: false,
    // The code flow (express-openid-connect then sends a PKCE S256 challenge), and the scopes the
    // client is registered for: `profile` releases `name` at /userinfo.
    authorizationParams: { response_type: 'code', scope: 'openid profile' },
    clientAuthMethod: 'client_secret_basic',
    // The client is registered with `--id-token-alg RS256`, the library's default made explicit.
    idTokenSigningAlg: 'RS256',
    // `/logout` ends this app's session only. Ending Sesame's session too (RP-Initiated Logout
    // through Sesame's end_session_endpoint) is `idpLogout: true`, left off in this example.
    idpLogout: false,
    // No Auth0 telemetry header on the requests to Sesame.
    enableTelemetry: false,
  };
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const page = (body: string) =>
  `<!doctype html><html lang="en"><meta charset="utf-8"><title>Sesame web app</title><body>${body}</body></html>`;

/**
 * The app: express-openid-connect's /login, /callback and /logout, and the home page.
 *
 * @example createWebapp(options).listen(3000, '127.0.0.1');
 */
export function createWebapp(options: WebappOptions): Express {
  const app = express();
  app.use(auth(sesameSettings(options)));
  app.get('/', async (request, response) => {
    if (!request.oidc.isAuthenticated()) {
      response
        .type('html')
        .send(
          page(
            '<p id="user">Nobody is signed in.</p><p><a id="sign-in" href="/login">Sign in with Sesame</a></p>',
          ),
        );
      return;
    }
    // The ID token says who (sub); /userinfo, with the access token, says the name.
    const profile = await request.oidc.fetchUserInfo();
    const name = String(profile.name ?? request.oidc.user?.sub);
    response
      .type('html')
      .send(
        page(
          `<p id="user">Signed in as <strong id="name">${escapeHtml(name)}</strong></p><p><a href="/logout">Sign out</a></p>`,
        ),
      );
  });
  // A failed sign-in (a refused callback, Sesame unreachable): one line, never a stack trace.
  app.use(
    (
      error: Error & { status?: number; error?: string; error_description?: string },
      _request: Request,
      response: Response,
      _next: NextFunction,
    ) => {
      const reason = [error.error, error.error_description ?? error.message].filter(Boolean).join(': ');
      response
        .status(error.status ?? 500)
        .type('html')
        .send(page(`<p id="error">Sign-in failed: ${escapeHtml(reason)}</p><p><a href="/">Home</a></p>`));
    },
  );
  return app;
}
