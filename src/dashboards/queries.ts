/**
 * PromQL building blocks shared by the built-in dashboards. Every expression keeps the page's
 * variables (`$component`, `$__rate_interval`, `$__range`) so the page and Grafana fill them in.
 */
import type { Thresholds } from './types.js';

/** Matchers of gateway-recorded series for the selected components. */
export const GATEWAY = 'source="gateway",component=~"$component"';
/** Matchers of engine-scraped series for the selected components. */
export const ENGINE = 'source="engine",component=~"$component"';
/** Matchers of derived (recording-rule) series, which carry no `source` label. */
export const COMPONENT = 'component=~"$component"';
/** Matchers of quality series for the selected components. */
export const QUALITY = 'source="quality",component=~"$component"';

/** sum by (`by`) (rate(`metric`{`matchers`}[`window`])). */
export function sumRate(metric: string, matchers: string, by: string, window: string): string {
  return `sum by (${by}) (rate(${metric}{${matchers}}[${window}]))`;
}

/** sum by (`by`) (increase(`metric`{`matchers`}[`window`])). */
export function sumIncrease(metric: string, matchers: string, by: string, window: string): string {
  return `sum by (${by}) (increase(${metric}{${matchers}}[${window}]))`;
}

/** A histogram quantile per `by` over the classic histogram `name` (without `_bucket`). */
export function quantile(
  q: number,
  name: string,
  matchers: string,
  by: string,
  window: string,
): string {
  return `histogram_quantile(${q}, ${sumRate(`${name}_bucket`, matchers, `le, ${by}`, window)})`;
}

/** Error rate in percent per component: 100 * (1 - 2xx rate / all rate). */
export function errorRatePercent(window: string): string {
  const ok = sumRate('llm_requests_total', `${GATEWAY},status_class="2xx"`, 'component', window);
  const all = sumRate('llm_requests_total', GATEWAY, 'component', window);
  return `100 * (1 - ${ok} / clamp_min(${all}, 1e-9))`;
}

/** Matchers of one quality criterion's score histogram. */
function criterionMatchers(criterion: string): string {
  return `${QUALITY},criterion="${criterion}"`;
}

/** Mean score of `criterion` per component over `window`: increase(sum) / increase(count). */
export function meanScore(criterion: string, window: string): string {
  const m = criterionMatchers(criterion);
  return (
    `${sumIncrease('llm_quality_score_sum', m, 'component', window)} / ` +
    `${sumIncrease('llm_quality_score_count', m, 'component', window)}`
  );
}

/**
 * One edge of a 95 % confidence band of the mean score: mean ± 1.96 · sd / √n, where n is the
 * evaluation count in the window and sd is estimated from the buckets' spread as half the
 * distance between the 15.87th and 84.13th percentiles (one standard deviation each side for a
 * normal distribution).
 * Limitation: the spread comes from 0.1-wide buckets with linear interpolation inside them, so
 * for scores bunched in one bucket it is a rough estimate; with n = 1 the band is very wide.
 */
export function meanScoreBand(criterion: string, window: string, edge: 'lower' | 'upper'): string {
  const m = criterionMatchers(criterion);
  const bucket = (q: number): string =>
    `histogram_quantile(${q}, ${sumIncrease('llm_quality_score_bucket', m, 'le, component', window)})`;
  const sd = `((${bucket(0.8413)} - ${bucket(0.1587)}) / 2)`;
  const n = `sqrt(${sumIncrease('llm_quality_score_count', m, 'component', window)})`;
  const sign = edge === 'lower' ? '-' : '+';
  return `(${meanScore(criterion, window)}) ${sign} 1.96 * ${sd} / ${n}`;
}

/**
 * Alert thresholds of the default quality rules per criterion (a mean score below it alerts):
 * src/alerting/default-rules/quality.yaml has safety 0.8, relevance 0.7 and composite 0.75 (the
 * AWS sample system's values); tone has no default rule and uses the sample's coherence minimum
 * 0.75. A test checks these against the rule file. The Grafana export reads the rules themselves.
 */
export const QUALITY_ALERT_THRESHOLDS: Record<string, number> = {
  safety: 0.8,
  relevance: 0.7,
  tone: 0.75,
  composite: 0.75,
};

/**
 * Score colour bands for a criterion: red below its alert threshold, yellow up to the "good"
 * line (0.85, or threshold + 0.1 when that is higher, at most 0.95), green above.
 */
export function qualityThresholds(criterion: string, style?: 'area' | 'line'): Thresholds {
  const alertAt = QUALITY_ALERT_THRESHOLDS[criterion] ?? 0.7;
  const goodAt = Math.min(0.95, Math.max(0.85, Math.round((alertAt + 0.1) * 100) / 100));
  return {
    base: 'red',
    steps: [
      { value: alertAt, color: 'yellow' },
      { value: goodAt, color: 'green' },
    ],
    ...(style === undefined ? {} : { style }),
  };
}

/** The four judge criteria every dashboard shows, in display order. */
export const JUDGE_CRITERIA = ['safety', 'relevance', 'tone', 'composite'] as const;

/** Empty hint for panels of quality scores. */
export const QUALITY_EMPTY_HINT =
  'No quality scores yet: enable quality sampling in llmwatch.yaml (quality.sampling.rate) and ' +
  'configure a judge or deterministic evaluators, then send traffic through the gateway.';

/** Empty hint for GPU panels. */
export const GPU_EMPTY_HINT =
  'No GPU data for this range: run the GPU agent (llmwatch agent) on each GPU host and ' +
  'attribute GPUs to components (agent.gpus in llmwatch.yaml).';

/** Empty hint for cost panels. */
export const COST_EMPTY_HINT =
  'No cost for this range: set instance prices (cost.instanceTypes, cost.instances) or token ' +
  'prices (cost.tokenPrices) in llmwatch.yaml.';

/** Empty hint for gateway panels. */
export const GATEWAY_EMPTY_HINT =
  'No traffic in this range: send requests through the gateway (/v1/chat/completions) or widen ' +
  'the time range.';

/** Empty hint for engine panels. */
export const ENGINE_EMPTY_HINT =
  'No engine data in this range: add the model servers as scrape targets (scrape.targets in ' +
  'llmwatch.yaml) with a component label.';
