import type { TestApp } from '@sesame/testkit/app';

/**
 * The redirect URI of the authorization code route tests' clients. The steps of the flow (PKCE, the
 * forms, PageClient, signInAndConsent) are @sesame/testkit's, shared with e2e/ and attacks/.
 */
export const REDIRECT = 'https://client.example/callback';

type ClientFields = Parameters<TestApp['services']['clients']['create']>[0];

/**
 * Registers a code-flow client named `clientId` (confidential unless the fields say otherwise,
 * scopes openid and quiz, redirect URI REDIRECT) and answers its secret (null when public).
 *
 * @example const secret = await registerWebClient(t, 'quiz-web');
 */
export async function registerWebClient(
  t: TestApp,
  clientId: string,
  fields: Partial<ClientFields> = {},
): Promise<string | null> {
  const made = await t.services.clients.create(
    {
      name: clientId,
      clientId,
      grantTypes: ['authorization_code'],
      scopes: ['openid', 'quiz'],
      redirectUris: [REDIRECT],
      ...fields,
    },
    'test',
  );
  return made.clientSecret;
}
