/** The public first-party client that the /docs page logs in with (created on first start). */
export const DOCS_CLIENT_ID = 'sesame-docs';

/** What the /docs page needs of `sesame-docs`: the code flow (no password grant, RFC 9700 §2.4). */
export const DOCS_GRANTS: readonly string[] = ['authorization_code', 'refresh_token'];

/**
 * Where Swagger UI sends the browser back after the login: its own oauth2-redirect page, which
 * @fastify/swagger-ui serves and names relative to the page (`/docs` + `static/...`).
 */
export function docsRedirectUri(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/docs/static/oauth2-redirect.html`;
}
