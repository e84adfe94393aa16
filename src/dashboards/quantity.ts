/**
 * The built-in Quantity dashboard: how much work each component does, how fast and how well.
 * Gateway panels read `source="gateway"` series recorded per request; engine panels read
 * `source="engine"` gauges scraped from the model servers.
 */
import type { DashboardDefinition, PanelQuery } from './types.js';

const GATEWAY = 'source="gateway",component=~"$component"';
const ENGINE = 'source="engine",component=~"$component"';
/** Derived series (recording rules) carry no `source` label. */
const COMPONENT = 'component=~"$component"';

/** `rate()` of a gateway series summed by `by`, e.g. sum by (component) (rate(x{...}[..])). */
function gatewayRate(metric: string, by: string, extraMatchers = ''): string {
  const matchers = extraMatchers === '' ? GATEWAY : `${GATEWAY},${extraMatchers}`;
  return `sum by (${by}) (rate(${metric}{${matchers}}[$__rate_interval]))`;
}

/** A histogram quantile per component over the gateway's classic histogram `name`. */
function gatewayQuantile(quantile: number, name: string): string {
  return `histogram_quantile(${quantile}, ${gatewayRate(`${name}_bucket`, 'le, component')})`;
}

function latencyQuery(quantile: number, label: string): PanelQuery {
  return {
    refId: label,
    expr: gatewayQuantile(quantile, 'llm_request_duration_seconds'),
    legend: `${label} {{component}}`,
  };
}

const GPU_EMPTY_HINT =
  'No data for this range. Is the GPU agent (llmwatch agent) pushing from each GPU host, and ' +
  'are GPUs attributed to components? Derived GPU series are recomputed every cost interval.';

const COST_EMPTY_HINT =
  'No cost for this range. Are GPUs attributed to components on hosts with a known instance ' +
  'type (cost.instanceTypes, cost.instances), or token prices set (cost.tokenPrices)? ' +
  'llm_gpus_unpriced lists GPUs whose host has no price.';

const ENGINE_EMPTY_HINT =
  'No data for this range. Are the model servers scraped? Check the scrape targets ' +
  '(GET /api/llmwatch/targets) and that each target carries a component label.';

/**
 * The Quantity dashboard definition. GPU, capacity and cost panels read the series derived by
 * the cost recorder's recording rules (src/cost/rules.ts), not the raw agent series.
 * Limitation: the error-rate panel is computed as 1 - (2xx rate / all rate), so a component
 * that had no successful request in the rate window shows no error-rate line instead of 100%.
 * Limitation: the GPUs-used, GPUs-free and all-instances lines are cluster-wide and ignore the
 * component filter.
 */
export const quantityDashboard: DashboardDefinition = {
  id: 'quantity',
  title: 'Quantity',
  description:
    'Invocations, latency, tokens, errors, queue depth, KV cache, GPU use, capacity and cost ' +
    'per component.',
  variables: [
    { name: 'component', label: 'Components', optionsFrom: 'components', allValue: '.*' },
  ],
  defaultRange: '1h',
  emptyHint:
    'No data for this range. Is traffic flowing through the gateway? Send a request to ' +
    '/v1/chat/completions or widen the time range.',
  panels: [
    {
      id: 'invocations',
      title: 'Invocations per second',
      description: 'Requests the gateway forwarded per second, per component.',
      unit: 'req/s',
      queries: [
        {
          refId: 'A',
          expr: gatewayRate('llm_requests_total', 'component'),
          legend: '{{component}}',
        },
      ],
      layout: { x: 0, y: 0, w: 12, h: 8 },
      yMin: 0,
    },
    {
      id: 'invocations-per-copy',
      title: 'Invocations per copy',
      description: 'Requests per second per copy: shows whether load is balanced across replicas.',
      unit: 'req/s',
      queries: [
        {
          refId: 'A',
          expr: gatewayRate('llm_requests_total', 'component, copy'),
          legend: '{{component}} / {{copy}}',
        },
      ],
      layout: { x: 12, y: 0, w: 12, h: 8 },
      yMin: 0,
    },
    {
      id: 'latency',
      title: 'Request latency p50 / p95 / p99',
      description: 'End-to-end request duration at the gateway, as percentiles per component.',
      unit: 's',
      queries: [latencyQuery(0.5, 'p50'), latencyQuery(0.95, 'p95'), latencyQuery(0.99, 'p99')],
      layout: { x: 0, y: 8, w: 12, h: 8 },
      yMin: 0,
    },
    {
      id: 'ttft',
      title: 'Time to first token p95',
      description: 'Time from request to the first streamed token, 95th percentile per component.',
      unit: 's',
      queries: [
        {
          refId: 'A',
          expr: gatewayQuantile(0.95, 'llm_time_to_first_token_seconds'),
          legend: '{{component}}',
        },
      ],
      layout: { x: 12, y: 8, w: 12, h: 8 },
      yMin: 0,
    },
    {
      id: 'tokens',
      title: 'Tokens per second',
      description: 'Prompt (in) and completion (out) tokens per second, per component.',
      unit: 'tokens/s',
      queries: [
        {
          refId: 'in',
          expr: gatewayRate('llm_input_tokens_total', 'component'),
          legend: 'in {{component}}',
        },
        {
          refId: 'out',
          expr: gatewayRate('llm_output_tokens_total', 'component'),
          legend: 'out {{component}}',
        },
      ],
      layout: { x: 0, y: 16, w: 12, h: 8 },
      yMin: 0,
    },
    {
      id: 'error-rate',
      title: 'Error rate',
      description:
        'Share of requests that did not end with a 2xx response (4xx, 5xx, no response).',
      unit: '%',
      queries: [
        {
          refId: 'A',
          expr:
            `100 * (1 - ${gatewayRate('llm_requests_total', 'component', 'status_class="2xx"')}` +
            ` / clamp_min(${gatewayRate('llm_requests_total', 'component')}, 1e-9))`,
          legend: '{{component}}',
        },
      ],
      layout: { x: 12, y: 16, w: 12, h: 8 },
      yMin: 0,
    },
    {
      id: 'queue',
      title: 'Requests running and waiting',
      description:
        'Requests the engines are running and queueing, and requests in flight at the gateway.',
      unit: 'requests',
      queries: [
        {
          refId: 'running',
          expr: `sum by (component) (llm_requests_running{${ENGINE}})`,
          legend: 'running {{component}}',
        },
        {
          refId: 'waiting',
          expr: `sum by (component) (llm_requests_waiting{${ENGINE}})`,
          legend: 'waiting {{component}}',
        },
        {
          refId: 'gateway',
          expr: `sum by (component) (llmwatch_gateway_outstanding_requests{component=~"$component"})`,
          legend: 'in flight at gateway {{component}}',
        },
      ],
      layout: { x: 0, y: 24, w: 12, h: 8 },
      emptyHint: ENGINE_EMPTY_HINT,
      yMin: 0,
    },
    {
      id: 'kv-cache',
      title: 'KV-cache usage',
      description: 'Share of the KV cache in use on each copy, as reported by the engine.',
      unit: '%',
      queries: [
        {
          refId: 'A',
          expr: `100 * max by (component, copy) (llm_kv_cache_usage_ratio{${ENGINE}})`,
          legend: '{{component}} / {{copy}}',
        },
      ],
      layout: { x: 12, y: 24, w: 12, h: 8 },
      emptyHint: ENGINE_EMPTY_HINT,
      yMin: 0,
      yMax: 100,
    },
    {
      id: 'gpu-compute',
      title: 'GPU compute',
      description: "Mean GPU utilisation over the GPUs attributed to each component's copies.",
      unit: '%',
      queries: [
        {
          refId: 'A',
          expr: `100 * max by (component) (llm_gpu_utilization_ratio{${COMPONENT}})`,
          legend: '{{component}}',
        },
      ],
      layout: { x: 0, y: 32, w: 12, h: 8 },
      emptyHint: GPU_EMPTY_HINT,
      yMin: 0,
      yMax: 100,
    },
    {
      id: 'gpu-memory',
      title: 'GPU memory',
      description: "GPU memory used as a share of the total on each component's GPUs.",
      unit: '%',
      queries: [
        {
          refId: 'A',
          expr: `100 * max by (component) (llm_gpu_memory_usage_ratio{${COMPONENT}})`,
          legend: '{{component}}',
        },
      ],
      layout: { x: 12, y: 32, w: 12, h: 8 },
      emptyHint: GPU_EMPTY_HINT,
      yMin: 0,
      yMax: 100,
    },
    {
      id: 'gpus',
      title: 'GPUs used and free',
      description:
        'GPUs allocated to any component and GPUs free across all hosts, and the GPUs each ' +
        'selected component holds (a GPU shared by N components counts 1/N to each).',
      unit: 'GPUs',
      queries: [
        { refId: 'used', expr: 'sum(llm_gpus_used)', legend: 'used (all)' },
        { refId: 'free', expr: 'sum(llm_gpus_free)', legend: 'free (all)' },
        {
          refId: 'allocated',
          expr: `sum by (component) (llm_gpus_allocated{${COMPONENT}})`,
          legend: 'allocated {{component}}',
        },
      ],
      layout: { x: 0, y: 40, w: 12, h: 8 },
      emptyHint: GPU_EMPTY_HINT,
      yMin: 0,
    },
    {
      id: 'instances',
      title: 'Instances',
      description: 'GPU hosts seen in total, and the hosts each component has GPUs on.',
      unit: 'instances',
      queries: [
        { refId: 'all', expr: 'sum(llm_instances)', legend: 'all hosts' },
        {
          refId: 'component',
          expr: `sum by (component) (llm_instances_allocated{${COMPONENT}})`,
          legend: '{{component}}',
        },
      ],
      layout: { x: 12, y: 40, w: 12, h: 8 },
      emptyHint: GPU_EMPTY_HINT,
      yMin: 0,
    },
    {
      id: 'cost',
      title: 'Cost per hour',
      description:
        'GPU allocation (GPUs × instance price per GPU) plus API token cost, in US dollars per ' +
        'hour, per component.',
      unit: '$/h',
      queries: [
        {
          refId: 'A',
          expr: `sum by (component) (llm_cost_dollars_per_hour{${COMPONENT}})`,
          legend: '{{component}}',
        },
      ],
      layout: { x: 0, y: 48, w: 12, h: 8 },
      emptyHint: COST_EMPTY_HINT,
      yMin: 0,
    },
    {
      id: 'cost-per-1k-tokens',
      title: 'Cost per 1,000 output tokens',
      description:
        'Cost per hour divided by output tokens per hour (in thousands) at the gateway, per ' +
        'component; no line while a component produces no tokens.',
      unit: '$',
      queries: [
        {
          refId: 'A',
          expr: `max by (component) (llm_cost_dollars_per_1k_output_tokens{${COMPONENT}})`,
          legend: '{{component}}',
        },
      ],
      layout: { x: 12, y: 48, w: 12, h: 8 },
      emptyHint: COST_EMPTY_HINT,
      yMin: 0,
    },
  ],
};
