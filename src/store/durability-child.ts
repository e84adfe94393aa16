/**
 * Helper process for durability.test.ts (not a test itself): appends one batch to the store at
 * argv[2], prints "acked", then keeps appending numbered batches until it is killed, giving up by
 * itself after 10 s. argv[3], when given, is chunkSamples (small values make chunks get cut and
 * the write-ahead log trimmed while the child runs).
 */
import { createSqliteStore } from './sqlite-store.js';
import type { Sample } from './types.js';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: durability-child.ts <db path>');
const chunkSamples = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
const store = createSqliteStore({ path, chunkSamples, maxWalRows: chunkSamples });

const acked: Sample[] = [];
for (let s = 0; s < 100; s++) {
  for (let t = 0; t < 50; t++) {
    acked.push({
      labels: { __name__: 'durable', s: String(s) },
      timestampMs: t * 1000,
      value: s * 1000 + t,
    });
  }
}
await store.append(acked);
process.stdout.write('acked\n');

const deadlineMs = Date.now() + 10_000;
for (let batch = 0; Date.now() < deadlineMs; batch++) {
  const later: Sample[] = [];
  for (let t = 0; t < 1000; t++) {
    later.push({ labels: { __name__: 'later', batch: String(batch) }, timestampMs: t, value: t });
  }
  await store.append(later);
  await new Promise((resolve) => setImmediate(resolve));
}
await store.close();
