/**
 * Maps `nvidia-smi -q -x` (DTD v11, v12 and v13) onto GPU readings, MIG slices and processes.
 * The GPU index is the position of the `<gpu>` element: nvidia-smi lists GPUs in index order and
 * the XML has no index field (`minor_number` is the /dev/nvidiaN number, which can differ).
 * Power comes from `gpu_power_readings/power_draw` (v12), `average_power_draw` or
 * `instant_power_draw` (v13) or `power_readings/power_draw` (v11).
 *
 * Limitation: MIG slices carry memory only; nvidia-smi reports no per-slice utilization, power
 * or temperature (use DCGM's DCGM_FI_PROF_GR_ENGINE_ACTIVE for per-slice activity).
 */
import { LlmwatchError } from '../core/errors.js';
import { assignDefined } from './csv.js';
import { QuantityReader, isMissingValue, type GpuSnapshot, type GpuReading } from './reading.js';
import { child, parseXml, path, type XmlElement } from './xml-tree.js';

/** Parses a whole `nvidia-smi -q -x` document. Throws LlmwatchError `agent_parse` on bad XML. */
export function parseSmiXml(text: string, command = 'nvidia-smi'): GpuSnapshot {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (err) {
    throw new LlmwatchError('agent_parse', `${command} -q -x: ${(err as Error).message}`);
  }
  if (root.name !== 'nvidia_smi_log') {
    throw new LlmwatchError(
      'agent_parse',
      `${command} -q -x: root element is <${root.name}>, expected <nvidia_smi_log>`,
    );
  }
  const snapshot: GpuSnapshot = { gpus: [], processes: [], warnings: [] };
  root.children
    .filter((c) => c.name === 'gpu')
    .forEach((gpu, index) => readGpu(gpu, String(index), command, snapshot));
  return snapshot;
}

function readGpu(gpu: XmlElement, index: string, command: string, out: GpuSnapshot): void {
  const reader = new QuantityReader(`${command} -q -x gpu ${index}`);
  const reading: GpuReading = {
    gpu: index,
    uuid: textOf(child(gpu, 'uuid')),
    model: textOf(child(gpu, 'product_name')),
  };
  assignDefined(reading, {
    utilizationRatio: reader.percentRatio('gpu_util', path(gpu, 'utilization', 'gpu_util')?.text),
    memoryUsedBytes: reader.mebibytes(
      'fb_memory_usage.used',
      path(gpu, 'fb_memory_usage', 'used')?.text,
    ),
    memoryTotalBytes: reader.mebibytes(
      'fb_memory_usage.total',
      path(gpu, 'fb_memory_usage', 'total')?.text,
    ),
    powerWatts: readPower(gpu, reader),
    temperatureCelsius: reader.read('gpu_temp', path(gpu, 'temperature', 'gpu_temp')?.text, 'C'),
  });
  const mig = textOf(path(gpu, 'mig_mode', 'current_mig'));
  if (mig !== '') reading.migEnabled = mig === 'Enabled';
  out.gpus.push(reading);

  const seenInstances = new Set<string>();
  for (const device of child(gpu, 'mig_devices')?.children ?? []) {
    if (device.name !== 'mig_device') continue;
    const instance = textOf(child(device, 'gpu_instance_id'));
    if (!/^\d+$/.test(instance) || seenInstances.has(instance)) continue;
    seenInstances.add(instance);
    const slice: GpuReading = {
      gpu: `${index}/${instance}`,
      uuid: reading.uuid,
      model: reading.model,
      parentGpu: index,
    };
    const fb = child(device, 'fb_memory_usage');
    assignDefined(slice, {
      memoryUsedBytes: reader.mebibytes(`mig ${instance} used`, child(fb, 'used')?.text),
      memoryTotalBytes: reader.mebibytes(`mig ${instance} total`, child(fb, 'total')?.text),
    });
    out.gpus.push(slice);
  }

  for (const processes of gpu.children.filter((c) => c.name === 'processes')) {
    for (const info of processes.children.filter((c) => c.name === 'process_info')) {
      const pid = textOf(child(info, 'pid'));
      if (!/^\d+$/.test(pid)) continue;
      const instance = textOf(child(info, 'gpu_instance_id'));
      const onSlice = reading.migEnabled === true && /^\d+$/.test(instance);
      const process = {
        pid: Number(pid),
        gpuUuid: reading.uuid,
        gpu: onSlice ? `${index}/${instance}` : index,
      };
      const name = textOf(child(info, 'process_name'));
      assignDefined(
        process as typeof process & { processName?: string; usedMemoryBytes?: number },
        {
          processName: name === '' ? undefined : name,
          usedMemoryBytes: reader.mebibytes(
            `pid ${pid} used_memory`,
            child(info, 'used_memory')?.text,
          ),
        },
      );
      out.processes.push(process);
    }
  }
  out.warnings.push(...reader.warnings);
}

function readPower(gpu: XmlElement, reader: QuantityReader): number | undefined {
  const candidates: [string, string][] = [
    ['gpu_power_readings', 'power_draw'],
    ['gpu_power_readings', 'average_power_draw'],
    ['gpu_power_readings', 'instant_power_draw'],
    ['power_readings', 'power_draw'],
  ];
  for (const [block, field] of candidates) {
    const value = reader.read(`${block}.${field}`, path(gpu, block, field)?.text, 'W');
    if (value !== undefined) return value;
  }
  return undefined;
}

function textOf(element: XmlElement | undefined): string {
  const text = element?.text ?? '';
  return isMissingValue(text) ? '' : text;
}
