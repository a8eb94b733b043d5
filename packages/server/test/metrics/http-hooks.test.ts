import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installHttpMetrics } from '../../src/http/metrics.js';
import { createMetrics } from '../../src/metrics/registry.js';

/** A bare app with the metrics hooks and three routes, one of them the token endpoint's path. */
async function app() {
  const metrics = createMetrics({ defaultMetrics: false });
  const made = Fastify();
  installHttpMetrics(made, metrics);
  await made.register(
    async (scope) => {
      scope.get('/users/:id', async () => ({ ok: true }));
    },
    { prefix: '/admin' },
  );
  made.post('/oauth/token', async (request, reply) => {
    const body = request.body as { fail?: string } | undefined;
    if (body?.fail) return reply.code(400).send({ error: body.fail });
    return { access_token: 'x' };
  });
  const metric = async (name: string) =>
    (await metrics.registry.getMetricsAsJSON()).find((family) => family.name === name);
  const counted = async (name: string) =>
    (await metric(name))?.values.map((value) => [value.labels, value.value]);
  return { made, counted, metrics: metric };
}

describe('installHttpMetrics', () => {
  it('counts each request once by its route pattern (a prefix included, HEAD apart), and the unmatched', async () => {
    const { made, counted, metrics } = await app();
    await made.inject({ method: 'GET', url: '/admin/users/alice' });
    await made.inject({ method: 'GET', url: '/admin/users/bob' });
    await made.inject({ method: 'HEAD', url: '/admin/users/bob' });
    await made.inject({ method: 'GET', url: '/nowhere' });
    expect(await counted('sesame_http_requests_total')).toEqual([
      [{ route: '/admin/users/:id', method: 'GET', status: '200' }, 2],
      [{ route: '/admin/users/:id', method: 'HEAD', status: '200' }, 1],
      [{ route: 'unmatched', method: 'GET', status: '404' }, 1],
    ]);
    const timed = (await metrics('sesame_http_request_duration_seconds'))?.values.filter(
      (value) =>
        (value as { metricName?: string }).metricName === 'sesame_http_request_duration_seconds_count',
    );
    expect(timed?.map((value) => [value.labels, value.value])).toEqual([
      [{ route: '/admin/users/:id', method: 'GET', status_class: '2xx' }, 2],
      [{ route: '/admin/users/:id', method: 'HEAD', status_class: '2xx' }, 1],
      [{ route: 'unmatched', method: 'GET', status_class: '4xx' }, 1],
    ]);
  });

  it("counts the token endpoint's errors by their code, and nothing for its successes", async () => {
    const { made, counted } = await app();
    await made.inject({ method: 'POST', url: '/oauth/token', payload: { fail: 'invalid_grant' } });
    await made.inject({ method: 'POST', url: '/oauth/token', payload: {} });
    expect(await counted('sesame_token_errors_total')).toEqual([[{ error: 'invalid_grant' }, 1]]);
    expect(await counted('sesame_http_requests_total')).toEqual([
      [{ route: '/oauth/token', method: 'POST', status: '400' }, 1],
      [{ route: '/oauth/token', method: 'POST', status: '200' }, 1],
    ]);
  });

  it('tells each scrape what was counted since the last, once: scraping twice counts nothing twice', async () => {
    const { made, counted } = await app();
    await made.inject({ method: 'GET', url: '/admin/users/alice' });
    await counted('sesame_http_requests_total');
    expect(await counted('sesame_http_requests_total')).toEqual([
      [{ route: '/admin/users/:id', method: 'GET', status: '200' }, 1],
    ]);
    await made.inject({ method: 'GET', url: '/admin/users/bob' });
    expect(await counted('sesame_http_requests_total')).toEqual([
      [{ route: '/admin/users/:id', method: 'GET', status: '200' }, 2],
    ]);
  });
});
