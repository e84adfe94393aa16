/**
 * A throwaway store fed through every ingest path (appends, cuts, chunk and rollup writes, both
 * compaction levels, flushHeads), so that V8 has compiled the store's code and the codecs'
 * module-level scratch buffers exist before a benchmark takes its memory baseline.
 *
 * Why: that code and those buffers are a fixed cost of the process (about 1.6 MB), not of any
 * series. Counted in a store's memory they made the figure per series depend on what the process
 * had run before: 4 components measured 1.56 KB per series at 30 days in a run started cold
 * against 0.90 KB at 48 hours after the store benchmark had run; warmed up, 0.44 to 0.68 KB at
 * 2 to 30 days.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '../src/store/sqlite-store.js';
import { FLEET_STEP_MS, createFleet } from './fleet.js';

/** Span of the warm-up data, hours: four 6-hour compaction windows. */
export const WARM_UP_HOURS = 24;

/**
 * Writes `hours` (default WARM_UP_HOURS) of one component of the generated fleet (8 copies,
 * 3 GPUs) into a store in a temporary directory, then closes and removes it. About 2 million
 * samples, a few seconds.
 */
export async function warmUpStore(hours = WARM_UP_HOURS): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-bench-warm-up-'));
  try {
    const fleet = createFleet({ components: 1, copiesPerComponent: 8, gpus: 3 });
    const values = new Float64Array(fleet.labels.length);
    const store = createSqliteStore({
      path: join(dir, 'store.db'),
      retentionDays: 0,
      retentionIntervalMs: 0,
    });
    const steps = Math.round((hours * 3_600_000) / FLEET_STEP_MS);
    const startMs = Date.UTC(2024, 0, 1);
    for (let step = 0; step < steps; step++) {
      fleet.next(values);
      const timestampMs = startMs + step * FLEET_STEP_MS;
      await store.append(
        fleet.labels.map((labels, i) => ({ labels, timestampMs, value: values[i] as number })),
      );
    }
    await store.flushHeads();
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
