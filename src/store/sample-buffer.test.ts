import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SampleBuffer } from './sample-buffer.js';

/** The two 32-bit words of `value` in memory order. */
function wordsOf(value: number): number[] {
  return [...new Uint32Array(new Float64Array([value]).buffer)];
}

const MARKER_WORDS = wordsOf(0); // filled below with 0x7ff0000000000002's words
{
  const f = new Float64Array(1);
  const u = new Uint32Array(f.buffer);
  const hiFirst = new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1;
  u[hiFirst ? 0 : 1] = 0x7ff00000;
  u[hiFirst ? 1 : 0] = 2;
  MARKER_WORDS.splice(0, 2, u[0] as number, u[1] as number);
}

describe('sample buffer', () => {
  it('keeps every bit of values and marker flags while growing', () => {
    const out = new SampleBuffer();
    const hiIndex = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
    for (let i = 0; i < 1000; i++) {
      out.reserve(1);
      // Alternating: the marker's bits, and a NaN with payload i + 1.
      if (i % 2 === 0) out.pushBits(i, 0x7ff00000, 2, true);
      else out.pushBits(i, 0x7ff00000, i + 1, false);
    }
    assert.equal(out.length, 1000);
    for (let i = 0; i < 1000; i++) {
      assert.equal(out.timestampsMs[i], i);
      const hi = out.valueWords[2 * i + hiIndex];
      const lo = out.valueWords[2 * i + 1 - hiIndex];
      assert.deepEqual([hi, lo], [0x7ff00000, i % 2 === 0 ? 2 : i + 1]);
      assert.equal(out.stale?.[i], i % 2 === 0 ? 1 : 0);
    }
    assert.deepEqual(
      out.toArrays().staleIndices,
      Array.from({ length: 500 }, (_, k) => 2 * k),
    );
  });

  it('copies samples with pushFrom bit for bit, markers included', () => {
    const a = new SampleBuffer(4);
    a.pushBits(1, 0x7ff00000, 2, true);
    a.pushBits(2, 0x80000000, 0, false); // -0
    const b = new SampleBuffer(1);
    b.reserve(2);
    b.pushFrom(a, 1);
    b.pushFrom(a, 0);
    assert.deepEqual([...b.timestampsMs.subarray(0, 2)], [2, 1]);
    assert.ok(Object.is(b.values[0], -0));
    assert.deepEqual([...b.valueWords.subarray(2, 4)], MARKER_WORDS);
    assert.deepEqual([...(b.stale ?? [])].slice(0, 2), [0, 1]);
    assert.equal(b.hasStale(), true);
    assert.equal(new SampleBuffer(3).hasStale(), false);
  });
});
