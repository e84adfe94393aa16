/**
 * Parsers for `nvidia-smi --query-gpu=... --format=csv` and `--query-compute-apps=...`, with or
 * without `noheader` and `nounits`. Columns are found by header name (the header keeps its
 * `[unit]` even with `nounits`); without a header the caller passes the field list it asked for.
 * A structurally bad body (no header, a row with the wrong number of cells, no `index` column)
 * throws LlmwatchError `agent_parse`; a single unreadable value is left out with a warning.
 */
import { LlmwatchError } from '../core/errors.js';
import { QuantityReader, isMissingValue, type GpuProcess, type GpuReading } from './reading.js';

/** The --query-gpu fields the agent asks for, in order. */
export const QUERY_GPU_FIELDS = [
  'index',
  'uuid',
  'name',
  'utilization.gpu',
  'memory.used',
  'memory.total',
  'power.draw',
  'temperature.gpu',
  'mig.mode.current',
] as const;

/** The --query-compute-apps fields the agent asks for, in order. */
export const QUERY_COMPUTE_APPS_FIELDS = [
  'pid',
  'gpu_uuid',
  'used_memory',
  'process_name',
] as const;

/** Options for the CSV parsers. */
export interface CsvOptions {
  /**
   * The fields passed to `--query-*=`, in order. Needed when the output has no header line; when
   * given and the first line is a header, the header wins. Default: the output must have a header.
   */
  fields?: readonly string[];
  /** Command name used in messages. Default "nvidia-smi". */
  command?: string;
}

/** Header names nvidia-smi prints for a field differently from the query name. */
const ALIASES: Record<string, string> = { used_gpu_memory: 'used_memory' };

/** What some drivers print instead of an empty compute-apps list. */
const NO_PROCESSES = /^no running (compute )?processes found$/i;

interface Table {
  columns: string[];
  rows: { line: number; cells: string[] }[];
}

/** Splits a CSV body into named columns and rows. */
function readTable(text: string, options: CsvOptions, what: string): Table {
  const command = options.command ?? 'nvidia-smi';
  const lines = text
    .split(/\r?\n/)
    .map((line, index) => ({ line: index + 1, text: line }))
    .filter((l) => l.text.trim() !== '' && !NO_PROCESSES.test(l.text.trim()));
  const first = lines[0];
  const firstCells = first ? splitCells(first.text) : [];
  const expectedFirst = options.fields?.[0];
  // A header is a line naming the first requested field in any column (a recorded capture may
  // list more fields than asked for, in another order).
  const hasHeader =
    first !== undefined &&
    (expectedFirst === undefined || firstCells.map(columnName).includes(expectedFirst));
  if (!hasHeader && options.fields === undefined) {
    throw new LlmwatchError(
      'agent_parse',
      `${command} ${what}: output is empty; expected a CSV header line (run with --format=csv)`,
    );
  }
  const columns = hasHeader ? firstCells.map(columnName) : [...(options.fields ?? [])];
  const rows = (hasHeader ? lines.slice(1) : lines).map((l) => {
    const cells = splitCells(l.text);
    if (cells.length !== columns.length) {
      throw new LlmwatchError(
        'agent_parse',
        `${command} ${what}: line ${l.line} has ${cells.length} values but ${hasHeader ? 'the header has' : 'the query asked for'} ${columns.length}; got ${JSON.stringify(l.text.slice(0, 120))}`,
      );
    }
    return { line: l.line, cells };
  });
  return { columns, rows };
}

/** nvidia-smi separates with ", " and never quotes; a trailing separator leaves an empty cell. */
function splitCells(line: string): string[] {
  return line.split(',').map((cell) => cell.trim());
}

/** "memory.used [MiB]" -> "memory.used"; aliases mapped to the query name. */
function columnName(header: string): string {
  const name = header.replace(/\s*\[[^\]]*\]$/, '').trim();
  return ALIASES[name] ?? name;
}

function cellGetter(table: Table, cells: string[]) {
  return (name: string): string | undefined => {
    const at = table.columns.indexOf(name);
    return at < 0 ? undefined : cells[at];
  };
}

/** Parses `--query-gpu` CSV into one reading per GPU. */
export function parseQueryGpuCsv(
  text: string,
  options: CsvOptions = {},
): { gpus: GpuReading[]; warnings: string[] } {
  const command = options.command ?? 'nvidia-smi';
  const table = readTable(text, options, '--query-gpu');
  if (!table.columns.includes('index')) {
    throw new LlmwatchError(
      'agent_parse',
      `${command} --query-gpu: no "index" column in ${JSON.stringify(table.columns.slice(0, 8).join(', '))}; query at least index,uuid`,
    );
  }
  const warnings: string[] = [];
  const gpus = table.rows.map((row) => {
    const get = cellGetter(table, row.cells);
    const index = get('index') ?? '';
    if (!/^\d+$/.test(index)) {
      throw new LlmwatchError(
        'agent_parse',
        `${command} --query-gpu: line ${row.line}: index must be a whole number, got ${JSON.stringify(index)}`,
      );
    }
    const reader = new QuantityReader(`${command} --query-gpu gpu ${index}`);
    const reading: GpuReading = {
      gpu: index,
      uuid: textOrEmpty(get('uuid')),
      model: textOrEmpty(get('name')),
    };
    assignDefined(reading, {
      utilizationRatio: reader.percentRatio('utilization.gpu', get('utilization.gpu')),
      memoryUsedBytes: reader.mebibytes('memory.used', get('memory.used')),
      memoryTotalBytes: reader.mebibytes('memory.total', get('memory.total')),
      powerWatts: readPower(reader, get),
      temperatureCelsius: reader.read('temperature.gpu', get('temperature.gpu'), 'C'),
    });
    const mig = get('mig.mode.current');
    if (mig !== undefined && !isMissingValue(mig)) reading.migEnabled = mig === 'Enabled';
    warnings.push(...reader.warnings);
    return reading;
  });
  return { gpus, warnings };
}

/** power.draw, else the newer power.draw.average, else power.draw.instant. */
function readPower(
  reader: QuantityReader,
  get: (name: string) => string | undefined,
): number | undefined {
  for (const field of ['power.draw', 'power.draw.average', 'power.draw.instant']) {
    const value = reader.read(field, get(field), 'W');
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Parses `--query-compute-apps` CSV; a header-only body means no processes. */
export function parseComputeAppsCsv(
  text: string,
  options: CsvOptions = {},
): { processes: GpuProcess[]; warnings: string[] } {
  const command = options.command ?? 'nvidia-smi';
  const table = readTable(text, options, '--query-compute-apps');
  if (!table.columns.includes('pid')) {
    throw new LlmwatchError(
      'agent_parse',
      `${command} --query-compute-apps: no "pid" column; query at least pid,gpu_uuid`,
    );
  }
  const warnings: string[] = [];
  const processes: GpuProcess[] = [];
  for (const row of table.rows) {
    const get = cellGetter(table, row.cells);
    const pidText = get('pid') ?? '';
    if (!/^\d+$/.test(pidText)) {
      warnings.push(
        `${command} --query-compute-apps: line ${row.line}: pid must be a whole number, got ${JSON.stringify(pidText)}; row left out`,
      );
      continue;
    }
    const reader = new QuantityReader(`${command} --query-compute-apps pid ${pidText}`);
    const process: GpuProcess = { pid: Number(pidText) };
    const uuid = get('gpu_uuid');
    if (uuid !== undefined && !isMissingValue(uuid)) process.gpuUuid = uuid;
    const name = get('process_name');
    if (name !== undefined && !isMissingValue(name)) process.processName = name;
    assignDefined(process, {
      usedMemoryBytes: reader.mebibytes('used_memory', get('used_memory')),
    });
    warnings.push(...reader.warnings);
    processes.push(process);
  }
  return { processes, warnings };
}

function textOrEmpty(raw: string | undefined): string {
  return raw === undefined || isMissingValue(raw) ? '' : raw;
}

/** Copies only the defined values, so absent stays absent (exactOptionalPropertyTypes-safe). */
export function assignDefined<T extends object>(target: T, values: Partial<T>): void {
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  }
}
