/**
 * The metric names a Grafana dashboard's queries use (docs/grafana-dashboard.json): what the
 * dashboard tests hold against the documented metrics and a real scrape.
 */
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '@sesame/testkit';

export interface Dashboard {
  title: string;
  uid: string;
  panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }>;
  templating?: { list: Array<{ definition?: string }> };
}

/** docs/grafana-dashboard.json, parsed. */
export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(`${REPO_ROOT}docs/grafana-dashboard.json`, 'utf8')) as Dashboard;
}

/**
 * Every `sesame_…` name in the queries (panels and template variables), once each.
 *
 * @example dashboardMetrics(readDashboard()) // ['sesame_store_up', ...]
 */
export function dashboardMetrics(dashboard: Dashboard): string[] {
  const queries = [
    ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
    ...(dashboard.templating?.list ?? []).map((variable) => variable.definition ?? ''),
  ];
  return [...new Set(queries.flatMap((query) => query.match(/\bsesame_[a-z0-9_]+/g) ?? []))].sort();
}

/**
 * The names of `dashboard` that are not in `known` (a scrape's sample and family names): a
 * histogram's `_bucket`/`_sum`/`_count` belong to its family.
 *
 * @example unknownMetrics(dashboard, new Set(['sesame_store_up'])) // the others
 */
export function unknownMetrics(dashboard: Dashboard, known: ReadonlySet<string>): string[] {
  return dashboardMetrics(dashboard).filter(
    (name) => !known.has(name) && !known.has(name.replace(/_(bucket|sum|count)$/, '')),
  );
}
