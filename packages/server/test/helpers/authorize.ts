/**
 * The redirect URI of the authorization code route tests' clients. The steps of the flow (PKCE, the
 * forms, PageClient, signInAndConsent) are @sesame/testkit's, shared with e2e/ and attacks/.
 */
export const REDIRECT = 'https://client.example/callback';
