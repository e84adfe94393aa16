/**
 * The Quality dashboard: the judge's four scores per component over time against the default
 * alert thresholds, how many evaluations each window holds, and the judge's own latency and cost.
 */
import { COMPONENT_VARIABLE } from './overview.js';
import {
  JUDGE_CRITERIA,
  QUALITY,
  QUALITY_EMPTY_HINT,
  meanScore,
  quantile,
  qualityThresholds,
  sumIncrease,
} from './queries.js';
import type { DashboardDefinition, PanelDefinition } from './types.js';

const RATE = '$__rate_interval';
const DETERMINISTIC = 'source="quality",judge=~"det:.*",component=~"$component"';

function scorePanel(criterion: string, index: number): PanelDefinition {
  const title = `${criterion[0]!.toUpperCase()}${criterion.slice(1)} score`;
  return {
    id: `score-${criterion}`,
    title,
    description:
      `Mean ${criterion} score per component per window (1 = good); the red band is below ` +
      'the default alert threshold.',
    unit: 'ratio',
    queries: [{ refId: 'A', expr: meanScore(criterion, RATE), legend: '{{component}}' }],
    thresholds: qualityThresholds(criterion, 'area'),
    emptyHint:
      `No ${criterion} scores in this range: ${criterion} comes from the LLM judge; set ` +
      'quality.judge in llmwatch.yaml (the deterministic checks below need no judge).',
    layout: { x: (index % 2) * 12, y: Math.floor(index / 2) * 8, w: 12, h: 8 },
    yMin: 0,
    yMax: 1,
  };
}

/** The Quality definition. */
export const qualityDashboard: DashboardDefinition = {
  id: 'quality',
  title: 'Quality',
  description: 'Judge scores per component over time, evaluation counts, judge latency and cost.',
  variables: [{ ...COMPONENT_VARIABLE }],
  defaultRange: '24h',
  emptyHint: QUALITY_EMPTY_HINT,
  panels: [
    ...JUDGE_CRITERIA.map((c, i) => scorePanel(c, i)),
    {
      id: 'evaluations',
      title: 'Evaluations per window',
      description:
        'Evaluations per component and outcome in each window; unparsable, refused and error ' +
        'outcomes are judge failures, never scores.',
      unit: 'evaluations',
      queries: [
        {
          refId: 'A',
          expr: sumIncrease('llm_quality_evaluations_total', QUALITY, 'component, outcome', RATE),
          legend: '{{outcome}} {{component}}',
        },
      ],
      layout: { x: 0, y: 16, w: 24, h: 8 },
      yMin: 0,
    },
    {
      id: 'judge-latency',
      title: 'Judge latency p95',
      description: 'Time the judge took per evaluation, 95th percentile per judge.',
      unit: 's',
      queries: [
        {
          refId: 'A',
          expr: quantile(0.95, 'llm_quality_evaluation_duration_seconds', QUALITY, 'judge', RATE),
          legend: '{{judge}}',
        },
      ],
      layout: { x: 0, y: 24, w: 12, h: 8 },
      yMin: 0,
    },
    {
      id: 'judge-cost',
      title: 'Judge cost per hour',
      description: 'Spend on the LLM judge, US dollars per hour per judge.',
      unit: '$/h',
      queries: [
        {
          refId: 'A',
          expr: `3600 * sum by (judge) (rate(llm_judge_cost_dollars_total[${RATE}]))`,
          legend: '{{judge}}',
        },
      ],
      layout: { x: 12, y: 24, w: 12, h: 8 },
      emptyHint:
        'No judge cost in this range: only LLM judges with token prices (quality.judge) ' +
        'report cost; deterministic evaluators are free.',
      yMin: 0,
    },
    {
      id: 'deterministic',
      title: 'Deterministic checks',
      description:
        'Mean score of the model-free evaluators (toxicity lexicon, refusal, PII leak, ' +
        'completeness, format, regex rules) per component and criterion; 1 = no problem found.',
      unit: 'ratio',
      queries: [
        {
          refId: 'A',
          expr:
            `sum by (component, criterion) (rate(llm_quality_score_sum{${DETERMINISTIC}}[${RATE}]))` +
            ` / sum by (component, criterion) (rate(llm_quality_score_count{${DETERMINISTIC}}[${RATE}]))`,
          legend: '{{criterion}} {{component}}',
        },
      ],
      layout: { x: 0, y: 32, w: 24, h: 8 },
      emptyHint:
        'No deterministic scores in this range: they run on sampled gateway traffic ' +
        '(quality.sampling.rate) and on pairs posted to /api/llmwatch/pairs.',
      yMin: 0,
      yMax: 1,
    },
  ],
};
