import { describe, expect, it } from 'vitest';
import { createMetrics, MAX_CLIENT_LABELS, type MetricsSources } from '../../src/metrics/registry.js';

async function values(metrics: ReturnType<typeof createMetrics>) {
  return (await metrics.registry.getMetricsAsJSON()).flatMap((metric) =>
    metric.values.map((value) => ({
      name: (value as { metricName?: string }).metricName ?? metric.name,
      labels: value.labels,
      value: value.value,
    })),
  );
}

const sources = (overrides: Partial<MetricsSources> = {}): MetricsSources => ({
  keys: {
    list: () =>
      [
        {
          kid: 'k1',
          alg: 'ES256',
          state: 'current',
          createdAt: 1_000,
          activatedAt: 11_000,
          retiredAt: null,
          expiresAt: null,
        },
        {
          kid: 'k2',
          alg: 'ES256',
          state: 'next',
          createdAt: 11_000,
          activatedAt: null,
          retiredAt: null,
          expiresAt: null,
        },
      ] as never,
  },
  health: { ping: async () => undefined, dependencies: () => ({ redis: 'unavailable' }) },
  revocationFeed: { stats: () => ({ subscribers: 3, live: 3, pollReads: 0 }) },
  keyRotationPeriodMs: 60_000,
  now: () => 41_000,
  ...overrides,
});

describe('createMetrics', () => {
  it('labels requests by route pattern, a known method and the status; an unmatched route is `unmatched`', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.request('/admin/users/:id', 'GET', 200, 0.01);
    metrics.request(undefined, 'GET', 404, 0.001);
    metrics.request(undefined, 'BREW', 404, 0.001);
    const all = await values(metrics);
    const requests = all.filter((v) => v.name === 'sesame_http_requests_total');
    expect(requests.map((v) => v.labels)).toEqual([
      { route: '/admin/users/:id', method: 'GET', status: '200' },
      { route: 'unmatched', method: 'GET', status: '404' },
      { route: 'unmatched', method: 'other', status: '404' },
    ]);
    expect(all.find((v) => v.name === 'sesame_http_request_duration_seconds_count')?.labels).toMatchObject({
      status_class: '2xx',
    });
  });

  it('counts audit types, tokens by grant and client, refresh rotations; anything not shaped like code is `other`', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.audited({ type: 'login.failed', actor: 'alice' });
    metrics.audited({ type: 'token.issued', clientId: 'app', details: { grant_type: 'refresh_token' } });
    metrics.audited({ type: 'token.issued', clientId: 'svc', details: { grant_type: 'client_credentials' } });
    metrics.audited({ type: 'Robert"); DROP', actor: 'x' });
    metrics.tokenError('invalid_grant');
    metrics.tokenError('<script>');
    const all = await values(metrics);
    const of = (name: string) => all.filter((v) => v.name === name).map((v) => [v.labels, v.value]);
    expect(of('sesame_audit_events_total')).toEqual([
      [{ type: 'login.failed' }, 1],
      [{ type: 'token.issued' }, 2],
      [{ type: 'other' }, 1],
    ]);
    expect(of('sesame_tokens_issued_total')).toEqual([
      [{ grant_type: 'refresh_token', client_id: 'app' }, 1],
      [{ grant_type: 'client_credentials', client_id: 'svc' }, 1],
    ]);
    expect(of('sesame_refresh_rotations_total')).toEqual([[{}, 1]]);
    expect(of('sesame_token_errors_total')).toEqual([
      [{ error: 'invalid_grant' }, 1],
      [{ error: 'other' }, 1],
    ]);
    expect(JSON.stringify(all)).not.toContain('alice');
  });

  it('labels at most MAX_CLIENT_LABELS client ids; tokens of any further client count under other', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const issue = (clientId: string) =>
      metrics.audited({ type: 'token.issued', clientId, details: { grant_type: 'client_credentials' } });
    for (let i = 0; i < MAX_CLIENT_LABELS + 20; i++) issue(`registered-${i}`);
    issue('registered-0');
    issue('registered-9999');
    const issued = (await values(metrics)).filter((v) => v.name === 'sesame_tokens_issued_total');
    expect(issued).toHaveLength(MAX_CLIENT_LABELS + 1);
    const of = (id: string) => issued.find((v) => v.labels.client_id === id)?.value;
    expect(of('registered-0')).toBe(2);
    expect(of('other')).toBe(21);
  });

  it('reads the gauges at scrape time from its sources, and none before it has them', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const before = await values(metrics);
    expect(
      before.filter((v) => v.name.startsWith('sesame_store') || v.name.startsWith('sesame_signing')),
    ).toEqual([]);
    metrics.observe(sources());
    const all = await values(metrics);
    const one = (name: string) => all.find((v) => v.name === name);
    expect(one('sesame_revocation_feed_subscribers')?.value).toBe(3);
    expect(one('sesame_signing_key_age_seconds')).toMatchObject({ labels: { alg: 'ES256' }, value: 30 });
    expect(one('sesame_signing_key_next_rotation_seconds')?.value).toBe(30);
    expect(one('sesame_store_up')?.value).toBe(1);
    expect(one('sesame_dependency_up')).toMatchObject({ labels: { dependency: 'redis' }, value: 0 });
  });

  it('reports a store whose ping fails as down', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.observe(
      sources({
        health: { ping: async () => Promise.reject(new Error('down')), dependencies: () => undefined },
      }),
    );
    const all = await values(metrics);
    expect(all.find((v) => v.name === 'sesame_store_up')?.value).toBe(0);
    expect(all.some((v) => v.name === 'sesame_dependency_up')).toBe(false);
  });
});
