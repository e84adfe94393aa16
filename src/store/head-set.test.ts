import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeadSet } from './head-set.js';
import { SampleBuffer } from './sample-buffer.js';

const policy = { chunkSamples: 2, maxChunkSpanMs: 7_200_000 };

function samplesOf(heads: HeadSet, id: number): number[] {
  const out = new SampleBuffer();
  for (const head of heads.headsOf(heads.states.get(id))) head.readInto(-Infinity, Infinity, out);
  return out.toArrays().timestampsMs;
}

describe('head set', () => {
  it('gives each series a slot, small and huge ids alike, and reuses freed slots', () => {
    const heads = new HeadSet(policy);
    const ids = [1, 5000, 2 ** 40, Number.MAX_SAFE_INTEGER];
    const slots = ids.map((id) => heads.slotFor(id));
    assert.deepEqual(slots, [0, 1, 2, 3]);
    assert.deepEqual(
      ids.map((id) => heads.states.get(id)),
      slots,
    );
    assert.deepEqual(
      [...heads.states.keys()].sort((a, b) => a - b),
      ids,
    );
    assert.equal(heads.states.get(2), undefined);
    heads.add(2, 1000, 1, 7);
    heads.remove(2 ** 40);
    assert.equal(heads.states.get(2 ** 40), undefined);
    assert.equal(heads.states.size, 3);
    assert.equal(heads.slotFor(99), 2); // the freed slot, emptied
    assert.deepEqual(samplesOf(heads, 99), []);
  });

  it('cuts at a new 5-minute bucket into pending heads that keep their WAL rows', () => {
    const heads = new HeadSet(policy);
    const slot = heads.slotFor(3);
    heads.add(slot, 15_000, 1, 10);
    heads.add(slot, 30_000, 2, 11);
    heads.add(slot, 300_000, 3, 12); // same left-open bucket (0, 300000]: not cut yet
    assert.equal(heads.pending.size, 0);
    heads.add(slot, 300_001, 4, 13);
    const [cut] = heads.pending.get(3) ?? [];
    assert.equal(cut?.count, 3);
    assert.equal(cut?.firstWalId, 10);
    assert.equal(cut?.cutWalId, 12);
    assert.equal(heads.minNeededWalId(), 10);
    assert.deepEqual(samplesOf(heads, 3), [15_000, 30_000, 300_000, 300_001]);

    heads.pending.delete(3); // written
    assert.equal(heads.minNeededWalId(), 13);
    heads.freezeOlderThan(14, 13);
    assert.equal(heads.pending.get(3)?.[0]?.count, 1);
    assert.equal(heads.minNeededWalId(), 13);
    heads.dropIdle();
    assert.equal(heads.states.get(3), 0, 'kept: its head is not written yet');
    heads.pending.delete(3);
    assert.ok(!heads.hasUnsaved(3));
    heads.dropIdle();
    assert.equal(heads.states.get(3), undefined);
    assert.equal(heads.minNeededWalId(), Infinity);
    assert.equal(heads.pageBytes().inUse, 0);
  });

  it('knows the newest stored chunk end only after a write that overlapped nothing', () => {
    const heads = new HeadSet(policy);
    heads.slotFor(5);
    assert.equal(heads.newestStoredTs(5), undefined);
    heads.noteWritten(5, 1000, true); // what else is stored is still unknown
    assert.equal(heads.newestStoredTs(5), undefined);
    heads.noteWritten(5, 1000, false);
    assert.equal(heads.newestStoredTs(5), 300_000, 'rounded up to the end of its bucket');
    heads.noteWritten(5, 50, true);
    assert.equal(heads.newestStoredTs(5), 300_000, 'an older chunk keeps the bound');
    heads.noteWritten(5, 300_001, true);
    assert.equal(heads.newestStoredTs(5), 600_000);
    heads.noteWritten(5, -1, false);
    assert.equal(heads.newestStoredTs(5), 600_000);
    heads.noteWritten(5, 2 ** 52, false);
    assert.equal(heads.newestStoredTs(5), undefined, 'beyond 2^31 buckets: unknown');
    heads.noteWritten(5, -(2 ** 50), false);
    assert.equal(heads.newestStoredTs(5), undefined, 'below -2^31 buckets: unknown');
    heads.noteWritten(5, 900_000, false);
    assert.equal(heads.newestStoredTs(5), 900_000, 'known again after an overlap-free write');
    heads.slotFor(6);
    heads.noteWritten(6, -600_000, false);
    assert.equal(heads.newestStoredTs(6), -600_000);
    heads.remove(6);
    heads.slotFor(6);
    assert.equal(heads.newestStoredTs(6), undefined, 'a new slot knows nothing');
    assert.equal(heads.newestStoredTs(7), undefined);
  });
});
