/**
 * A bounded on-disk queue of encoded remote-write batches, so samples survive while the server
 * is away (and an agent restart). One file per batch, named by a zero-padded sequence number so
 * name order is arrival order; written to a temporary name and renamed, so a crash never leaves
 * half a batch. Beyond `maxBytes` the oldest batches are deleted and counted in `droppedBatches`.
 */
import {
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { LlmwatchError } from '../core/errors.js';

/** A disk-backed FIFO of byte batches. */
export interface BatchBuffer {
  /** Appends a batch, then drops the oldest batches while the total exceeds the limit. */
  append(batch: Buffer): void;
  /** The oldest batch and its id, or undefined when empty. */
  peek(): { id: string; batch: Buffer } | undefined;
  /** Deletes a batch returned by peek. */
  remove(id: string): void;
  /** Batches waiting. */
  readonly pendingBatches: number;
  /** Bytes waiting. */
  readonly pendingBytes: number;
  /** Batches deleted unsent because the buffer was full (since start). */
  readonly droppedBatches: number;
}

const SUFFIX = '.rwb';

/**
 * Opens (creating if needed) the buffer in `dir`; batches left by an earlier run are kept and
 * sent first. Throws LlmwatchError `agent_buffer_unusable` when the directory cannot be created.
 */
export function openBatchBuffer(dir: string, maxBytes: number): BatchBuffer {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new LlmwatchError(
      'agent_buffer_unusable',
      `agent: cannot create buffer directory ${dir} (${(err as Error).message}); set agent.bufferDir to a writable directory`,
    );
  }
  const files: { name: string; sizeBytes: number }[] = readdirSync(dir)
    .filter((name) => name.endsWith(SUFFIX))
    .sort()
    .map((name) => ({ name, sizeBytes: statSync(join(dir, name)).size }));
  let totalBytes = files.reduce((sum, f) => sum + f.sizeBytes, 0);
  let nextSeq =
    files.length === 0 ? 1 : Number.parseInt(files[files.length - 1]?.name ?? '0', 10) + 1;
  let dropped = 0;

  const removeFile = (name: string) => {
    const at = files.findIndex((f) => f.name === name);
    if (at < 0) return;
    const [file] = files.splice(at, 1);
    totalBytes -= file?.sizeBytes ?? 0;
    try {
      unlinkSync(join(dir, name));
    } catch {
      // already gone
    }
  };

  return {
    append(batch) {
      const name = `${String(nextSeq++).padStart(16, '0')}${SUFFIX}`;
      const tmp = join(dir, `${name}.tmp`);
      writeFileSync(tmp, batch);
      renameSync(tmp, join(dir, name));
      files.push({ name, sizeBytes: batch.length });
      totalBytes += batch.length;
      while (totalBytes > maxBytes && files.length > 1) {
        removeFile(files[0]?.name ?? '');
        dropped++;
      }
    },
    peek() {
      const first = files[0];
      if (!first) return undefined;
      return { id: first.name, batch: readFileSync(join(dir, first.name)) };
    },
    remove: removeFile,
    get pendingBatches() {
      return files.length;
    },
    get pendingBytes() {
      return totalBytes;
    },
    get droppedBatches() {
      return dropped;
    },
  };
}
