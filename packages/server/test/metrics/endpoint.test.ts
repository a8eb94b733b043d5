import { afterEach, describe, expect, it } from 'vitest';
import { listenMetrics, type MetricsEndpoint } from '../../src/metrics/endpoint.js';

const TOKEN = 'a-metrics-token-of-24-chars';
let endpoint: MetricsEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

const body = { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'sesame_up 1\n' };

async function open(token: string, render = async () => body) {
  endpoint = await listenMetrics({ host: '127.0.0.1', port: 0, token, render });
  return (path: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${endpoint!.port}${path}`, init);
}

describe('the metrics port', () => {
  it('answers /metrics only, to GET and HEAD', async () => {
    const get = await open('');
    const ok = await get('/metrics');
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('sesame_up 1\n');
    expect(ok.headers.get('content-type')).toBe(body.contentType);
    expect((await get('/metrics?x=1')).status).toBe(200);
    expect((await get('/metrics', { method: 'HEAD' })).status).toBe(200);
    for (const path of ['/', '/metrics/', '/Metrics', '/healthz', '/oauth/token']) {
      expect((await get(path)).status, path).toBe(404);
    }
    const post = await get('/metrics', { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('with a token, needs exactly that bearer token', async () => {
    const get = await open(TOKEN);
    const as = (authorization: string) => get('/metrics', { headers: { authorization } });
    const none = await get('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect(await none.text()).not.toContain('sesame_up');
    for (const wrong of [
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(1)}`,
      'Bearer',
      `Basic ${TOKEN}`,
      `Bearer  ${TOKEN} x`,
    ]) {
      expect((await as(wrong)).status, wrong).toBe(401);
    }
    expect((await as(`Bearer ${TOKEN}`)).status).toBe(200);
    expect((await as(`bearer ${TOKEN}`)).status).toBe(200); // the scheme is case-insensitive (RFC 9110 §11.1)
  });

  it('answers 503 when the metrics cannot be gathered (a worker that does not answer)', async () => {
    const get = await open('', async () => {
      throw new Error('Operation timed out.');
    });
    const answer = await get('/metrics');
    expect(answer.status).toBe(503);
    expect(await answer.text()).not.toMatch(/timed out|Error/);
  });

  it('rejects a port in use, and closes', async () => {
    await open('');
    await expect(
      listenMetrics({ host: '127.0.0.1', port: endpoint!.port, token: '', render: async () => body }),
    ).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    const port = endpoint!.port;
    await endpoint!.close();
    endpoint = undefined;
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });
});
