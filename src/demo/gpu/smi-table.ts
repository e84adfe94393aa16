/**
 * Renders what a real `nvidia-smi --query-gpu=<every field> --format=csv` and
 * `--query-compute-apps=<every field> --format=csv` print for a simulated host, starting from the
 * real H100 80GB HBM3 captures in test/fixtures/nvidia-smi/csv/ (driver 590.48.01): every cell
 * comes from the capture (the idle row for an idle GPU, the load row for a busy one) except the
 * ones that describe this GPU and this moment (index, UUID, bus id, utilisation, memory, power,
 * temperatures, timestamp). The stand-in script (stand-in.ts) selects the requested columns.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The captures the tables are built from, relative to the project root. */
export const CAPTURE_PREFIX =
  'test/fixtures/nvidia-smi/csv/linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01';

/** One captured table: its header cells and one data row per capture. */
export interface CapturedTable {
  header: string[];
  idle: string[];
  load: string[];
}

/** The captured query-gpu table and the compute-apps header. */
export interface SmiCaptures {
  gpu: CapturedTable;
  appsHeader: string[];
  /** One real compute-apps row (the load capture's first), as a template. */
  appsRow: string[];
}

/** nvidia-smi separates cells with ", " and never quotes. */
function cells(line: string): string[] {
  return line.split(', ');
}

/** Reads the H100 captures under `root`. Throws when a capture is missing or malformed. */
export function loadSmiCaptures(root: string): SmiCaptures {
  const read = (kind: string, what: string) =>
    readFileSync(join(root, `${CAPTURE_PREFIX}.${kind}.${what}.csv`), 'utf8')
      .trimEnd()
      .split('\n');
  const [header, idle] = read('idle', 'query-gpu');
  const [, load] = read('load', 'query-gpu');
  const [appsHeader, appsRow] = read('load', 'query-compute-apps');
  if (!header || !idle || !load || !appsHeader || !appsRow) {
    throw new Error(`nvidia-smi captures under ${root}/${CAPTURE_PREFIX}.* are incomplete`);
  }
  return {
    gpu: { header: cells(header), idle: cells(idle), load: cells(load) },
    appsHeader: cells(appsHeader),
    appsRow: cells(appsRow),
  };
}

/** The moment-to-moment state of one simulated GPU. */
export interface SimulatedGpuState {
  /** nvidia-smi index, 0-based. */
  index: number;
  /** Busy share 0..1 (utilization.gpu / 100). */
  utilizationRatio: number;
  /** Memory in use, MiB (whole). */
  memoryUsedMiB: number;
}

/** One compute process on a simulated GPU. */
export interface SimulatedGpuProcess {
  gpuIndex: number;
  pid: number;
  processName: string;
  usedMemoryMiB: number;
}

/** The masked UUID style of the captures, numbered per GPU. */
export function simulatedGpuUuid(index: number): string {
  return `GPU-00000000-0000-0000-0000-${String(index).padStart(12, '0')}`;
}

/** PCI bus number of GPU `index` (the capture's GPU sits on bus 0x00, device 0x09). */
function busHex(index: number): string {
  return index.toString(16).toUpperCase().padStart(2, '0');
}

function busId(index: number): string {
  return `00000000:${busHex(index)}:09.0`;
}

/** nvidia-smi's timestamp: local time "YYYY/MM/DD HH:MM:SS.mmm". */
export function formatSmiTimestamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`
  );
}

/** Renders the full query-gpu table (header and one row per GPU), with units, as nvidia-smi. */
export function renderGpuTable(
  captures: SmiCaptures,
  gpus: readonly SimulatedGpuState[],
  nowMs: number,
): string {
  const { header } = captures.gpu;
  const col = (name: string) => {
    const at = header.findIndex((h) => h === name || h.startsWith(`${name} [`));
    if (at < 0) throw new Error(`the nvidia-smi capture has no ${name} column`);
    return at;
  };
  const totalMiB = Number.parseInt(captures.gpu.idle[col('memory.total')]!, 10);
  const reservedMiB = Number.parseInt(captures.gpu.idle[col('memory.reserved')]!, 10);
  const idlePowerW = Number.parseFloat(captures.gpu.idle[col('power.draw')]!);
  const loadPowerW = Number.parseFloat(captures.gpu.load[col('power.draw')]!);
  const lines = [header.join(', ')];

  for (const gpu of gpus) {
    const util = Math.min(1, Math.max(0, gpu.utilizationRatio));
    const row = [...(util < 0.05 ? captures.gpu.idle : captures.gpu.load)];
    // Constants below reproduce the captures exactly at 0 % and 100 % (see the test).
    const usedMiB = Math.min(totalMiB - reservedMiB, Math.max(0, Math.round(gpu.memoryUsedMiB)));
    const powerW = idlePowerW + (loadPowerW - idlePowerW) * util;
    const idle = util < 0.05;
    const tempC = Math.round(41 + 18 * util);
    const set = (name: string, value: string) => (row[col(name)] = value);
    set('timestamp', formatSmiTimestamp(nowMs));
    set('count', String(gpus.length));
    set('uuid', simulatedGpuUuid(gpu.index));
    set('pci.bus_id', busId(gpu.index));
    set('pci.bus', `0x${busHex(gpu.index)}`);
    set('index', String(gpu.index));
    set('memory.used', `${usedMiB} MiB`);
    // Both captures have free = total - reserved - used + 1.
    set('memory.free', `${totalMiB - reservedMiB - usedMiB + 1} MiB`);
    set('utilization.gpu', `${Math.round(util * 100)} %`);
    set('utilization.memory', `${Math.round(util * 11)} %`);
    set('temperature.gpu', String(tempC));
    set('temperature.gpu.tlimit', String((idle ? 87 : 85) - tempC));
    set('temperature.memory', String(tempC + (idle ? 7 : -5)));
    set('power.draw', `${powerW.toFixed(2)} W`);
    set('power.draw.average', `${powerW.toFixed(2)} W`);
    set('power.draw.instant', `${(powerW * (idle ? 0.9967 : 0.99008)).toFixed(2)} W`);
    lines.push(row.join(', '));
  }
  return `${lines.join('\n')}\n`;
}

/** Renders the full query-compute-apps table (header, one row per process), as nvidia-smi. */
export function renderAppsTable(
  captures: SmiCaptures,
  processes: readonly SimulatedGpuProcess[],
  nowMs: number,
): string {
  const header = captures.appsHeader;
  const col = (name: string) => header.findIndex((h) => h === name || h.startsWith(`${name} [`));
  const lines = [header.join(', ')];
  for (const proc of processes) {
    const row = [...captures.appsRow];
    row[col('timestamp')] = formatSmiTimestamp(nowMs);
    row[col('gpu_bus_id')] = busId(proc.gpuIndex);
    row[col('gpu_uuid')] = simulatedGpuUuid(proc.gpuIndex);
    row[col('pid')] = String(proc.pid);
    row[col('process_name')] = proc.processName;
    row[col('used_gpu_memory')] = `${Math.round(proc.usedMemoryMiB)} MiB`;
    lines.push(row.join(', '));
  }
  return `${lines.join('\n')}\n`;
}
