/**
 * The sign-in steps every code-flow test and attack relies on: the form reader, the cookie jar and
 * signInAndConsent's two endings (a consent page answered, a remembered consent), against a scripted
 * client, so a broken step fails here rather than as a puzzling status in some e2e test.
 */
import { describe, expect, it } from 'vitest';
import {
  type FormClient,
  formFields,
  type PageAnswer,
  pkce,
  rememberCookies,
  signInAndConsent,
} from '../src/authorize.js';

const LOGIN_PAGE =
  '<form method="post" action="/oauth/authorize/login"><input type="hidden" name="csrf_token" value="t&amp;1">' +
  '<input type="hidden" name="request" value="&quot;a&lt;b&gt;&#39;"></form>';
const CONSENT_PAGE =
  '<form method="post" action="/oauth/authorize/logout"><input type="hidden" name="csrf_token" value="out"></form>' +
  '<form method="post" action="/oauth/authorize/consent"><input type="hidden" name="csrf_token" value="in"></form>';

/** A client that answers from a script and records what it was sent. */
function scripted(answers: PageAnswer[]) {
  const sent: { url: string; fields?: Record<string, string> }[] = [];
  const client: FormClient<PageAnswer> = {
    async get(url) {
      sent.push({ url });
      return answers.shift()!;
    },
    async post(url, fields) {
      sent.push({ url, fields });
      return answers.shift()!;
    },
    answer: (response) => response,
  };
  return { client, sent };
}

describe('formFields', () => {
  it('reads the hidden inputs of the named form only, entities decoded', () => {
    expect(formFields(LOGIN_PAGE, '/oauth/authorize/login')).toEqual({
      csrf_token: 't&1',
      request: `"a<b>'`,
    });
    expect(formFields(CONSENT_PAGE, '/oauth/authorize/consent')).toEqual({ csrf_token: 'in' });
  });
  it('throws when the page has no such form', () => {
    expect(() => formFields(LOGIN_PAGE, '/oauth/authorize/consent')).toThrow(/no form to/);
  });
});

describe('rememberCookies', () => {
  it('keeps a set cookie and forgets an emptied or expired one', () => {
    const jar = new Map<string, string>();
    rememberCookies(jar, ['a=1; Path=/; HttpOnly', 'b=x=y', 'c=3']);
    expect(Object.fromEntries(jar)).toEqual({ a: '1', b: 'x=y', c: '3' });
    rememberCookies(jar, ['a=; Path=/', 'c=3; Max-Age=0']);
    expect(Object.fromEntries(jar)).toEqual({ b: 'x=y' });
  });
});

describe('pkce', () => {
  it('makes a fresh 43-character verifier and a different challenge each time', () => {
    const [one, two] = [pkce(), pkce()];
    expect(one.verifier).toMatch(/^[\w-]{43}$/);
    expect(one.challenge).toMatch(/^[\w-]{43}$/);
    expect(one.challenge).not.toBe(one.verifier);
    expect(two.verifier).not.toBe(one.verifier);
  });
});

describe('signInAndConsent', () => {
  const user = { username: 'alice', password: 'pw' };

  it('signs in, follows the redirect to the consent page and posts the decision', async () => {
    const back = { status: 303, location: 'https://app.example/cb?code=c', body: '' };
    const { client, sent } = scripted([
      { status: 200, location: null, body: LOGIN_PAGE },
      { status: 303, location: '/oauth/authorize?again', body: '' },
      { status: 200, location: null, body: CONSENT_PAGE },
      back,
    ]);
    const steps = await signInAndConsent(client, '/oauth/authorize?x', user, 'deny');
    expect(steps.back).toBe(back);
    expect(sent).toEqual([
      { url: '/oauth/authorize?x' },
      {
        url: '/oauth/authorize/login',
        fields: { csrf_token: 't&1', request: `"a<b>'`, username: 'alice', password: 'pw' },
      },
      { url: '/oauth/authorize?again' },
      { url: '/oauth/authorize/consent', fields: { csrf_token: 'in', decision: 'deny' } },
    ]);
  });

  it('stops at a remembered consent: the redirect to the client is the answer, nothing is posted', async () => {
    const remembered = { status: 302, location: 'https://app.example/cb?code=c', body: '' };
    const { client, sent } = scripted([
      { status: 200, location: null, body: LOGIN_PAGE },
      { status: 303, location: '/oauth/authorize?again', body: '' },
      remembered,
    ]);
    const steps = await signInAndConsent(client, '/oauth/authorize?x', user);
    expect(steps.back).toBe(remembered);
    expect(steps.consent).toBe(remembered);
    expect(sent).toHaveLength(3);
  });
});
