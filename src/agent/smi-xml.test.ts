import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSmiXml } from './smi-xml.js';
import { parseXml } from './xml-tree.js';

const MIB = 1024 * 1024;
const read = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/nvidia-smi/xml/${name}`, import.meta.url), 'utf8');

test('A100 DTD v12 with MIG on: parent reading (no utilization) and four slices', () => {
  const uuid = 'GPU-513536b6-7d19-9063-b049-1e69664bb298';
  const model = 'NVIDIA A100-SXM4-80GB';
  const slice = (gi: number) => ({
    gpu: `0/${gi}`,
    uuid,
    model,
    parentGpu: '0',
    memoryUsedBytes: 12 * MIB,
    memoryTotalBytes: 19968 * MIB,
  });
  assert.deepEqual(parseSmiXml(read('telegraf-a100-sxm4-v12.xml')), {
    gpus: [
      {
        gpu: '0',
        uuid,
        model,
        memoryUsedBytes: 50 * MIB,
        memoryTotalBytes: 81920 * MIB,
        powerWatts: 67.03,
        temperatureCelsius: 27,
        migEnabled: true,
      },
      slice(3),
      slice(4),
      slice(5),
      slice(6),
    ],
    processes: [],
    warnings: [],
  });
});

test('A10G DTD v11 (power_readings block) with one graphics process', () => {
  const uuid = 'GPU-9a9a6c50-2a47-2f51-a902-b82c3b127e94';
  assert.deepEqual(parseSmiXml(read('telegraf-a10g.xml')), {
    gpus: [
      {
        gpu: '0',
        uuid,
        model: 'NVIDIA A10G',
        utilizationRatio: 0,
        memoryUsedBytes: 22 * MIB,
        memoryTotalBytes: 23028 * MIB,
        powerWatts: 25.58,
        temperatureCelsius: 17,
      },
    ],
    processes: [
      {
        pid: 725,
        gpuUuid: uuid,
        gpu: '0',
        processName: '/usr/lib/xorg/Xorg',
        usedMemoryBytes: 22 * MIB,
      },
    ],
    warnings: [],
  });
});

test('Tesla T4 DTD v11 with a compute process', () => {
  const uuid = 'GPU-d37e67a5-91dd-3774-a5cb-99096249601a';
  assert.deepEqual(parseSmiXml(read('telegraf-tesla-t4.xml')), {
    gpus: [
      {
        gpu: '0',
        uuid,
        model: 'Tesla T4',
        utilizationRatio: 0,
        memoryUsedBytes: 1032 * MIB,
        memoryTotalBytes: 15360 * MIB,
        powerWatts: 26.78,
        temperatureCelsius: 40,
      },
    ],
    processes: [
      {
        pid: 675,
        gpuUuid: uuid,
        gpu: '0',
        processName: '/usr/lib/xorg/Xorg',
        usedMemoryBytes: 22 * MIB,
      },
      { pid: 5762, gpuUuid: uuid, gpu: '0', processName: 'python', usedMemoryBytes: 1005 * MIB },
    ],
    warnings: [],
  });
});

// Hand-written (no real v13 capture was available): the v13 power fields, two GPUs, a MIG
// process on a slice, entities and a comment.
test('DTD v13 power fields, GPU index by position, processes on MIG slices', () => {
  const xml = `<?xml version="1.0" ?>
<!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v13.dtd">
<nvidia_smi_log><!-- two GPUs -->
  <gpu id="00000000:01:00.0"><product_name>A &amp; B</product_name><uuid>GPU-x</uuid>
    <gpu_power_readings><average_power_draw>N/A</average_power_draw><instant_power_draw>99.50 W</instant_power_draw></gpu_power_readings>
    <utilization><gpu_util>[Unknown Error]</gpu_util></utilization>
  </gpu>
  <gpu id="00000000:02:00.0"><product_name>H100</product_name><uuid>GPU-y</uuid>
    <mig_mode><current_mig>Enabled</current_mig></mig_mode>
    <mig_devices><mig_device><gpu_instance_id>2</gpu_instance_id></mig_device></mig_devices>
    <processes><process_info><gpu_instance_id>2</gpu_instance_id><pid>42</pid><used_memory>N/A</used_memory></process_info></processes>
  </gpu>
</nvidia_smi_log>`;
  assert.deepEqual(parseSmiXml(xml), {
    gpus: [
      { gpu: '0', uuid: 'GPU-x', model: 'A & B', powerWatts: 99.5 },
      { gpu: '1', uuid: 'GPU-y', model: 'H100', migEnabled: true },
      { gpu: '1/2', uuid: 'GPU-y', model: 'H100', parentGpu: '1' },
    ],
    processes: [{ pid: 42, gpuUuid: 'GPU-y', gpu: '1/2' }],
    warnings: [],
  });
});

test('malformed XML and a wrong root throw agent_parse naming the command', () => {
  assert.throws(() => parseSmiXml('<nvidia_smi_log><gpu></nvidia_smi_log>', '/opt/nvidia-smi'), {
    code: 'agent_parse',
    message:
      '/opt/nvidia-smi -q -x: XML: closing tag </nvidia_smi_log> does not match <gpu> (at character 21)',
  });
  assert.throws(() => parseSmiXml('garbage'), {
    code: 'agent_parse',
    message: /text outside the root/,
  });
  assert.throws(() => parseSmiXml('<html/>'), {
    code: 'agent_parse',
    message: 'nvidia-smi -q -x: root element is <html>, expected <nvidia_smi_log>',
  });
  assert.throws(() => parseXml('<a>&xxe;</a>'), {
    code: 'agent_parse',
    message: /unknown entity &xxe;/,
  });
  assert.throws(() => parseXml('<a>'.repeat(100)), {
    code: 'agent_parse',
    message: /deeper than 64/,
  });
});
