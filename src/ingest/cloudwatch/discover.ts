/**
 * Series discovery with ListMetrics: which dimension sets exist for each mapped metric of each
 * selected inference component or endpoint. Discovery is what makes both GPU dimension names
 * work: whichever of `GpuId` and `AcceleratorId` CloudWatch lists is the one queried.
 */
import {
  ListMetricsCommand,
  type CloudWatchClient,
  type DimensionFilter,
} from '@aws-sdk/client-cloudwatch';
import type { CloudWatchConfig } from './config.js';
import type { Dimension, Mapping } from './mapping.js';

/** Most ListMetrics pages read for one metric, a bound against a runaway NextToken loop. */
const MAX_LIST_PAGES = 100;

/** One CloudWatch series: namespace, metric name and exact dimension set. */
export interface DiscoveredMetric {
  namespace: string;
  metric: string;
  dimensions: Dimension[];
}

/** What one discovery found. */
export interface Discovery {
  metrics: DiscoveredMetric[];
  /** Endpoint of each component, learned from metrics that carry both dimensions. */
  endpointByComponent: Map<string, string>;
}

function dimensionValue(dimensions: readonly Dimension[], name: string): string | undefined {
  return dimensions.find((d) => d.Name === name)?.Value;
}

/**
 * Keeps, per (namespace, metric, component or endpoint), only the dimension sets with the most
 * dimensions: CloudWatch publishes the same data at several aggregation levels (per component,
 * per copy, per GPU), and importing only the finest avoids counting it twice. PromQL `sum by`
 * gives the coarser levels back.
 */
export function finestDimensionSets(metrics: readonly DiscoveredMetric[]): DiscoveredMetric[] {
  const groupKey = (m: DiscoveredMetric) =>
    [
      m.namespace,
      m.metric,
      dimensionValue(m.dimensions, 'InferenceComponentName') ??
        `endpoint:${dimensionValue(m.dimensions, 'EndpointName') ?? ''}`,
    ].join('\u0000');
  const most = new Map<string, number>();
  for (const m of metrics) {
    const key = groupKey(m);
    most.set(key, Math.max(most.get(key) ?? 0, m.dimensions.length));
  }
  return metrics.filter((m) => m.dimensions.length === most.get(groupKey(m)));
}

/** Reads every ListMetrics page for one metric and one dimension filter. */
async function listAll(
  client: CloudWatchClient,
  namespace: string,
  metric: string,
  filter: DimensionFilter | undefined,
  counter: { requests: number },
): Promise<DiscoveredMetric[]> {
  const found: DiscoveredMetric[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    counter.requests++;
    const out = await client.send(
      new ListMetricsCommand({
        Namespace: namespace,
        MetricName: metric,
        Dimensions: filter ? [filter] : undefined,
        RecentlyActive: 'PT3H',
        NextToken: nextToken,
      }),
    );
    for (const m of out.Metrics ?? []) {
      found.push({ namespace, metric, dimensions: [...(m.Dimensions ?? [])] });
    }
    nextToken = out.NextToken;
    if (!nextToken) break;
  }
  return found;
}

/**
 * Lists the series of every mapped metric: per configured component (or endpoint, for
 * endpoint-scoped rows), or unfiltered when none are configured; then applies the endpoint
 * filter and keeps the finest dimension sets. Counts calls (pages included) in
 * `counter.requests`. Throws what the SDK throws (after its retries).
 */
export async function discoverMetrics(
  client: CloudWatchClient,
  config: Pick<CloudWatchConfig, 'inferenceComponents' | 'endpoints'>,
  mappings: readonly Mapping[],
  counter: { requests: number },
): Promise<Discovery> {
  const seen = new Set<string>();
  const all: DiscoveredMetric[] = [];
  const pairs = new Map<string, Mapping>();
  for (const m of mappings) pairs.set(`${m.namespace}\u0000${m.metric}`, m);

  for (const mapping of pairs.values()) {
    const filters: (DimensionFilter | undefined)[] =
      mapping.scope === 'endpoint'
        ? config.endpoints.length > 0
          ? config.endpoints.map((e) => ({ Name: 'EndpointName', Value: e }))
          : [undefined]
        : config.inferenceComponents.length > 0
          ? config.inferenceComponents.map((c) => ({
              Name: 'InferenceComponentName',
              Value: c.name,
            }))
          : [undefined];
    for (const filter of filters) {
      for (const m of await listAll(client, mapping.namespace, mapping.metric, filter, counter)) {
        // Component rows skip endpoint-level series, which would count the same requests again.
        const component = dimensionValue(m.dimensions, 'InferenceComponentName');
        if (mapping.scope === 'component' && component === undefined) continue;
        const key = JSON.stringify([m.namespace, m.metric, sortedDimensions(m.dimensions)]);
        if (seen.has(key)) continue;
        seen.add(key);
        all.push(m);
      }
    }
  }

  const endpointByComponent = new Map<string, string>();
  for (const c of config.inferenceComponents) {
    if (c.endpoint !== undefined) endpointByComponent.set(c.name, c.endpoint);
  }
  for (const m of all) {
    const component = dimensionValue(m.dimensions, 'InferenceComponentName');
    const endpoint = dimensionValue(m.dimensions, 'EndpointName');
    if (component && endpoint && !endpointByComponent.has(component)) {
      endpointByComponent.set(component, endpoint);
    }
  }

  const wanted = new Set(config.endpoints);
  const restrictToComponents = wanted.size === 0 && config.inferenceComponents.length > 0;
  if (restrictToComponents) {
    // Endpoint-level rows follow the configured components' endpoints.
    for (const c of config.inferenceComponents) {
      const endpoint = endpointByComponent.get(c.name);
      if (endpoint !== undefined) wanted.add(endpoint);
    }
  }
  const selected = all.filter((m) => {
    const component = dimensionValue(m.dimensions, 'InferenceComponentName');
    if (restrictToComponents && component !== undefined) return true;
    if (wanted.size === 0) return !restrictToComponents;
    const endpoint =
      dimensionValue(m.dimensions, 'EndpointName') ??
      (component !== undefined ? endpointByComponent.get(component) : undefined);
    return endpoint !== undefined && wanted.has(endpoint);
  });
  return { metrics: finestDimensionSets(selected), endpointByComponent };
}

function sortedDimensions(dimensions: readonly Dimension[]): [string, string][] {
  return dimensions
    .map((d): [string, string] => [d.Name ?? '', d.Value ?? ''])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
