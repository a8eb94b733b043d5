import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '@sesame/testkit';
import { describe, expect, it } from 'vitest';
import { type Dashboard, dashboardMetrics, readDashboard, unknownMetrics } from './dashboard.js';

// Every metric a query of the dashboard uses exists in a real scrape: metrics.process.test.ts.
describe('docs/grafana-dashboard.json', () => {
  it('is JSON, a dashboard whose every panel queries something', () => {
    const dashboard = readDashboard();
    expect(dashboard.title).toBe('Sesame');
    expect(dashboard.uid).toMatch(/^[\w-]{1,40}$/);
    const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
    expect(panels.length).toBeGreaterThan(10);
    for (const panel of panels) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets!) expect(target.expr, panel.title).toMatch(/\bsesame_/);
    }
  });

  it('queries only metrics docs/operations.md documents', () => {
    const operations = readFileSync(`${REPO_ROOT}docs/operations.md`, 'utf8');
    const documented = new Set(operations.match(/\bsesame_[a-z0-9_]+/g));
    // The default metrics are documented by their prefix and their main names.
    expect(unknownMetrics(readDashboard(), documented)).toEqual([]);
  });

  it('finds a metric that does not exist (the check fails when it should)', () => {
    const dashboard: Dashboard = {
      title: 'x',
      uid: 'x',
      panels: [
        { type: 'timeseries', title: 'a', targets: [{ expr: 'rate(sesame_http_requests_total[5m])' }] },
        {
          type: 'timeseries',
          title: 'b',
          targets: [{ expr: 'histogram_quantile(0.9, sesame_made_up_seconds_bucket)' }],
        },
        {
          type: 'timeseries',
          title: 'c',
          targets: [{ expr: 'sum(sesame_http_request_duration_seconds_bucket)' }],
        },
      ],
    };
    expect(dashboardMetrics(dashboard)).toEqual([
      'sesame_http_request_duration_seconds_bucket',
      'sesame_http_requests_total',
      'sesame_made_up_seconds_bucket',
    ]);
    const known = new Set(['sesame_http_requests_total', 'sesame_http_request_duration_seconds']);
    expect(unknownMetrics(dashboard, known)).toEqual(['sesame_made_up_seconds_bucket']);
  });
});
