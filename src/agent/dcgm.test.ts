import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseExposition } from '../scrape/exposition.js';
import { mapDcgm } from './dcgm.js';
import { isDcgmValue } from '../scrape/dcgm.js';

const MIB = 1024 * 1024;

test('the Datadog DCGM capture maps to one reading per GPU and UUID', () => {
  const text = readFileSync(
    new URL(
      '../../test/fixtures/nvidia-smi/dcgm/datadog-dcgm-t4-a10g-partly-dummy.metrics.txt',
      import.meta.url,
    ),
    'utf8',
  );
  assert.deepEqual(mapDcgm(parseExposition(text).families), [
    {
      gpu: '0',
      uuid: 'GPU-20c56d28-0da5-6d26-a36a-e7af1ce2586e',
      model: 'Tesla T4',
      utilizationRatio: 0,
      memoryUsedBytes: 0,
      memoryTotalBytes: 15109 * MIB,
      powerWatts: 8.969,
      temperatureCelsius: 25,
    },
    // Second host in the file: only FB_TOTAL among the mapped fields.
    {
      gpu: '0',
      uuid: 'GPU-9ef1b6d0-3643-5dd7-b823-c0ec20dcf2d5',
      model: 'Tesla T4',
      memoryTotalBytes: 15109 * MIB,
    },
    { gpu: '0', uuid: 'GPU-abc', model: 'NVIDIA A10G' },
  ]);
});

test('sentinels are absent, MIG slices use GR_ENGINE_ACTIVE and get "<gpu>/<GPU_I_ID>"', () => {
  const text = [
    'DCGM_FI_DEV_GPU_TEMP{gpu="1",UUID="GPU-m",modelName="H100"} 9223372036854775794',
    'DCGM_FI_DEV_POWER_USAGE{gpu="1",UUID="GPU-m",modelName="H100"} 140737488355328',
    'DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-m",modelName="H100"} 2147483632',
    'DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu="1",UUID="GPU-m",modelName="H100",GPU_I_PROFILE="3g.40gb",GPU_I_ID="2"} 0.25',
    'DCGM_FI_DEV_FB_USED{gpu="1",UUID="GPU-m",modelName="H100",GPU_I_PROFILE="3g.40gb",GPU_I_ID="2"} 100',
    'DCGM_FI_DEV_FB_FREE{gpu="1",UUID="GPU-m",modelName="H100",GPU_I_PROFILE="3g.40gb",GPU_I_ID="2"} 300',
    'DCGM_FI_DEV_GPU_TEMP 40',
    '',
  ].join('\n');
  assert.deepEqual(mapDcgm(parseExposition(text).families), [
    { gpu: '1', uuid: 'GPU-m', model: 'H100' },
    {
      gpu: '1/2',
      uuid: 'GPU-m',
      model: 'H100',
      parentGpu: '1',
      utilizationRatio: 0.25,
      memoryUsedBytes: 100 * MIB,
      memoryTotalBytes: 400 * MIB,
    },
  ]);
  assert.equal(isDcgmValue(2147483631), true);
  assert.equal(isDcgmValue(Number.NaN), false);
});
