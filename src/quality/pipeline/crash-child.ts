/**
 * Child process of the kill -9 test: `crash-child.ts <dbPath> <run|drain>`. "run" enqueues
 * 20 pairs and evaluates them slowly until killed; "drain" finishes the queue and prints the
 * evaluations its own registry counted as JSON on stdout.
 */
import { createSilentLogger } from '../../core/log.js';
import { createMetricRegistry } from '../../ingest/registry.js';
import { createQualityPipeline } from './pipeline.js';
import { lengthEvaluator, pairs, testConfig } from './test-helpers.js';

const [dbPath, mode] = process.argv.slice(2) as [string, string];
const registry = createMetricRegistry();
const pipeline = createQualityPipeline({
  config: testConfig({
    judges: { 'fake:length@1': { concurrency: 2, ratePerSecond: 1000, burst: 100 } },
  }),
  evaluators: [lengthEvaluator('length', 'fake:length@1', mode === 'run' ? 40 : 1)],
  registry,
  logger: createSilentLogger(),
  dbPath,
});
if (mode === 'run') pipeline.ingest(pairs(20));
pipeline.start();
if (mode === 'drain') {
  const counts = await pipeline.drain(20_000);
  const evaluated = registry
    .collect(Date.now())
    .filter((s) => s.labels.__name__ === 'llm_quality_evaluations_total')
    .reduce((sum, s) => sum + s.value, 0);
  await pipeline.stop();
  process.stdout.write(JSON.stringify({ counts, evaluated }));
} else {
  setTimeout(() => process.exit(3), 30_000); // never outlive the test
}
