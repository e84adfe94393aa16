import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectSnapshot } from '../../agent/collect.js';
import { runCommand } from '../../agent/exec.js';
import { findProjectRoot } from '../paths.js';
import { estimateRunning, simulateGpus, type DemoGpuCopy, type LoadModel } from './load.js';
import { CAPTURE_PREFIX, loadSmiCaptures, renderAppsTable, renderGpuTable } from './smi-table.js';
import { writeStandIn, writeStandInTables } from './stand-in.js';

const root = findProjectRoot();
const captures = loadSmiCaptures(root);
const MIB = 1024 * 1024;
const capturedAt = (kind: string) =>
  readFileSync(join(root, `${CAPTURE_PREFIX}.${kind}.query-gpu.csv`), 'utf8');

/** The capture with its timestamp cell replaced by the rendered one. */
function withTimestamp(text: string, rendered: string): string {
  const stamp = rendered.split('\n')[1]!.split(', ')[0]!;
  const [header, row] = text.trimEnd().split('\n');
  return `${header}\n${stamp}${row!.slice(row!.indexOf(', '))}\n`;
}

test('one GPU at 0 % and at 100 % renders exactly the real idle and load captures', () => {
  const idle = renderGpuTable(captures, [{ index: 0, utilizationRatio: 0, memoryUsedMiB: 0 }], 0);
  assert.equal(idle, withTimestamp(capturedAt('idle'), idle));
  const load = renderGpuTable(
    captures,
    [{ index: 0, utilizationRatio: 1, memoryUsedMiB: 19818 }],
    0,
  );
  assert.equal(load, withTimestamp(capturedAt('load'), load));
});

test('the agent reads the stand-in exactly: 8 GPUs, requested columns, units stripped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-gpu-test-'));
  try {
    const smi = writeStandIn(dir);
    const gpus = Array.from({ length: 8 }, (_, index) => ({
      index,
      utilizationRatio: index === 7 ? 0 : index / 10,
      memoryUsedMiB: index * 1000,
    }));
    const processes = [{ gpuIndex: 2, pid: 4242, processName: 'node', usedMemoryMiB: 1480 }];
    writeStandInTables(
      dir,
      renderGpuTable(captures, gpus, 0),
      renderAppsTable(captures, processes, 0),
    );
    const snapshot = await collectSnapshot({
      source: 'nvidia-smi',
      nvidiaSmiPath: smi,
      nvidiaSmiFormat: 'csv',
      dcgmUrl: 'http://127.0.0.1:1/metrics',
      commandTimeoutSeconds: 5,
    });
    assert.deepEqual(snapshot.warnings, []);
    assert.equal(snapshot.gpus.length, 8);
    assert.deepEqual(snapshot.gpus[2], {
      gpu: '2',
      uuid: 'GPU-00000000-0000-0000-0000-000000000002',
      model: 'NVIDIA H100 80GB HBM3',
      utilizationRatio: 0.2,
      memoryUsedBytes: 2000 * MIB,
      memoryTotalBytes: 81559 * MIB,
      powerWatts: 182.27,
      temperatureCelsius: 45,
      migEnabled: false,
    });
    assert.equal(snapshot.gpus[7]?.powerWatts, 69.85);
    assert.deepEqual(snapshot.processes, [
      {
        pid: 4242,
        gpuUuid: 'GPU-00000000-0000-0000-0000-000000000002',
        processName: 'node',
        usedMemoryBytes: 1480 * MIB,
      },
    ]);

    const bare = await runCommand(smi, ['--query-gpu=index,memory.used', '--format=csv,noheader'], {
      timeoutMs: 5000,
    });
    assert.equal(bare.split('\n').slice(0, 2).join('\n'), '0, 0 MiB\n1, 1000 MiB');
    await assert.rejects(
      runCommand(smi, ['--query-gpu=index,bogus', '--format=csv'], { timeoutMs: 5000 }),
      /exited with status 2: Field "bogus" is not a valid field to query/,
    );
    await assert.rejects(
      runCommand(smi, ['-q', '-x'], { timeoutMs: 5000 }),
      /exited with status 2: stand-in nvidia-smi \(llmwatch demo\): unsupported argument -q/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const model: LoadModel = { secondsPerToken: 0.025, saturationRequests: 4, contextMiB: 520 };

test('running requests are estimated from token rate, or from busy time when measured', () => {
  // 160 tokens/s × 0.025 s per token per request = 4 requests running.
  assert.equal(estimateRunning({ outputTokens: 100 }, { outputTokens: 420 }, 2, model), 4);
  assert.equal(estimateRunning({ outputTokens: 5 }, { outputTokens: 5 }, 1, model), 0);
  // Half the second spent generating: half of saturation.
  const busy = estimateRunning(
    { outputTokens: 0, busySeconds: 3 },
    { outputTokens: 9, busySeconds: 3.5 },
    1,
    model,
  );
  assert.equal(busy, 2);
  assert.equal(estimateRunning({ outputTokens: 0 }, { outputTokens: 10 }, 0, model), 0);
});

test('each copy loads its own GPUs; unused GPUs stay idle and empty', () => {
  const copy = (gpus: number[]): DemoGpuCopy => ({
    component: 'c',
    copy: 'x',
    gpus,
    counters: () => ({ outputTokens: 0 }),
    weightsMiBPerGpu: 10_000,
    kvMiBPerGpu: 8_000,
  });
  const { gpus, processes } = simulateGpus(3, [copy([0, 1])], [1], model, 7, 'node');
  assert.deepEqual(gpus, [
    { index: 0, utilizationRatio: 0.25, memoryUsedMiB: 12_520 },
    { index: 1, utilizationRatio: 0.25, memoryUsedMiB: 12_520 },
    { index: 2, utilizationRatio: 0, memoryUsedMiB: 0 },
  ]);
  assert.deepEqual(processes, [
    { gpuIndex: 0, pid: 7, processName: 'node', usedMemoryMiB: 12_000 },
    { gpuIndex: 1, pid: 7, processName: 'node', usedMemoryMiB: 12_000 },
  ]);
  // Beyond saturation the GPU reads 100 %.
  assert.equal(simulateGpus(1, [copy([0])], [9], model, 7, 'node').gpus[0]?.utilizationRatio, 1);
});
