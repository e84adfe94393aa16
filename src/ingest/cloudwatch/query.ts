/**
 * GetMetricData for discovered series: one MetricStat query per (series, mapping row), sent in
 * batches of at most `maxQueriesPerRequest`, every NextToken page read and merged by query id.
 */
import {
  GetMetricDataCommand,
  type CloudWatchClient,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type { DiscoveredMetric } from './discover.js';
import type { Mapping } from './mapping.js';

/** Most GetMetricData pages read for one batch, a bound against a runaway NextToken loop. */
const MAX_DATA_PAGES = 1000;

/** One planned query: which series, which mapping row. */
export interface PlannedQuery {
  /** GetMetricData query id: "q" plus a number, unique within the plan. */
  id: string;
  metric: DiscoveredMetric;
  mapping: Mapping;
}

/** The data points of one query, ascending by time. */
export interface QueryResult {
  query: PlannedQuery;
  /** Period start times, Unix ms. */
  timestampsMs: number[];
  values: number[];
}

/** Pairs every discovered series with every mapping row of its namespace and metric name. */
export function planQueries(
  metrics: readonly DiscoveredMetric[],
  mappings: readonly Mapping[],
): PlannedQuery[] {
  const plan: PlannedQuery[] = [];
  for (const metric of metrics) {
    for (const mapping of mappings) {
      if (mapping.namespace !== metric.namespace || mapping.metric !== metric.metric) continue;
      plan.push({ id: `q${plan.length}`, metric, mapping });
    }
  }
  return plan;
}

/** The MetricDataQuery of one planned query. */
export function toMetricDataQuery(query: PlannedQuery, periodSeconds: number): MetricDataQuery {
  return {
    Id: query.id,
    MetricStat: {
      Metric: {
        Namespace: query.metric.namespace,
        MetricName: query.metric.metric,
        Dimensions: query.metric.dimensions.map((d) => ({ Name: d.Name, Value: d.Value })),
      },
      Period: periodSeconds,
      Stat: query.mapping.stat,
    },
    ReturnData: true,
  };
}

/** Window and batching of one fetch. */
export interface FetchWindow {
  startMs: number;
  endMs: number;
  periodSeconds: number;
  maxQueriesPerRequest: number;
}

/**
 * Runs the plan over [startMs, endMs) and returns one result per query (empty when CloudWatch had
 * no data). Counts calls in `counter.requests`. Throws what the SDK throws after its retries;
 * results of earlier batches are then lost for this poll (the next poll's overlap reads them).
 */
export async function fetchMetricData(
  client: CloudWatchClient,
  plan: readonly PlannedQuery[],
  window: FetchWindow,
  counter: { requests: number },
): Promise<QueryResult[]> {
  const results = new Map<string, QueryResult>();
  for (const query of plan) results.set(query.id, { query, timestampsMs: [], values: [] });

  for (let i = 0; i < plan.length; i += window.maxQueriesPerRequest) {
    const batch = plan.slice(i, i + window.maxQueriesPerRequest);
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_DATA_PAGES; page++) {
      counter.requests++;
      const out = await client.send(
        new GetMetricDataCommand({
          MetricDataQueries: batch.map((q) => toMetricDataQuery(q, window.periodSeconds)),
          StartTime: new Date(window.startMs),
          EndTime: new Date(window.endMs),
          ScanBy: 'TimestampAscending',
          NextToken: nextToken,
        }),
      );
      for (const r of out.MetricDataResults ?? []) {
        const result = r.Id !== undefined ? results.get(r.Id) : undefined;
        if (!result) continue;
        const timestamps = r.Timestamps ?? [];
        const values = r.Values ?? [];
        for (let k = 0; k < Math.min(timestamps.length, values.length); k++) {
          result.timestampsMs.push(timestamps[k]!.getTime());
          result.values.push(values[k]!);
        }
      }
      nextToken = out.NextToken;
      if (!nextToken) break;
    }
  }
  return [...results.values()].map(sortResult);
}

/** Sorts one result by time; a duplicate timestamp keeps the later page's value. */
function sortResult(result: QueryResult): QueryResult {
  const byTime = new Map<number, number>();
  result.timestampsMs.forEach((t, k) => byTime.set(t, result.values[k]!));
  const timestampsMs = [...byTime.keys()].sort((a, b) => a - b);
  return { query: result.query, timestampsMs, values: timestampsMs.map((t) => byTime.get(t)!) };
}
