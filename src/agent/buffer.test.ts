import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBatchBuffer } from './buffer.js';

test('the buffer keeps order across reopen and drops the oldest beyond its size', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'agent-buffer-')), 'b');
  const first = openBatchBuffer(dir, 25);
  for (const text of ['aaaaaaaaaa', 'bbbbbbbbbb', 'cccccccccc']) first.append(Buffer.from(text));
  assert.equal(first.droppedBatches, 1);
  assert.equal(first.pendingBytes, 20);

  const reopened = openBatchBuffer(dir, 25);
  reopened.append(Buffer.from('dd'));
  const seen: string[] = [];
  for (let next = reopened.peek(); next; next = reopened.peek()) {
    seen.push(next.batch.toString());
    reopened.remove(next.id);
  }
  assert.deepEqual(seen, ['bbbbbbbbbb', 'cccccccccc', 'dd']);
  assert.equal(reopened.pendingBatches, 0);
  rmSync(dir, { recursive: true });
});
