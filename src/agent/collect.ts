/**
 * One reading of the GPU source configured for the agent: nvidia-smi (CSV, with `-q -x` added
 * for MIG slices, or XML only) or a DCGM exporter scrape. Throws LlmwatchError (code
 * `agent_command_*`, `agent_parse` or `agent_dcgm_*`) naming the command or URL when the main
 * reading fails; a failed secondary reading (compute-apps, the MIG XML) becomes a warning.
 */
import { LlmwatchError } from '../core/errors.js';
import { parseExposition } from '../scrape/exposition.js';
import type { AgentConfig } from './config.js';
import {
  QUERY_COMPUTE_APPS_FIELDS,
  QUERY_GPU_FIELDS,
  parseComputeAppsCsv,
  parseQueryGpuCsv,
} from './csv.js';
import { mapDcgm } from './dcgm.js';
import { runCommand } from './exec.js';
import type { GpuSnapshot } from './reading.js';
import { parseSmiXml } from './smi-xml.js';

/** The arguments the agent passes to nvidia-smi, for docs and the device check. */
export const NVIDIA_SMI_ARGS = {
  queryGpu: [`--query-gpu=${QUERY_GPU_FIELDS.join(',')}`, '--format=csv,nounits'],
  computeApps: [
    `--query-compute-apps=${QUERY_COMPUTE_APPS_FIELDS.join(',')}`,
    '--format=csv,nounits',
  ],
  xml: ['-q', '-x'],
};

type SourceConfig = Pick<
  AgentConfig,
  'source' | 'nvidiaSmiPath' | 'nvidiaSmiFormat' | 'dcgmUrl' | 'commandTimeoutSeconds'
>;

/** Reads the configured source once. */
export async function collectSnapshot(config: SourceConfig): Promise<GpuSnapshot> {
  if (config.source === 'dcgm') return collectDcgm(config);
  const smi = config.nvidiaSmiPath;
  const limits = { timeoutMs: config.commandTimeoutSeconds * 1000 };
  if (config.nvidiaSmiFormat === 'xml') {
    return parseSmiXml(await runCommand(smi, NVIDIA_SMI_ARGS.xml, limits), smi);
  }

  const gpuText = await runCommand(smi, NVIDIA_SMI_ARGS.queryGpu, limits);
  const { gpus, warnings } = parseQueryGpuCsv(gpuText, { fields: QUERY_GPU_FIELDS, command: smi });
  const snapshot: GpuSnapshot = { gpus, processes: [], warnings };
  try {
    const appsText = await runCommand(smi, NVIDIA_SMI_ARGS.computeApps, limits);
    const apps = parseComputeAppsCsv(appsText, { fields: QUERY_COMPUTE_APPS_FIELDS, command: smi });
    snapshot.processes = apps.processes;
    snapshot.warnings.push(...apps.warnings);
  } catch (err) {
    snapshot.warnings.push(`${(err as Error).message}; GPUs not attributed by process this poll`);
  }

  if (gpus.some((g) => g.migEnabled === true)) {
    try {
      const xml = parseSmiXml(await runCommand(smi, NVIDIA_SMI_ARGS.xml, limits), smi);
      snapshot.gpus.push(...xml.gpus.filter((g) => g.parentGpu !== undefined));
      // XML places processes on slices; CSV only names the parent GPU.
      if (xml.processes.length > 0) snapshot.processes = xml.processes;
      snapshot.warnings.push(...xml.warnings);
    } catch (err) {
      snapshot.warnings.push(`${(err as Error).message}; MIG slices left out this poll`);
    }
  }
  return snapshot;
}

async function collectDcgm(config: SourceConfig): Promise<GpuSnapshot> {
  let text: string;
  try {
    const res = await fetch(config.dcgmUrl, {
      signal: AbortSignal.timeout(config.commandTimeoutSeconds * 1000),
    });
    if (!res.ok) {
      throw new LlmwatchError(
        'agent_dcgm_status',
        `DCGM exporter ${config.dcgmUrl} answered HTTP ${res.status}; check agent.dcgmUrl`,
      );
    }
    text = await res.text();
  } catch (err) {
    if (err instanceof LlmwatchError) throw err;
    throw new LlmwatchError(
      'agent_dcgm_unreachable',
      `DCGM exporter ${config.dcgmUrl} could not be scraped (${(err as Error).message}); is dcgm-exporter running?`,
    );
  }
  let families;
  try {
    families = parseExposition(text).families;
  } catch (err) {
    throw new LlmwatchError(
      'agent_parse',
      `DCGM exporter ${config.dcgmUrl}: ${(err as Error).message}`,
    );
  }
  return { gpus: mapDcgm(families), processes: [], warnings: [] };
}
