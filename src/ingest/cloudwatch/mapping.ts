/**
 * How CloudWatch metrics of SageMaker endpoints and inference components become llmwatch's
 * canonical series: the default mapping table and the dimension-to-label rules.
 */
import { z } from 'zod';
import type { Labels } from '../../store/types.js';

/** Namespace of invocation metrics (per endpoint variant or per inference component). */
export const NS_INVOCATIONS = 'AWS/SageMaker';
/** Namespace of per-copy utilization of inference components. */
export const NS_COMPONENTS = '/aws/sagemaker/InferenceComponents';
/** Namespace of per-instance utilization of endpoints. */
export const NS_ENDPOINTS = '/aws/sagemaker/Endpoints';

const metricName = z.string().regex(/^[a-z_:][a-z0-9_:]*$/i, 'use a Prometheus metric name');
const statistic = z
  .string()
  .regex(
    /^(Average|Sum|Minimum|Maximum|SampleCount|p\d{1,2}(\.\d+)?)$/,
    'use Average, Sum, Minimum, Maximum, SampleCount or a percentile like "p99"',
  );

/** One row of the mapping table: a CloudWatch metric and statistic, and the series it becomes. */
export const mappingSchema = z.strictObject({
  /** CloudWatch namespace, e.g. "AWS/SageMaker". */
  namespace: z.string().min(1),
  /** CloudWatch metric name, e.g. "ModelLatency". */
  metric: z.string().min(1),
  /** Statistic requested: Sum, Average, Minimum, Maximum, SampleCount or "pNN" (a percentile). */
  stat: statistic,
  /** Canonical series name written to the store. */
  name: metricName,
  /**
   * "counter": per-period values (use Sum) are accumulated into a running total;
   * "gauge": each period's value is stored as is. Default "gauge".
   */
  kind: z.enum(['counter', 'gauge']).default('gauge'),
  /**
   * Each value is divided by this, e.g. 1000000 for microseconds to seconds, 100 for percent to
   * a 0..1 ratio (a division by an exact integer keeps decimal values exact). Default 1.
   */
  divideBy: z.number().finite().positive().default(1),
  /**
   * Which dimension selects the metrics: "component" (InferenceComponentName) or "endpoint"
   * (EndpointName, for instance-level metrics). Default "component".
   */
  scope: z.enum(['component', 'endpoint']).default('component'),
  /** Fixed labels added to the series, e.g. {status_class: "5xx"}. Default none. */
  labels: z.record(z.string(), z.string()).default({}),
});

/** One parsed mapping row. */
export type Mapping = z.infer<typeof mappingSchema>;

const US = 1_000_000;
const PERCENT = 100;

function row(partial: Partial<Mapping> & Pick<Mapping, 'namespace' | 'metric' | 'stat' | 'name'>) {
  return mappingSchema.parse(partial);
}

/**
 * The default table. Invocations and errors are counters; latencies (microseconds in CloudWatch)
 * become seconds; utilization percentages become 0..1 ratios. Percentiles of ModelLatency are
 * requested as extended statistics p50/p90/p99 and stored as gauges with a `quantile` label.
 *
 * Limitation: `CopyCount` is not in AWS's published metric tables; the row only imports it where
 * ListMetrics finds such a metric. Otherwise count copies with
 * `count by (component) (llm_requests_total{source="cloudwatch"})` (one series per ContainerId).
 */
export const DEFAULT_MAPPINGS: Mapping[] = [
  row({
    namespace: NS_INVOCATIONS,
    metric: 'Invocations',
    stat: 'Sum',
    name: 'llm_requests_total',
    kind: 'counter',
  }),
  row({
    namespace: NS_INVOCATIONS,
    metric: 'Invocation4XXErrors',
    stat: 'Sum',
    name: 'llm_request_errors_total',
    kind: 'counter',
    labels: { status_class: '4xx' },
  }),
  row({
    namespace: NS_INVOCATIONS,
    metric: 'Invocation5XXErrors',
    stat: 'Sum',
    name: 'llm_request_errors_total',
    kind: 'counter',
    labels: { status_class: '5xx' },
  }),
  row({
    namespace: NS_INVOCATIONS,
    metric: 'ModelLatency',
    stat: 'Average',
    name: 'llm_request_duration_seconds_avg',
    divideBy: US,
  }),
  row({
    namespace: NS_INVOCATIONS,
    metric: 'ModelLatency',
    stat: 'p50',
    name: 'llm_request_duration_seconds_quantile',
    divideBy: US,
  }),
  row({
    namespace: NS_INVOCATIONS,
    metric: 'ModelLatency',
    stat: 'p90',
    name: 'llm_request_duration_seconds_quantile',
    divideBy: US,
  }),
  row({
    namespace: NS_INVOCATIONS,
    metric: 'ModelLatency',
    stat: 'p99',
    name: 'llm_request_duration_seconds_quantile',
    divideBy: US,
  }),
  row({
    namespace: NS_INVOCATIONS,
    metric: 'OverheadLatency',
    stat: 'Average',
    name: 'llm_overhead_latency_seconds_avg',
    divideBy: US,
  }),
  row({
    namespace: NS_INVOCATIONS,
    metric: 'CopyCount',
    stat: 'Maximum',
    name: 'llm_component_copies',
  }),
  row({
    namespace: NS_COMPONENTS,
    metric: 'GPUUtilizationNormalized',
    stat: 'Average',
    name: 'gpu_utilization_ratio',
    divideBy: PERCENT,
  }),
  row({
    namespace: NS_COMPONENTS,
    metric: 'GPUMemoryUtilizationNormalized',
    stat: 'Average',
    name: 'gpu_memory_utilization_ratio',
    divideBy: PERCENT,
  }),
  row({
    namespace: NS_COMPONENTS,
    metric: 'CPUUtilizationNormalized',
    stat: 'Average',
    name: 'llm_copy_cpu_utilization_ratio',
    divideBy: PERCENT,
  }),
  row({
    namespace: NS_COMPONENTS,
    metric: 'MemoryUtilizationNormalized',
    stat: 'Average',
    name: 'llm_copy_memory_utilization_ratio',
    divideBy: PERCENT,
  }),
  row({
    namespace: NS_ENDPOINTS,
    metric: 'CPUUtilizationNormalized',
    stat: 'Average',
    name: 'host_cpu_utilization_ratio',
    divideBy: PERCENT,
    scope: 'endpoint',
  }),
];

/** A CloudWatch dimension as the API returns it. */
export interface Dimension {
  Name?: string | undefined;
  Value?: string | undefined;
}

/**
 * The `gpu` label of a GPU dimension value: "gpu_0" (the GpuId seen in AWS samples) and "0"
 * (the documented AcceleratorId) both give "0"; anything else is kept as is.
 */
export function gpuLabel(value: string): string {
  const match = /^gpu[_-]?(\d+)$/i.exec(value);
  return match ? match[1]! : value;
}

/**
 * Labels of one CloudWatch series: EndpointName → endpoint, InferenceComponentName → component,
 * InstanceId → instance, GpuId or AcceleratorId → gpu, ContainerId → copy. Other dimensions
 * (VariantName) are dropped. `endpointOf` fills `endpoint` when the metric lacks EndpointName.
 */
export function dimensionLabels(
  dimensions: readonly Dimension[],
  endpointOf: (component: string) => string | undefined,
): Labels {
  const labels: Labels = {};
  for (const { Name: name, Value: value } of dimensions) {
    if (name === undefined || value === undefined || value === '') continue;
    if (name === 'EndpointName') labels.endpoint = value;
    else if (name === 'InferenceComponentName') labels.component = value;
    else if (name === 'InstanceId') labels.instance = value;
    else if (name === 'GpuId' || name === 'AcceleratorId') labels.gpu = gpuLabel(value);
    else if (name === 'ContainerId') labels.copy = value;
  }
  if (labels.endpoint === undefined && labels.component !== undefined) {
    const endpoint = endpointOf(labels.component);
    if (endpoint !== undefined) labels.endpoint = endpoint;
  }
  return labels;
}

/** The `quantile` label of a percentile statistic ("p99" → "0.99"), or undefined for others. */
export function quantileOf(stat: string): string | undefined {
  const match = /^p(\d{1,2}(?:\.\d+)?)$/.exec(stat);
  if (!match) return undefined;
  return String(Number((Number(match[1]) / 100).toPrecision(12)));
}

/** The full label set of a mapped series, `__name__` and `source="cloudwatch"` included. */
export function seriesLabels(mapping: Mapping, dimensionLabelSet: Labels): Labels {
  const labels: Labels = { __name__: mapping.name, ...dimensionLabelSet, ...mapping.labels };
  const quantile = quantileOf(mapping.stat);
  if (quantile !== undefined) labels.quantile = quantile;
  labels.source = 'cloudwatch';
  return labels;
}
