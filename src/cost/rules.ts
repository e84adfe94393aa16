/**
 * Cost and capacity as recording rules. Where: the cost recorder (recorder.ts) evaluates these
 * every `cost.intervalSeconds` (default 30 s). Why: the joins (GPU → component, host → instance
 * type → price) are too costly to repeat on every dashboard refresh and alert evaluation, and the
 * recorded series are plain PromQL series that Grafana and Prometheus's API see like any other.
 *
 * How the price table reaches PromQL: at each tick the recorder writes the configured prices as
 * info-like series (see prices.ts), and the rules join them with the agent's series:
 *   instance --host_info{instance_type} (or cost.instances)--> instance_type
 *   instance_type --llm_instance_price_dollars_per_hour / llm_instance_gpus--> $/GPU/h
 *   gpu_allocated{instance, gpu, component} × $/GPU/h of its instance --sum by component--> $/h
 * Token prices are written into the rules' text (one term per priced component or model).
 *
 * Every rule reads only raw and price series, never another rule's output, so one tick is
 * complete on its own whatever the order and whatever the sink's write delay.
 */
import type { RecordingRule } from '../rules/index.js';
import type { CostConfig, TokenPrice } from './config.js';

/** The derived series this module records, by role. */
export const COST_SERIES = {
  /** $/h per GPU of each host: {instance, instance_type}. */
  instanceGpuPrice: 'llm_instance_gpu_price_dollars_per_hour',
  /** GPUs allocated per component (a GPU shared by N components counts 1/N): {component}. */
  gpusAllocated: 'llm_gpus_allocated',
  /** Allocated GPUs on hosts with no known price (their cost is missing): {component}. */
  gpusUnpriced: 'llm_gpus_unpriced',
  /** Hosts a component has GPUs on: {component}. */
  instancesAllocated: 'llm_instances_allocated',
  /** Cluster-wide GPUs allocated to any component (no labels). */
  gpusUsed: 'llm_gpus_used',
  /** Cluster-wide GPUs allocated to nothing (no labels). */
  gpusFree: 'llm_gpus_free',
  /** Cluster-wide hosts seen by host_info, gpu_allocated or gpu_free (no labels). */
  instances: 'llm_instances',
  /** Mean GPU utilisation (0..1) over a component's GPUs: {component}. */
  gpuUtilization: 'llm_gpu_utilization_ratio',
  /** GPU memory used / total (0..1) over a component's GPUs: {component}. */
  gpuMemoryUsage: 'llm_gpu_memory_usage_ratio',
  /** GPU allocation cost, $/h: {component}. */
  gpuCost: 'llm_gpu_cost_dollars_per_hour',
  /** Token cost of API-served models at the current rate, $/h: {component}. */
  tokenCost: 'llm_token_cost_dollars_per_hour',
  /** Total cost, GPU plus token, $/h: {component}. */
  cost: 'llm_cost_dollars_per_hour',
  /** Total cost per 1,000 output tokens at the current rates, $: {component}. */
  costPer1kOutputTokens: 'llm_cost_dollars_per_1k_output_tokens',
} as const;

/** Quotes a label value as a PromQL string. */
function quote(value: string): string {
  return JSON.stringify(value);
}

/** An anchored-regex alternation matching exactly `values`, quoted for PromQL. */
function alternation(values: readonly string[]): string {
  return quote(values.map((v) => v.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'));
}

/** One GPU per (component, instance, gpu), whatever the number of copies or sources. */
const ALLOCATED = 'max by (component, instance, gpu) (gpu_allocated{component!=""})';
/** Each component's share of each GPU it uses: 1 / number of components on that GPU. */
const SHARE = `(${ALLOCATED} / on (instance, gpu) group_left () count by (instance, gpu) (${ALLOCATED}))`;
/** GPUs in use, once each. */
const USED = 'max by (instance, gpu) (gpu_allocated{component!=""})';
/** GPUs reported free and not also allocated. */
const FREE = `(max by (instance, gpu) (gpu_free) unless on (instance, gpu) ${USED})`;
/**
 * One instance type per host: the agent's host_info when it reports one, else cost.instances.
 * topk keeps one series per host should a host report two types within the lookback.
 */
const INSTANCE_TYPE =
  'topk by (instance) (1, max by (instance, instance_type) (host_info{instance_type!=""}) ' +
  'or on (instance) max by (instance, instance_type) (llm_instance_type_configured))';
/** $/h per GPU of each host: {instance, instance_type}. */
const PRICE_PER_GPU =
  `(${INSTANCE_TYPE} * on (instance_type) group_left () ` +
  '(llm_instance_price_dollars_per_hour / on (instance_type) llm_instance_gpus))';
/** GPU cost terms, $/h, one per (component, instance, gpu). */
const GPU_TERMS = `(${SHARE} * on (instance) group_left () ${PRICE_PER_GPU})`;

/** One value per attributed GPU of `metric` (copies and sources of the same GPU collapsed). */
function perGpu(metric: string): string {
  return `max by (component, instance, gpu) (${metric}{component!=""})`;
}

/** One priced token term, labelled with its kind so `or` keeps the terms apart. */
function tokenTerm(kind: string, metric: string, selector: string, window: string, price: string) {
  return (
    `label_replace(rate(${metric}{${selector}}[${window}]) * 3600 * ${price} / 1000000, ` +
    `"token_kind", "${kind}", "", "")`
  );
}

/** The token terms of one priced selector: input, cached-input discount, output. */
function tokenTerms(selector: string, price: TokenPrice, window: string): string[] {
  const terms = [
    tokenTerm(
      'input',
      'llm_input_tokens_total',
      selector,
      window,
      String(price.inputDollarsPerMillion),
    ),
    tokenTerm(
      'output',
      'llm_output_tokens_total',
      selector,
      window,
      String(price.outputDollarsPerMillion),
    ),
  ];
  const cached = price.cachedInputDollarsPerMillion;
  if (cached !== undefined && cached !== price.inputDollarsPerMillion) {
    // Cached tokens are already priced as input; add the difference between the two prices.
    const delta = `(${cached} - ${price.inputDollarsPerMillion})`;
    terms.push(tokenTerm('cached_input', 'llm_cached_input_tokens_total', selector, window, delta));
  }
  return terms;
}

/**
 * The token cost terms ($/h, one per priced series and token kind), or null without token
 * prices. Component prices
 * cover all of a component's traffic; model prices cover the other components' traffic.
 * Limitation: counts only gateway-recorded tokens (`source="gateway"`); traffic that bypasses
 * the gateway has no token cost.
 */
export function tokenCostTerms(cost: CostConfig): string | null {
  const window = `${cost.tokenRateWindowSeconds}s`;
  const components = Object.keys(cost.tokenPrices.components).sort();
  const terms: string[] = [];
  for (const component of components) {
    const selector = `source="gateway",component=${quote(component)}`;
    terms.push(...tokenTerms(selector, cost.tokenPrices.components[component]!, window));
  }
  const exclude = components.length > 0 ? `,component!~${alternation(components)}` : '';
  for (const model of Object.keys(cost.tokenPrices.models).sort()) {
    const selector = `source="gateway",model=${quote(model)}${exclude}`;
    terms.push(...tokenTerms(selector, cost.tokenPrices.models[model]!, window));
  }
  return terms.length === 0 ? null : `(${terms.join(' or ')})`;
}

/** Builds the cost and capacity recording rules for `cost` (prices as in prices.ts). */
export function buildCostRules(cost: CostConfig): RecordingRule[] {
  const tokenTermsExpr = tokenCostTerms(cost);
  // GPU terms carry a gpu label and token terms a token_kind label, so `or` keeps both.
  const total =
    tokenTermsExpr === null
      ? `sum by (component) (${GPU_TERMS})`
      : `sum by (component) (${GPU_TERMS} or ${tokenTermsExpr})`;
  const window = `${cost.tokenRateWindowSeconds}s`;
  const outputPer1k = `sum by (component) (rate(llm_output_tokens_total{source="gateway"}[${window}])) * 3600 / 1000`;

  const rules: RecordingRule[] = [
    { record: COST_SERIES.instanceGpuPrice, expr: PRICE_PER_GPU },
    { record: COST_SERIES.gpusAllocated, expr: `sum by (component) (${SHARE})` },
    {
      record: COST_SERIES.gpusUnpriced,
      expr: `sum by (component) (${SHARE} unless on (instance) ${PRICE_PER_GPU})`,
    },
    {
      record: COST_SERIES.instancesAllocated,
      expr: 'count by (component) (count by (component, instance) (gpu_allocated{component!=""}))',
    },
    { record: COST_SERIES.gpusUsed, expr: `count(${USED}) or (0 * count(${FREE}))` },
    { record: COST_SERIES.gpusFree, expr: `count(${FREE}) or (0 * count(${USED}))` },
    {
      record: COST_SERIES.instances,
      expr:
        'count(count by (instance) (host_info) or count by (instance) (gpu_allocated) ' +
        'or count by (instance) (gpu_free))',
    },
    {
      record: COST_SERIES.gpuUtilization,
      expr: `avg by (component) (${perGpu('gpu_utilization_ratio')})`,
    },
    {
      record: COST_SERIES.gpuMemoryUsage,
      expr:
        `sum by (component) (${perGpu('gpu_memory_used_bytes')}) / ` +
        `sum by (component) (${perGpu('gpu_memory_total_bytes')})`,
    },
    { record: COST_SERIES.gpuCost, expr: `sum by (component) (${GPU_TERMS})` },
    { record: COST_SERIES.cost, expr: total },
    { record: COST_SERIES.costPer1kOutputTokens, expr: `${total} / (${outputPer1k} > 0)` },
  ];
  if (tokenTermsExpr !== null) {
    rules.push({ record: COST_SERIES.tokenCost, expr: `sum by (component) ${tokenTermsExpr}` });
  }
  return rules;
}
