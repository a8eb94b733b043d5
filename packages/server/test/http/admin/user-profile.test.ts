/** Profile claims over the admin API: POST and PATCH /admin/users take them, every user shows them. */
import { type AdminCall, adminApi, createTestApp, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let t: TestApp;
let send: AdminCall;
beforeAll(async () => {
  t = await createTestApp();
  send = await adminApi(t);
});
afterAll(async () => t.close());

describe('/admin/users profile claims', () => {
  it('creates a user with a profile, shows it, changes and removes claims', async () => {
    const created = await send('POST', '/admin/users', {
      username: 'dora',
      password: 'dora password 1',
      profile: {
        name: 'Dora Explorer',
        email: 'dora@example.com',
        email_verified: true,
        address: { locality: 'Lisbon', country: 'PT' },
      },
    });
    expect(created.statusCode).toBe(201);
    const { id, profile } = created.json();
    expect(profile).toEqual({
      name: 'Dora Explorer',
      email: 'dora@example.com',
      email_verified: true,
      address: { locality: 'Lisbon', country: 'PT' },
      updated_at: Math.floor(t.clock.now() / 1000),
    });
    expect((await send('GET', `/admin/users/${id}`)).json().profile).toEqual(profile);

    t.clock.advance(3000);
    const changed = await send('PATCH', `/admin/users/${id}`, {
      profile: { email: null, phone_number: '+351912345678', phone_number_verified: false },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().profile).toEqual({
      name: 'Dora Explorer',
      email_verified: true,
      address: { locality: 'Lisbon', country: 'PT' },
      phone_number: '+351912345678',
      phone_number_verified: false,
      updated_at: Math.floor(t.clock.now() / 1000),
    });
    const listed = (await send('GET', '/admin/users?limit=500')).json();
    expect(listed.find((user: { id: string }) => user.id === id).profile.phone_number).toBe('+351912345678');

    const events = await t.store.listAuditEvents({ type: 'admin.user.changed', limit: 10 });
    const event = events.find((e) => e.subject === id);
    expect(event?.details).toEqual({
      changed: ['profile'],
      claims: ['email', 'phone_number', 'phone_number_verified'],
    });
    expect(JSON.stringify(events)).not.toContain('351912345678');
  });

  it('a user without a profile shows an empty one', async () => {
    const created = await send('POST', '/admin/users', { username: 'eve', password: 'eve password 1' });
    expect(created.json().profile).toEqual({});
  });

  it.each([
    [{ email: 'not an email' }, 'the profile claim email must be an email address'],
    [{ email_verified: 'true' }, 'the profile claim email_verified must be true or false'],
    [{ name: 42 }, 'the profile claim name must be text'],
    [{ favourite_colour: 'blue' }, 'the profile claim favourite_colour is not known'],
    [{ updated_at: 1 }, 'the profile claim updated_at is set by Sesame'],
    [{ address: { planet: 'Mars' } }, 'the profile claim address.planet is not known'],
  ])('refuses %j with 400 invalid_request naming the claim', async (profile, description) => {
    for (const [method, url, body] of [
      ['POST', '/admin/users', { username: 'frank', password: 'frank password 1', profile }],
      ['PATCH', `/admin/users/${t.aliceId}`, { profile }],
    ] as const) {
      const response = await send(method, url, body);
      expect(response.statusCode, method).toBe(400);
      expect(response.json(), method).toEqual({ error: 'invalid_request', error_description: description });
    }
    expect((await send('GET', `/admin/users/${t.aliceId}`)).json().profile).toEqual({});
  });

  it('refuses a profile that is not an object', async () => {
    const response = await send('PATCH', `/admin/users/${t.aliceId}`, { profile: ['name'] });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_request');
  });
});
