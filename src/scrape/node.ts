/**
 * Maps Prometheus node exporter output onto `host_cpu_utilization_ratio`.
 *
 * Decision: the ratio is computed here, between two scrapes of the same target, as
 * `1 - Δidle / Δall` over `node_cpu_seconds_total` summed across CPUs (all modes in Δall), so
 * dashboards and the cost view read one ready series. The raw counter is stored too, so the
 * equivalent query `1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[1m]))` works
 * over any window. `instance` is `node_uname_info`'s `nodename`, else the target's host.
 * Limitation: the first scrape of a target, and the scrape after a counter reset (reboot), write
 * no ratio; the value is the average since the previous scrape, not over a fixed window.
 */
import type { MetricFamily } from './exposition.js';
import { deviceLabels } from './device.js';
import type { MapContext, MappedSample } from './mapping.js';

interface CpuTotals {
  idleSeconds: number;
  allSeconds: number;
}

const STATE_KEY = 'node_cpu';

function cpuTotals(family: MetricFamily | undefined): CpuTotals | undefined {
  if (!family || (family.type !== 'counter' && family.type !== 'untyped')) return undefined;
  let idleSeconds = 0;
  let allSeconds = 0;
  let seen = 0;
  for (const sample of family.samples) {
    if (!Number.isFinite(sample.value)) return undefined;
    allSeconds += sample.value;
    if (sample.labels.mode === 'idle') idleSeconds += sample.value;
    seen++;
  }
  return seen === 0 ? undefined : { idleSeconds, allSeconds };
}

/**
 * Maps node exporter families. Keeps the previous CPU totals in `ctx.state` (one state per
 * target, kept by the scraper); without a state no ratio is written.
 */
export function mapNode(index: ReadonlyMap<string, MetricFamily>, ctx: MapContext): MappedSample[] {
  const now = cpuTotals(index.get('node_cpu_seconds_total') ?? index.get('node_cpu_seconds'));
  if (!now || !ctx.state) return [];
  const before = ctx.state.get(STATE_KEY) as CpuTotals | undefined;
  ctx.state.set(STATE_KEY, now);
  if (!before) return [];
  const all = now.allSeconds - before.allSeconds;
  const idle = now.idleSeconds - before.idleSeconds;
  if (all <= 0 || idle < 0 || idle > all) return [];
  const nodename = index.get('node_uname_info')?.samples[0]?.labels.nodename;
  const labels = deviceLabels('host_cpu_utilization_ratio', { instance: nodename }, ctx);
  return [{ labels, value: 1 - idle / all }];
}
