import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { createSqliteStore } from '../store/sqlite-store.js';
import type { MetricStore, Sample } from '../store/types.js';
import { createSampleWriter } from './writer.js';

function samples(count: number, startMs = 0): Sample[] {
  return Array.from({ length: count }, (_, i) => ({
    labels: { __name__: 'm' },
    timestampMs: startMs + i,
    value: i,
  }));
}

/** A logger that keeps parsed log lines in memory. */
function captureLogger() {
  const lines: Array<{ level: number; msg: string; [key: string]: unknown }> = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => void lines.push(JSON.parse(line)) },
  );
  return { logger, lines };
}

/** A store that records the batches it receives; `behaviour` decides each append's outcome. */
function fakeStore(behaviour: (batch: readonly Sample[]) => Promise<void> = async () => {}) {
  const batches: Sample[][] = [];
  let active = 0;
  let maxActive = 0;
  const store: MetricStore = {
    append(batch) {
      batches.push([...batch]);
      active += 1;
      maxActive = Math.max(maxActive, active);
      let result: Promise<void>;
      try {
        result = behaviour(batch);
      } catch (err) {
        active -= 1;
        throw err;
      }
      return result.finally(() => {
        active -= 1;
      });
    },
    select: async () => [],
    close: async () => {},
  };
  return { store, batches, maxActive: () => maxActive };
}

describe('sample writer', () => {
  it('writes buffered samples in order, in batches of at most maxBatchSamples', async () => {
    const { store, batches } = fakeStore();
    const { logger } = captureLogger();
    const writer = createSampleWriter({
      store,
      maxBufferedSamples: 100,
      maxBatchSamples: 10,
      flushIntervalMs: 60_000,
      logger,
    });
    assert.equal(writer.write(samples(7, 0)), true);
    assert.equal(writer.write(samples(18, 7)), true);
    assert.equal(writer.stats().bufferedSamples, 25);
    await writer.flush();
    assert.deepEqual(
      batches.map((b) => b.length),
      [10, 10, 5],
    );
    assert.deepEqual(
      batches.flat().map((s) => s.timestampMs),
      Array.from({ length: 25 }, (_, i) => i),
    );
    assert.deepEqual(writer.stats(), {
      bufferedSamples: 0,
      droppedSamples: 0,
      writtenSamples: 25,
      failedBatches: 0,
      failedSamples: 0,
    });
    await writer.close();
  });

  it('drops whole writes beyond the bound, counts them and warns once per 10 s', async () => {
    const { store } = fakeStore();
    const { logger, lines } = captureLogger();
    const dropped: number[] = [];
    const writer = createSampleWriter({
      store,
      maxBufferedSamples: 10,
      flushIntervalMs: 60_000,
      logger,
      onDropped: (n) => dropped.push(n),
    });
    assert.equal(writer.write(samples(6)), true);
    assert.equal(writer.write(samples(5)), false);
    assert.equal(writer.write(samples(4)), true);
    assert.equal(writer.write(samples(3)), false);
    assert.deepEqual(dropped, [5, 3]);
    assert.equal(writer.stats().bufferedSamples, 10);
    assert.equal(writer.stats().droppedSamples, 8);
    const warnings = lines.filter((l) => l.msg === 'samples dropped');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.droppedSamples, 5);
    assert.equal(warnings[0]?.level, 40);

    await writer.flush();
    assert.equal(writer.stats().writtenSamples, 10);
    assert.equal(writer.write(samples(10)), true);
    await writer.close();
    // The 3 dropped after the first warning are reported on close.
    assert.deepEqual(
      lines.filter((l) => l.msg === 'samples dropped').map((l) => l.droppedSamples),
      [5, 3],
    );
  });

  it('drops only invalid samples and keeps the rest of the write', async () => {
    const { store, batches } = fakeStore();
    const { logger, lines } = captureLogger();
    const writer = createSampleWriter({
      store,
      maxBufferedSamples: 100,
      flushIntervalMs: 60_000,
      logger,
    });
    const bad = { labels: { __name__: 'm' }, timestampMs: 1.5, value: 1 };
    assert.equal(writer.write([...samples(2), bad, ...samples(1, 10)]), false);
    await writer.flush();
    assert.deepEqual(
      batches.map((b) => b.map((s) => s.timestampMs)),
      [[0, 1, 10]],
    );
    assert.equal(writer.stats().droppedSamples, 1);
    const warning = lines.find((l) => l.msg === 'invalid samples dropped');
    assert.match(String(warning?.problem), /^samples\[2\]\.timestampMs must be an integer/);
    await writer.close();
  });

  it('counts and logs a failing store without throwing to callers', async () => {
    let calls = 0;
    const { store } = fakeStore(() => {
      calls += 1;
      if (calls === 1) throw new Error('disk full (sync)');
      return Promise.reject(new Error('disk full (async)'));
    });
    const { logger, lines } = captureLogger();
    const writer = createSampleWriter({
      store,
      maxBufferedSamples: 100,
      maxBatchSamples: 4,
      flushIntervalMs: 60_000,
      logger,
    });
    assert.equal(writer.write(samples(6)), true);
    await writer.flush();
    assert.deepEqual(writer.stats(), {
      bufferedSamples: 0,
      droppedSamples: 0,
      writtenSamples: 0,
      failedBatches: 2,
      failedSamples: 6,
    });
    const errors = lines.filter((l) => l.msg === 'sample batch write failed');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.lostSamples, 4);
    assert.equal(errors[0]?.level, 50);
    assert.equal(writer.write(samples(1)), true);
    await writer.close();
  });

  it('keeps accepting and bounding writes while the store hangs, and close() gives up in time', async () => {
    const { store, batches } = fakeStore(() => new Promise<void>(() => {}));
    const { logger, lines } = captureLogger();
    const writer = createSampleWriter({
      store,
      maxBufferedSamples: 20,
      flushIntervalMs: 5,
      logger,
      closeTimeoutMs: 50,
    });
    assert.equal(writer.write(samples(8)), true);
    for (let i = 0; i < 100 && batches.length === 0; i++) await sleep(5);
    assert.equal(batches.length, 1);

    // write() answers synchronously (a boolean, not a promise) while the store hangs.
    assert.equal(writer.write(samples(15)), true);
    assert.equal(writer.write(samples(6)), false);
    assert.equal(writer.write(samples(5)), true);
    await sleep(30);
    assert.equal(batches.length, 1);
    assert.deepEqual(writer.stats(), {
      bufferedSamples: 20,
      droppedSamples: 6,
      writtenSamples: 0,
      failedBatches: 0,
      failedSamples: 0,
    });

    await writer.close();
    const error = lines.find((l) => l.msg === 'sample writer closed with samples unwritten');
    assert.equal(error?.unwrittenSamples, 28);
    assert.equal(writer.write(samples(1)), false);
  });

  it('never runs two appends at once', async () => {
    const { store, batches, maxActive } = fakeStore(() => sleep(15));
    const { logger } = captureLogger();
    const writer = createSampleWriter({
      store,
      maxBufferedSamples: 1000,
      maxBatchSamples: 3,
      flushIntervalMs: 1,
      logger,
    });
    for (let i = 0; i < 10; i++) {
      writer.write(samples(2, i * 2));
      await sleep(3);
    }
    await writer.flush();
    assert.equal(maxActive(), 1);
    assert.equal(batches.flat().length, 20);
    assert.equal(writer.stats().writtenSamples, 20);
    await writer.close();
  });

  it('writes into the SQLite store', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    const { logger } = captureLogger();
    const writer = createSampleWriter({
      store,
      maxBufferedSamples: 100,
      flushIntervalMs: 60_000,
      logger,
    });
    writer.write(samples(3, 100));
    await writer.close();
    const got = await store.select([{ name: '__name__', type: '=', value: 'm' }], 0, 1000);
    assert.deepEqual(got, [
      { labels: { __name__: 'm' }, timestampsMs: [100, 101, 102], values: [0, 1, 2] },
    ]);
    await store.close();
  });
});
