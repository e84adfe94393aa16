import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parser } from '@prometheus-io/lezer-promql';
import { quantityDashboard } from './quantity.js';

/** Node names the dashboards' PromQL subset may use; anything else fails the test. */
const ALLOWED_FUNCTIONS = new Set(['Rate', 'Increase', 'HistogramQuantile', 'ClampMin']);
const ALLOWED_AGGREGATES = new Set(['Sum', 'Avg', 'Max', 'Min', 'Count']);
/** Queries that are cluster-wide on purpose and ignore the component filter (panel/refId). */
const CLUSTER_WIDE = new Set(['gpus/used', 'gpus/free', 'instances/all']);

/** Parses `expr` and returns its function and aggregation names, failing on syntax errors. */
function inspect(expr: string): { functions: string[]; aggregates: string[] } {
  const tree = parser.parse(expr);
  const functions: string[] = [];
  const aggregates: string[] = [];
  tree.iterate({
    enter: (node) => {
      assert.equal(node.type.isError, false, `syntax error at ${node.from} in ${expr}`);
      if (node.name === 'FunctionIdentifier') functions.push(node.node.firstChild?.name ?? '?');
      if (node.name === 'AggregateOp') aggregates.push(node.node.firstChild?.name ?? '?');
      if (node.name === 'OrderingModifier' || node.name === 'BoolModifier')
        assert.fail(`vector matching modifier in ${expr}`);
    },
  });
  return { functions, aggregates };
}

describe('quantityDashboard', () => {
  it('has the expected panels with unique ids and units', () => {
    assert.deepEqual(
      quantityDashboard.panels.map((p) => [p.id, p.unit, p.queries.length]),
      [
        ['invocations', 'req/s', 1],
        ['invocations-per-copy', 'req/s', 1],
        ['latency', 's', 3],
        ['ttft', 's', 1],
        ['tokens', 'tokens/s', 2],
        ['error-rate', '%', 1],
        ['queue', 'requests', 3],
        ['kv-cache', '%', 1],
        ['gpu-compute', '%', 1],
        ['gpu-memory', '%', 1],
        ['gpus', 'GPUs', 3],
        ['instances', 'instances', 2],
        ['cost', '$/h', 1],
        ['cost-per-1k-tokens', '$', 1],
      ],
    );
  });

  it('reads GPU, capacity and cost panels from the derived (recorded) series', () => {
    const exprs = Object.fromEntries(
      quantityDashboard.panels.flatMap((p) => p.queries.map((q) => [`${p.id}/${q.refId}`, q.expr])),
    );
    assert.deepEqual(
      Object.fromEntries(Object.entries(exprs).filter(([key]) => CLUSTER_WIDE.has(key))),
      {
        'gpus/used': 'sum(llm_gpus_used)',
        'gpus/free': 'sum(llm_gpus_free)',
        'instances/all': 'sum(llm_instances)',
      },
    );
    assert.equal(
      exprs['gpu-compute/A'],
      '100 * max by (component) (llm_gpu_utilization_ratio{component=~"$component"})',
    );
    assert.equal(
      exprs['gpu-memory/A'],
      '100 * max by (component) (llm_gpu_memory_usage_ratio{component=~"$component"})',
    );
    assert.equal(
      exprs['gpus/allocated'],
      'sum by (component) (llm_gpus_allocated{component=~"$component"})',
    );
    assert.equal(
      exprs['cost/A'],
      'sum by (component) (llm_cost_dollars_per_hour{component=~"$component"})',
    );
  });

  it('writes every query in the supported PromQL subset, after variable substitution', () => {
    for (const panel of quantityDashboard.panels) {
      for (const query of panel.queries) {
        const key = `${panel.id}/${query.refId}`;
        if (CLUSTER_WIDE.has(key)) assert.doesNotMatch(query.expr, /component/, key);
        else assert.match(query.expr, /component=~"\$component"/, key);
        const expr = query.expr
          .replaceAll('$__rate_interval', '60s')
          .replaceAll('$component', 'chat\\\\.a|code');
        const { functions, aggregates } = inspect(expr);
        for (const f of functions) assert.ok(ALLOWED_FUNCTIONS.has(f), `${f} in ${expr}`);
        for (const a of aggregates) assert.ok(ALLOWED_AGGREGATES.has(a), `${a} in ${expr}`);
      }
    }
  });

  it('names functions and aggregations as the subset check expects', () => {
    const errorRate = quantityDashboard.panels.find((p) => p.id === 'error-rate');
    assert.deepEqual(
      inspect(errorRate?.queries[0]?.expr.replaceAll('$__rate_interval', '1m') ?? ''),
      {
        functions: ['Rate', 'ClampMin', 'Rate'],
        aggregates: ['Sum', 'Sum'],
      },
    );
  });

  it('builds latency percentiles from the gateway histogram per component', () => {
    const latency = quantityDashboard.panels.find((p) => p.id === 'latency');
    assert.deepEqual(latency?.queries[1], {
      refId: 'p95',
      expr:
        'histogram_quantile(0.95, sum by (le, component) (rate(llm_request_duration_seconds_bucket' +
        '{source="gateway",component=~"$component"}[$__rate_interval])))',
      legend: 'p95 {{component}}',
    });
  });

  it('lays panels out on the 24-column grid without overlap', () => {
    const taken = new Set<string>();
    for (const { id, layout } of quantityDashboard.panels) {
      assert.ok(layout.x >= 0 && layout.w >= 1 && layout.x + layout.w <= 24, id);
      for (let x = layout.x; x < layout.x + layout.w; x++) {
        for (let y = layout.y; y < layout.y + layout.h; y++) {
          assert.equal(taken.has(`${x},${y}`), false, `${id} overlaps at ${x},${y}`);
          taken.add(`${x},${y}`);
        }
      }
    }
  });

  it('survives a JSON round trip unchanged (plain data)', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(quantityDashboard)), quantityDashboard);
  });
});
