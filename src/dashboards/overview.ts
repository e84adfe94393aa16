/**
 * The Overview dashboard: one table row per component with its traffic, errors, latency, GPU
 * use, cost, quality and firing alerts over the selected range, worst health first.
 */
import {
  COMPONENT,
  GATEWAY,
  errorRatePercent,
  meanScore,
  quantile,
  qualityThresholds,
  sumRate,
} from './queries.js';
import type { DashboardDefinition } from './types.js';

/** The component filter every built-in dashboard offers. */
export const COMPONENT_VARIABLE = {
  name: 'component',
  label: 'Components',
  optionsFrom: 'components',
  allValue: '.*',
} as const;

/**
 * The Overview definition. Values are averages over the whole selected range (`$__range`),
 * except GPU % and cost per hour, which are the latest recorded values.
 * Limitation: a component with no gateway traffic in the range still gets a row when any other
 * column has a value for it, with "—" in the traffic columns.
 */
export const overviewDashboard: DashboardDefinition = {
  id: 'overview',
  title: 'Overview',
  description: 'Health of every component at a glance, worst first.',
  variables: [{ ...COMPONENT_VARIABLE }],
  defaultRange: '1h',
  emptyHint:
    'No components reported anything in this range: send traffic through the gateway ' +
    '(/v1/chat/completions), add scrape targets, or widen the time range.',
  panels: [
    {
      id: 'components',
      type: 'table',
      title: 'Components by health',
      description:
        'One row per component over the selected range; red and yellow cells are past their ' +
        'thresholds, and the least healthy components come first.',
      unit: 'req/s',
      rowLabel: 'component',
      layout: { x: 0, y: 0, w: 24, h: 14 },
      queries: [
        {
          refId: 'traffic',
          title: 'Traffic (range avg)',
          unit: 'req/s',
          expr: sumRate('llm_requests_total', GATEWAY, 'component', '$__range'),
          legend: '{{component}}',
        },
        {
          refId: 'errors',
          title: 'Error rate',
          unit: '%',
          expr: errorRatePercent('$__range'),
          legend: '{{component}}',
          thresholds: {
            base: 'green',
            steps: [
              { value: 1, color: 'yellow' },
              { value: 5, color: 'red' },
            ],
          },
        },
        {
          refId: 'latency',
          title: 'p95 latency',
          unit: 's',
          expr: quantile(0.95, 'llm_request_duration_seconds', GATEWAY, 'component', '$__range'),
          legend: '{{component}}',
          thresholds: {
            base: 'green',
            steps: [
              { value: 10, color: 'yellow' },
              { value: 20, color: 'red' },
            ],
          },
        },
        {
          refId: 'ttft',
          title: 'p95 TTFT',
          unit: 's',
          expr: quantile(0.95, 'llm_time_to_first_token_seconds', GATEWAY, 'component', '$__range'),
          legend: '{{component}}',
          thresholds: {
            base: 'green',
            steps: [
              { value: 1, color: 'yellow' },
              { value: 2, color: 'red' },
            ],
          },
        },
        {
          refId: 'gpu',
          title: 'GPU',
          unit: '%',
          expr: `100 * max by (component) (llm_gpu_utilization_ratio{${COMPONENT}})`,
          legend: '{{component}}',
        },
        {
          refId: 'cost',
          title: 'Cost',
          unit: '$/h',
          expr: `sum by (component) (llm_cost_dollars_per_hour{${COMPONENT}})`,
          legend: '{{component}}',
        },
        {
          refId: 'quality',
          title: 'Composite quality',
          unit: 'ratio',
          expr: meanScore('composite', '$__range'),
          legend: '{{component}}',
          thresholds: qualityThresholds('composite'),
        },
        {
          refId: 'alerts',
          title: 'Firing alerts',
          unit: 'alerts',
          from: 'alerts',
          expr: `count by (component) (ALERTS{alertstate="firing",${COMPONENT}})`,
          legend: '{{component}}',
          thresholds: { base: 'green', steps: [{ value: 1, color: 'red' }] },
        },
      ],
    },
  ],
};
