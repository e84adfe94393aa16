import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseComputeAppsCsv, parseQueryGpuCsv, QUERY_GPU_FIELDS } from './csv.js';
import type { GpuReading } from './reading.js';

const MIB = 1024 * 1024;
const DIR = new URL('../../test/fixtures/nvidia-smi/csv/', import.meta.url);
const UUID = 'GPU-00000000-0000-0000-0000-000000000000';
const read = (name: string) => readFileSync(new URL(name, DIR), 'utf8');

function gpu(model: string, values: Partial<GpuReading>): GpuReading {
  return { gpu: '0', uuid: UUID, model, ...values };
}

const H100 = 'NVIDIA H100 80GB HBM3';
const QUERY_GPU_CASES: [string, GpuReading][] = [
  [
    'linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.idle',
    gpu(H100, {
      utilizationRatio: 0,
      memoryUsedBytes: 0,
      memoryTotalBytes: 81559 * MIB,
      powerWatts: 69.85,
      temperatureCelsius: 41,
      migEnabled: false,
    }),
  ],
  [
    'linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.load',
    gpu(H100, {
      utilizationRatio: 1,
      memoryUsedBytes: 19818 * MIB,
      memoryTotalBytes: 81559 * MIB,
      powerWatts: 631.95,
      temperatureCelsius: 59,
      migEnabled: false,
    }),
  ],
  // MIG on: utilization.gpu is [N/A], so no utilization at all (not 0).
  [
    'linux-x86_64__nvidia-h100-mig__590.48.01.idle',
    gpu(H100, {
      memoryUsedBytes: 59 * MIB,
      memoryTotalBytes: 81559 * MIB,
      powerWatts: 71.15,
      temperatureCelsius: 42,
      migEnabled: true,
    }),
  ],
  [
    'linux-x86_64__nvidia-h100-mig__590.48.01.load',
    gpu(H100, {
      memoryUsedBytes: 11125 * MIB,
      memoryTotalBytes: 81559 * MIB,
      powerWatts: 433.78,
      temperatureCelsius: 53,
      migEnabled: true,
    }),
  ],
  [
    'linux-x86_64__nvidia-h200__590.48.01.idle',
    gpu('NVIDIA H200', {
      utilizationRatio: 0,
      memoryUsedBytes: 0,
      memoryTotalBytes: 143771 * MIB,
      powerWatts: 77.71,
      temperatureCelsius: 28,
      migEnabled: false,
    }),
  ],
  [
    'linux-x86_64__nvidia-h200__590.48.01.load',
    gpu('NVIDIA H200', {
      utilizationRatio: 1,
      memoryUsedBytes: 32362 * MIB,
      memoryTotalBytes: 143771 * MIB,
      powerWatts: 627.4,
      temperatureCelsius: 52,
      migEnabled: false,
    }),
  ],
  // L40S: mig.mode.current is [N/A], so migEnabled is absent.
  [
    'linux-x86_64__nvidia-l40s__595.80.idle',
    gpu('NVIDIA L40S', {
      utilizationRatio: 1,
      memoryUsedBytes: 0,
      memoryTotalBytes: 46068 * MIB,
      powerWatts: 144.97,
      temperatureCelsius: 63,
    }),
  ],
  [
    'linux-x86_64__nvidia-l40s__595.80.load',
    gpu('NVIDIA L40S', {
      utilizationRatio: 0.09,
      memoryUsedBytes: 1235 * MIB,
      memoryTotalBytes: 46068 * MIB,
      powerWatts: 110.23,
      temperatureCelsius: 54,
    }),
  ],
];

for (const [name, expected] of QUERY_GPU_CASES) {
  test(`--query-gpu capture ${name}`, () => {
    assert.deepEqual(parseQueryGpuCsv(read(`${name}.query-gpu.csv`)), {
      gpus: [expected],
      warnings: [],
    });
  });
}

const proc = (pid: number, processName: string, mib: number) => ({
  pid,
  gpuUuid: UUID,
  processName,
  usedMemoryBytes: mib * MIB,
});
const COMPUTE_APPS_CASES: [string, ReturnType<typeof proc>[]][] = [
  ['linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.idle', []],
  [
    'linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.load',
    [
      proc(11327, '/root/tools/memhog', 2566),
      proc(11328, '/root/tools/memhog', 1542),
      proc(11345, './gpu_burn', 15690),
    ],
  ],
  ['linux-x86_64__nvidia-h100-mig__590.48.01.idle', []],
  [
    'linux-x86_64__nvidia-h100-mig__590.48.01.load',
    [
      proc(21180, '/root/tools/memhog', 2296),
      proc(21181, '/root/tools/memhog', 1272),
      proc(21198, './gpu_burn', 7484),
    ],
  ],
  ['linux-x86_64__nvidia-h200__590.48.01.idle', []],
  [
    'linux-x86_64__nvidia-h200__590.48.01.load',
    [
      proc(10291, '/root/tools/memhog', 2566),
      proc(10293, '/root/tools/memhog', 1542),
      proc(10309, './gpu_burn', 28234),
    ],
  ],
  ['linux-x86_64__nvidia-l40s__595.80.idle', []],
  [
    'linux-x86_64__nvidia-l40s__595.80.load',
    [proc(20037, 'ffmpeg', 538), proc(20038, 'ffmpeg', 681)],
  ],
];

for (const [name, expected] of COMPUTE_APPS_CASES) {
  test(`--query-compute-apps capture ${name}`, () => {
    assert.deepEqual(parseComputeAppsCsv(read(`${name}.query-compute-apps.csv`)), {
      processes: expected,
      warnings: [],
    });
  });
}

test('noheader,nounits output is read by the requested field order', () => {
  const text =
    '0, GPU-a, NVIDIA H100, 37, 1024, 81559, 250.5, 61, Disabled\n' +
    '1, GPU-b, NVIDIA H100, [Not Supported], [Unknown Error], 81559, [N/A], 30, [N/A]\n';
  assert.deepEqual(parseQueryGpuCsv(text, { fields: QUERY_GPU_FIELDS }), {
    gpus: [
      {
        gpu: '0',
        uuid: 'GPU-a',
        model: 'NVIDIA H100',
        utilizationRatio: 0.37,
        memoryUsedBytes: 1024 * MIB,
        memoryTotalBytes: 81559 * MIB,
        powerWatts: 250.5,
        temperatureCelsius: 61,
        migEnabled: false,
      },
      {
        gpu: '1',
        uuid: 'GPU-b',
        model: 'NVIDIA H100',
        memoryTotalBytes: 81559 * MIB,
        temperatureCelsius: 30,
      },
    ],
    warnings: [],
  });
});

test('header with units and values with units are read the same as nounits', () => {
  const text =
    'index, uuid, utilization.gpu [%], memory.used [MiB], power.draw [W]\n0, GPU-a, 5 %, 10 MiB, 70.25 W\n';
  assert.deepEqual(parseQueryGpuCsv(text).gpus, [
    {
      gpu: '0',
      uuid: 'GPU-a',
      model: '',
      utilizationRatio: 0.05,
      memoryUsedBytes: 10 * MIB,
      powerWatts: 70.25,
    },
  ]);
});

test('an unreadable value is left out with a warning naming the field', () => {
  const text = 'index, memory.used [MiB], power.draw [W]\n0, lots, 12 GiB\n';
  const result = parseQueryGpuCsv(text, { command: '/usr/bin/nvidia-smi' });
  assert.deepEqual(result.gpus, [{ gpu: '0', uuid: '', model: '' }]);
  assert.deepEqual(result.warnings, [
    '/usr/bin/nvidia-smi --query-gpu gpu 0: memory.used must be a number in MiB, got "lots"; left out',
    '/usr/bin/nvidia-smi --query-gpu gpu 0: power.draw must be a number in W, got "12 GiB"; left out',
  ]);
});

test('garbage, a ragged row and an empty body throw agent_parse naming the command', () => {
  assert.throws(
    () => parseQueryGpuCsv('Failed to initialize NVML: Driver/library version mismatch\n'),
    {
      code: 'agent_parse',
      message: /^nvidia-smi --query-gpu: no "index" column/,
    },
  );
  assert.throws(() => parseQueryGpuCsv('index, uuid\n0, GPU-a, extra\n'), {
    code: 'agent_parse',
    message:
      'nvidia-smi --query-gpu: line 2 has 3 values but the header has 2; got "0, GPU-a, extra"',
  });
  assert.throws(() => parseQueryGpuCsv(''), { code: 'agent_parse', message: /output is empty/ });
  assert.throws(() => parseQueryGpuCsv('index\nzero\n'), {
    code: 'agent_parse',
    message: 'nvidia-smi --query-gpu: line 2: index must be a whole number, got "zero"',
  });
});

test('compute-apps: "No running processes found" and a bad pid', () => {
  const fields = ['pid', 'gpu_uuid', 'used_memory'];
  assert.deepEqual(parseComputeAppsCsv('No running processes found\n', { fields }), {
    processes: [],
    warnings: [],
  });
  assert.deepEqual(parseComputeAppsCsv('[N/A], GPU-a, 5\n7, GPU-a, [N/A]\n', { fields }), {
    processes: [{ pid: 7, gpuUuid: 'GPU-a' }],
    warnings: [
      'nvidia-smi --query-compute-apps: line 1: pid must be a whole number, got "[N/A]"; row left out',
    ],
  });
});
