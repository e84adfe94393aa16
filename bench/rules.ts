/**
 * Alert rules benchmark: one evaluation round of 1,000 alert rules over a generated fleet in a
 * real SQLite store on disk, next to the baseline of the same 1,000 PromQL expressions evaluated
 * by the PromQL engine directly (no thresholds, states, minimum sample counts, state database or
 * notification hand-off).
 *
 * Fleet: bench/fleet.ts with 20 components × 2 copies and 16 GPUs (about 1,700 series), one hour
 * at 15 s steps. Rules: 5 templates like the shipped rules (error ratio, p95 latency,
 * KV-cache use, GPU utilisation over 10 minutes, queue depth) × 20 components × 10 thresholds,
 * in 10 groups of 100. Each side runs `rounds` times at the fleet's last timestamp; the figures
 * are the median round. The alert engine's sink drops the alerts.
 *
 * Limitation: all rules run in one round back to back; the engine in production spreads groups
 * over their intervals, so this is the worst case of all groups coming due at once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { createSilentLogger } from '../src/core/log.js';
import { createSqliteStore } from '../src/store/sqlite-store.js';
import { createPromqlEngine } from '../src/promql/engine.js';
import { createAlertEngine } from '../src/alerting/index.js';
import { alertingConfigSchema } from '../src/alerting/config.js';
import { FLEET_STEP_MS, createFleet, nextFleetBatch } from './fleet.js';

/** Options of runRulesBench. */
export interface RulesBenchOptions {
  /** Rounds per side; the median is reported. Default 3. */
  rounds?: number;
  /** Fleet steps (15 s each). Default 240 (one hour). */
  steps?: number;
}

const COMPONENTS = 20;
const THRESHOLDS = 10;

/** The five expression templates for component `c`, with threshold index `t`. */
function rulesFor(c: string, t: number): { expr: string; op: 'above' | 'below'; value: number }[] {
  const sel = `component="${c}"`;
  return [
    {
      expr:
        `sum by (component) (rate(llm_requests_total{${sel},status_class="5xx"}[5m])) / ` +
        `sum by (component) (rate(llm_requests_total{${sel}}[5m]))`,
      op: 'above',
      value: 0.01 + t * 0.01,
    },
    {
      expr: `histogram_quantile(0.95, sum by (component, le) (rate(llm_request_duration_seconds_bucket{${sel}}[5m])))`,
      op: 'above',
      value: 1 + t,
    },
    {
      expr: `max by (component, copy) (llm_kv_cache_usage_ratio{${sel}})`,
      op: 'above',
      value: 0.5 + t * 0.05,
    },
    {
      expr: `avg by (component) (avg_over_time(gpu_utilization_ratio{${sel}}[10m]))`,
      op: 'below',
      value: 5 + t * 5,
    },
    { expr: `sum by (component) (llm_requests_waiting{${sel}})`, op: 'above', value: 1 + t * 2 },
  ];
}

function allRules() {
  const rules: { alert: string; expr: string; threshold: { op: string; value: number } }[] = [];
  for (let c = 0; c < COMPONENTS; c++) {
    const component = `component-${String(c).padStart(2, '0')}`;
    for (let t = 0; t < THRESHOLDS; t++) {
      rulesFor(component, t).forEach((r, k) =>
        rules.push({
          alert: `Bench_${c}_${t}_${k}`,
          expr: r.expr,
          threshold: { op: r.op, value: r.value },
        }),
      );
    }
  }
  return rules;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Runs the benchmark (about 10-30 s) and returns a flat record of figures. */
export async function runRulesBench(opts: RulesBenchOptions = {}): Promise<Record<string, number>> {
  const rounds = opts.rounds ?? 3;
  const steps = opts.steps ?? 240;
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-bench-rules-'));
  const store = createSqliteStore({
    path: join(dir, 'store.db'),
    retentionDays: 0,
    retentionIntervalMs: 0,
  });
  try {
    const fleet = createFleet({ components: COMPONENTS, copiesPerComponent: 2, gpus: 16 });
    const values = new Float64Array(fleet.labels.length);
    const startMs = Math.floor(Date.now() / FLEET_STEP_MS) * FLEET_STEP_MS - steps * FLEET_STEP_MS;
    for (let step = 0; step < steps; step++) {
      const batch = nextFleetBatch(fleet, values, startMs + step * FLEET_STEP_MS);
      await store.append(batch);
    }
    const evalMs = startMs + (steps - 1) * FLEET_STEP_MS;

    const rules = allRules();
    const ruleFile = join(dir, 'rules.yaml');
    const groups = Array.from({ length: 10 }, (_, g) => ({
      name: `bench-${g}`,
      interval: '1m',
      rules: rules.slice(g * 100, g * 100 + 100),
    }));
    writeFileSync(ruleFile, stringifyYaml({ groups }));
    const engine = createPromqlEngine(store, {});

    const baseline: number[] = [];
    let series = 0;
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      series = 0;
      for (const rule of rules) {
        const result = await engine.instantQuery(rule.expr, evalMs + r * 60_000);
        series += result.resultType === 'vector' ? result.result.length : 1;
      }
      baseline.push(performance.now() - t0);
    }

    const alerting = createAlertEngine({
      config: alertingConfigSchema.parse({
        defaultRules: false,
        ruleFiles: [ruleFile],
        reloadCheckSeconds: 0,
      }),
      engine,
      sink: { send: () => Promise.resolve() },
      logger: createSilentLogger(),
      dbPath: join(dir, 'alerting.db'),
      nowMs: () => evalMs,
    });
    const loaded = alerting.groups().reduce((n, g) => n + g.rules.length, 0);
    const timed: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      await alerting.evaluateOnce(evalMs + r * 60_000);
      timed.push(performance.now() - t0);
    }
    const active = alerting.alerts().length;
    await alerting.stop();

    const ruleMs = median(timed);
    const baseMs = median(baseline);
    return {
      'series in store': fleet.labels.length,
      'samples in store': fleet.labels.length * steps,
      'alert rules loaded': loaded,
      'series returned per round': series,
      'alert instances not normal after the rounds': active,
      'rules round ms (1,000 alert rules)': ruleMs,
      'baseline round ms (1,000 PromQL queries)': baseMs,
      'rules ms per rule': ruleMs / rules.length,
      'baseline ms per query': baseMs / rules.length,
      'rules / baseline ratio': ruleMs / baseMs,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('rules.ts')) console.log(await runRulesBench());
