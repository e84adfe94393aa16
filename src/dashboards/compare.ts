/**
 * The Compare models dashboard: two or more components on the same axes, for serving speed,
 * errors, cost and every judge criterion with a confidence band, so a gap that is only noise
 * looks like noise.
 */
import { COMPONENT_VARIABLE } from './overview.js';
import {
  COMPONENT,
  GATEWAY,
  JUDGE_CRITERIA,
  QUALITY,
  QUALITY_EMPTY_HINT,
  errorRatePercent,
  meanScore,
  meanScoreBand,
  quantile,
  qualityThresholds,
  sumIncrease,
  sumRate,
} from './queries.js';
import type { DashboardDefinition, PanelDefinition, PanelQuery } from './types.js';

const RATE = '$__rate_interval';

function latencyPercentile(q: number, label: string): PanelQuery {
  return {
    refId: label,
    expr: quantile(q, 'llm_request_duration_seconds', GATEWAY, 'component', RATE),
    legend: `${label} {{component}}`,
  };
}

/** One criterion's mean score per component with its 95 % confidence band. */
function criterionPanel(criterion: string, index: number): PanelDefinition {
  return {
    id: `quality-${criterion}`,
    title: `${criterion[0]!.toUpperCase()}${criterion.slice(1)} score (mean, 95 % band)`,
    description:
      `Mean ${criterion} score per component with a 95 % confidence band ` +
      '(mean ± 1.96·sd/√n per window); overlapping bands mean the difference may be noise.',
    unit: 'ratio',
    queries: [
      { refId: 'mean', expr: meanScore(criterion, RATE), legend: '{{component}}' },
      {
        refId: 'lower',
        expr: meanScoreBand(criterion, RATE, 'lower'),
        legend: '{{component}}',
        band: { of: 'mean', edge: 'lower' },
      },
      {
        refId: 'upper',
        expr: meanScoreBand(criterion, RATE, 'upper'),
        legend: '{{component}}',
        band: { of: 'mean', edge: 'upper' },
      },
    ],
    layout: { x: (index % 2) * 12, y: 32 + Math.floor(index / 2) * 8, w: 12, h: 8 },
    thresholds: qualityThresholds(criterion, 'line'),
    emptyHint: QUALITY_EMPTY_HINT,
    yMin: 0,
    yMax: 1,
  };
}

/** The Compare models definition. */
export const compareDashboard: DashboardDefinition = {
  id: 'compare',
  title: 'Compare models',
  description: 'Selected components side by side on the same axes: speed, errors, cost, quality.',
  variables: [{ ...COMPONENT_VARIABLE }],
  defaultRange: '6h',
  emptyHint:
    'No traffic in this range: send requests through the gateway to the components you want to ' +
    'compare, or widen the time range.',
  panels: [
    {
      id: 'latency',
      title: 'Request latency p50 / p95 / p99',
      description: 'End-to-end latency percentiles at the gateway per component.',
      unit: 's',
      queries: [
        latencyPercentile(0.5, 'p50'),
        latencyPercentile(0.95, 'p95'),
        latencyPercentile(0.99, 'p99'),
      ],
      layout: { x: 0, y: 0, w: 12, h: 8 },
      yMin: 0,
    },
    {
      id: 'ttft',
      title: 'Time to first token p50 / p95',
      description: 'Time from request to first streamed token per component.',
      unit: 's',
      queries: [0.5, 0.95].map((q) => ({
        refId: `p${q * 100}`,
        expr: quantile(q, 'llm_time_to_first_token_seconds', GATEWAY, 'component', RATE),
        legend: `p${q * 100} {{component}}`,
      })),
      layout: { x: 12, y: 0, w: 12, h: 8 },
      yMin: 0,
    },
    {
      id: 'itl',
      title: 'Inter-token latency p50 / p95',
      description: 'Gap between streamed tokens per component.',
      unit: 's',
      queries: [0.5, 0.95].map((q) => ({
        refId: `p${q * 100}`,
        expr: quantile(q, 'llm_inter_token_latency_seconds', GATEWAY, 'component', RATE),
        legend: `p${q * 100} {{component}}`,
      })),
      layout: { x: 0, y: 8, w: 12, h: 8 },
      yMin: 0,
    },
    {
      id: 'tokens',
      title: 'Output tokens per second',
      description: 'Completion tokens produced per second per component.',
      unit: 'tokens/s',
      queries: [
        {
          refId: 'out',
          expr: sumRate('llm_output_tokens_total', GATEWAY, 'component', RATE),
          legend: '{{component}}',
        },
      ],
      layout: { x: 12, y: 8, w: 12, h: 8 },
      yMin: 0,
    },
    {
      id: 'error-rate',
      title: 'Error rate',
      description: 'Share of requests without a 2xx answer per component.',
      unit: '%',
      queries: [{ refId: 'A', expr: errorRatePercent(RATE), legend: '{{component}}' }],
      layout: { x: 0, y: 16, w: 12, h: 8 },
      yMin: 0,
    },
    {
      id: 'cost-per-1k-tokens',
      title: 'Cost per 1,000 output tokens',
      description: 'US dollars per 1,000 completion tokens per component.',
      unit: '$',
      queries: [
        {
          refId: 'A',
          expr: `max by (component) (llm_cost_dollars_per_1k_output_tokens{${COMPONENT}})`,
          legend: '{{component}}',
        },
      ],
      layout: { x: 12, y: 16, w: 12, h: 8 },
      yMin: 0,
    },
    {
      id: 'evaluations',
      title: 'Scored evaluations per window',
      description:
        'Evaluations scored per component and criterion in each rate window: the n behind ' +
        'each confidence band.',
      unit: 'evaluations',
      queries: [
        {
          refId: 'A',
          expr: sumIncrease(
            'llm_quality_evaluations_total',
            `${QUALITY},outcome="scored",criterion=~"${JUDGE_CRITERIA.join('|')}"`,
            'component, criterion',
            RATE,
          ),
          legend: '{{criterion}} {{component}}',
        },
      ],
      layout: { x: 0, y: 24, w: 24, h: 8 },
      emptyHint: QUALITY_EMPTY_HINT,
      yMin: 0,
    },
    ...JUDGE_CRITERIA.map((c, i) => criterionPanel(c, i)),
  ],
};
