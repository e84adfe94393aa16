/**
 * The Samples and Alerts dashboards: lists read from llmwatch's own JSON APIs rather than
 * PromQL (lowest-scoring evaluations with the judge's reasons; firing alerts and silences).
 */
import { COMPONENT_VARIABLE } from './overview.js';
import { QUALITY_EMPTY_HINT } from './queries.js';
import type { DashboardDefinition } from './types.js';

/** The Samples definition: GET /api/llmwatch/evaluations?sort=score. */
export const samplesDashboard: DashboardDefinition = {
  id: 'samples',
  title: 'Samples',
  description: "The lowest-scoring sampled responses in the range, with the judge's reasons.",
  variables: [{ ...COMPONENT_VARIABLE }],
  defaultRange: '24h',
  emptyHint: QUALITY_EMPTY_HINT,
  panels: [
    {
      id: 'lowest-scores',
      type: 'evaluations',
      title: 'Lowest-scoring responses',
      description:
        "Scored evaluations, lowest score first, with the judge's reasoning and the redacted " +
        'request and response.',
      unit: 'ratio',
      queries: [],
      limit: 50,
      layout: { x: 0, y: 0, w: 24, h: 24 },
    },
  ],
};

/** The Alerts definition: GET /api/llmwatch/alerts and GET /api/llmwatch/silences. */
export const alertsDashboard: DashboardDefinition = {
  id: 'alerts',
  title: 'Alerts',
  description: 'Active alerts with when they started, and the silences in place.',
  variables: [{ ...COMPONENT_VARIABLE }],
  defaultRange: '24h',
  emptyHint: 'No alerts are active. Alert rules are set in llmwatch.yaml (alerting.rules).',
  panels: [
    {
      id: 'active-alerts',
      type: 'alerts',
      title: 'Active alerts',
      description: 'Firing and pending alerts, firing first, oldest first.',
      unit: 'alerts',
      queries: [],
      layout: { x: 0, y: 0, w: 24, h: 14 },
    },
    {
      id: 'silences',
      type: 'silences',
      title: 'Silences',
      description: 'Silences that mute matching alerts until they end.',
      unit: 'alerts',
      queries: [],
      layout: { x: 0, y: 14, w: 24, h: 14 },
      emptyHint: 'No silences. Create one with the form below.',
    },
  ],
};
