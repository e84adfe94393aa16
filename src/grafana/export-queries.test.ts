import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validateConfig } from '../config/load.js';
import { createSilentLogger } from '../core/log.js';
import { BUILTIN_DASHBOARDS } from '../dashboards/builtins.js';
import { startLlmwatch, type LlmwatchServer } from '../server/app.js';
import type { Labels, Sample } from '../store/types.js';
import { toGrafanaDashboard } from './dashboard.js';

/** Grafana's template variables as a dashboard showing "All" over the last hour uses them. */
const VARIABLES: Record<string, string> = {
  $component: '.*',
  $__rate_interval: '5m',
  $__range: '1h',
};
const STEP_MS = 15_000;
const SPAN_MS = 60 * 60_000;
const COMPONENTS = ['chat', 'summarize'];
/** Labels that `by (...)` clauses group on, filled in when a selector does not fix them. */
const GROUP_LABELS: Labels = { copy: 'c0', judge: 'det:regex', outcome: 'scored' };
const BUCKETS = ['0.1', '0.25', '0.5', '1', '2.5', '+Inf'];

/** Gauge values chosen so filtered table queries keep rows (idle GPUs, full KV cache, a queue). */
const GAUGE_VALUES: Record<string, number> = {
  llm_gpu_utilization_ratio: 0.05,
  llm_kv_cache_usage_ratio: 0.95,
  llm_requests_waiting: 3,
};

/** Every exported panel query with variables substituted, keyed "dashboard/panel/refId". */
function exportedQueries(): Map<string, string> {
  const out = new Map<string, string>();
  for (const def of BUILTIN_DASHBOARDS) {
    for (const panel of toGrafanaDashboard(def).panels ?? []) {
      if (!('targets' in panel)) continue;
      for (const t of panel.targets ?? []) {
        let expr = String(t.expr);
        for (const [name, value] of Object.entries(VARIABLES)) expr = expr.split(name).join(value);
        out.set(`${def.id}/${panel.title}/${String(t.refId)}`, expr);
      }
    }
  }
  return out;
}

/**
 * One label set per metric selector in the queries: equality matchers as written, regex
 * matchers by their first alternative, `component` per component, and group labels.
 */
function seriesFor(exprs: Iterable<string>): Labels[] {
  const seen = new Map<string, Labels>();
  for (const expr of exprs) {
    for (const m of expr.matchAll(
      /([a-zA-Z_:][\w:]*)\{([^}]*)\}|([a-zA-Z_:][\w:]*)\[|\(([a-zA-Z_:][\w:]*)\)/g,
    )) {
      const name = m[1] ?? m[3] ?? m[4]!;
      if (m[4] !== undefined && m[4] in { component: 1, le: 1, ...GROUP_LABELS }) continue;
      const labels: Labels = { __name__: name, ...GROUP_LABELS };
      for (const lm of (m[2] ?? '').matchAll(/(\w+)\s*(=~|=)\s*"([^"]*)"/g)) {
        const [, key, op, value] = lm;
        labels[key!] = op === '=' ? value! : value!.split('|')[0]!.replace('.*', 'x');
      }
      for (const component of COMPONENTS) {
        const l = { ...labels, component };
        seen.set(JSON.stringify(l), l);
      }
    }
  }
  return [...seen.values()];
}

/** Samples over the last hour: counters rise steadily, buckets cumulatively, gauges hold still. */
function samplesFor(series: Labels[], endMs: number): Sample[] {
  const samples: Sample[] = [];
  for (const base of series) {
    const name = base.__name__!;
    const counter = /_(total|sum|count)$/.test(name);
    const variants = name.endsWith('_bucket')
      ? BUCKETS.map((le, i) => ({ labels: { ...base, le }, perStep: i + 1 }))
      : [{ labels: base, perStep: 1 }];
    for (const { labels, perStep } of variants) {
      for (let t = endMs - SPAN_MS, i = 0; t <= endMs; t += STEP_MS, i++) {
        const value =
          name.endsWith('_bucket') || counter ? i * perStep : (GAUGE_VALUES[name] ?? 0.5);
        samples.push({ labels, timestampMs: t, value });
      }
    }
  }
  return samples;
}

let server: LlmwatchServer;
let dir: string;
let endMs: number;
let series: Labels[];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'llmwatch-grafana-queries-'));
  const config = validateConfig({
    server: { host: '127.0.0.1', port: 0 },
    store: { path: join(dir, 'data', 'llmwatch.db') },
  });
  server = await startLlmwatch(config, createSilentLogger());
  endMs = Math.floor(Date.now() / STEP_MS) * STEP_MS;
  series = seriesFor(exportedQueries().values());
  await server.store.append(samplesFor(series, endMs));
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('exported Grafana panel queries against llmwatch', () => {
  it('every target expr returns data from /api/v1/query_range', async () => {
    const queries = exportedQueries();
    const panelTargets = BUILTIN_DASHBOARDS.flatMap((d) =>
      d.panels
        .filter((p) => ['timeseries', 'table'].includes(p.type ?? 'timeseries'))
        .flatMap((p) => p.queries),
    );
    assert.equal(queries.size, panelTargets.length);
    const empty: string[] = [];
    for (const [key, expr] of queries) {
      const params = new URLSearchParams({
        query: expr,
        start: String((endMs - 30 * 60_000) / 1000),
        end: String(endMs / 1000),
        step: '60',
      });
      const res = await fetch(`${server.url}/api/v1/query_range?${params}`);
      const body = (await res.json()) as { status: string; data?: { result: unknown[] } };
      assert.equal(body.status, 'success', `${key}: ${JSON.stringify(body)}`);
      if ((body.data?.result.length ?? 0) === 0) empty.push(key);
    }
    assert.deepEqual(empty, []);
  });
});
