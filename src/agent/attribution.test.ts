import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attributeGpus, copyProcessTrees, type CopyMatcher } from './attribution.js';
import { readProcessTable } from './proc.js';
import type { GpuReading } from './reading.js';
import { buildSamples } from './samples.js';

/** A fake /proc: pid -> [ppid, cmdline]. */
function fakeProc(processes: Record<number, [number, string]>): string {
  const root = mkdtempSync(join(tmpdir(), 'agent-proc-'));
  for (const [pid, [ppid, cmdline]] of Object.entries(processes)) {
    mkdirSync(join(root, pid));
    writeFileSync(join(root, pid, 'stat'), `${pid} (odd) name) S ${ppid} 1 1 0`);
    writeFileSync(join(root, pid, 'cmdline'), cmdline.split(' ').join('\0') + '\0');
  }
  return root;
}

test('copies own GPUs by config, by PID tree, by pattern, by PID file; slices inherit', () => {
  const root = fakeProc({
    100: [1, 'python -m vllm serve qwen --port 8001'],
    101: [100, 'python worker'],
    200: [1, 'sglang'],
    300: [1, 'tgi'],
    301: [300, 'tgi-shard'],
  });
  const pidFile = join(root, 'tgi.pid');
  writeFileSync(pidFile, '300\n');
  const gpus: GpuReading[] = [
    { gpu: '0', uuid: 'GPU-0', model: 'H100' },
    { gpu: '1', uuid: 'GPU-1', model: 'H100' },
    { gpu: '2', uuid: 'GPU-2', model: 'H100', migEnabled: true },
    { gpu: '2/3', uuid: 'GPU-2', model: 'H100', parentGpu: '2' },
    { gpu: '2/5', uuid: 'GPU-2', model: 'H100', parentGpu: '2' },
    { gpu: '3', uuid: 'GPU-3', model: 'H100' },
    { gpu: '4', uuid: 'GPU-4', model: 'H100' },
  ];
  const copies: CopyMatcher[] = [
    { component: 'chat', copy: 'c0', processPattern: /vllm serve qwen/ },
    { component: 'batch', copy: 'b0', pid: 200, gpus: ['2/5'] },
    { component: 'embed', copy: 'e0', pidFile, gpuUuids: ['GPU-3'] },
  ];
  const table = readProcessTable({ procRoot: root, withCmdline: true });
  const trees = copyProcessTrees(copies, table, 0);
  assert.deepEqual(
    trees.map((t) => [...t].sort()),
    [[100, 101], [200], [300, 301]],
  );
  const processes = [
    { pid: 101, gpuUuid: 'GPU-0' },
    { pid: 200, gpuUuid: 'GPU-2' },
    { pid: 301, gpuUuid: 'GPU-1' },
    { pid: 999, gpuUuid: 'GPU-4' },
  ];
  const owners = attributeGpus(gpus, processes, copies, trees);
  assert.deepEqual(Object.fromEntries(owners), {
    '0': { component: 'chat', copy: 'c0' },
    '1': { component: 'embed', copy: 'e0' },
    '2': { component: 'batch', copy: 'b0' },
    '2/3': { component: 'batch', copy: 'b0' },
    '2/5': { component: 'batch', copy: 'b0' },
    '3': { component: 'embed', copy: 'e0' },
  });

  const samples = buildSamples(gpus.slice(2, 5), owners, {
    instance: 'h1',
    instanceType: '',
    timestampMs: 5,
  });
  assert.deepEqual(
    samples.map((s) => [s.labels, s.value]),
    [
      [
        {
          __name__: 'gpu_allocated',
          instance: 'h1',
          gpu: '2/3',
          component: 'batch',
          copy: 'b0',
          source: 'agent',
        },
        1,
      ],
      [
        {
          __name__: 'gpu_allocated',
          instance: 'h1',
          gpu: '2/5',
          component: 'batch',
          copy: 'b0',
          source: 'agent',
        },
        1,
      ],
      [{ __name__: 'host_info', instance: 'h1', source: 'agent' }, 1],
    ],
  );
  rmSync(root, { recursive: true });
});

test('samples: every gauge present, absent values absent, free GPU counted', () => {
  const samples = buildSamples(
    [
      {
        gpu: '0',
        uuid: 'GPU-0',
        model: 'L40S',
        utilizationRatio: 0.5,
        memoryUsedBytes: 10,
        memoryTotalBytes: 20,
        powerWatts: 100,
        temperatureCelsius: 50,
      },
      { gpu: '1', uuid: '', model: 'L40S', memoryUsedBytes: 0 },
    ],
    new Map([['0', { component: 'chat', copy: 'c0' }]]),
    { instance: 'h1', instanceType: 'g6e.xlarge', timestampMs: 1000 },
  );
  const owned = {
    instance: 'h1',
    gpu: '0',
    gpu_uuid: 'GPU-0',
    gpu_model: 'L40S',
    component: 'chat',
    copy: 'c0',
    source: 'agent',
  };
  assert.deepEqual(samples, [
    { labels: { __name__: 'gpu_utilization_ratio', ...owned }, timestampMs: 1000, value: 0.5 },
    { labels: { __name__: 'gpu_memory_used_bytes', ...owned }, timestampMs: 1000, value: 10 },
    { labels: { __name__: 'gpu_memory_total_bytes', ...owned }, timestampMs: 1000, value: 20 },
    { labels: { __name__: 'gpu_power_watts', ...owned }, timestampMs: 1000, value: 100 },
    { labels: { __name__: 'gpu_temperature_celsius', ...owned }, timestampMs: 1000, value: 50 },
    {
      labels: {
        __name__: 'gpu_allocated',
        instance: 'h1',
        gpu: '0',
        component: 'chat',
        copy: 'c0',
        source: 'agent',
      },
      timestampMs: 1000,
      value: 1,
    },
    {
      labels: {
        __name__: 'gpu_memory_used_bytes',
        instance: 'h1',
        gpu: '1',
        gpu_model: 'L40S',
        source: 'agent',
      },
      timestampMs: 1000,
      value: 0,
    },
    {
      labels: { __name__: 'gpu_free', instance: 'h1', gpu: '1', source: 'agent' },
      timestampMs: 1000,
      value: 1,
    },
    {
      labels: {
        __name__: 'host_info',
        instance: 'h1',
        instance_type: 'g6e.xlarge',
        source: 'agent',
      },
      timestampMs: 1000,
      value: 1,
    },
  ]);
});
