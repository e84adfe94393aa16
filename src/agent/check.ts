/**
 * Device check (scripts/device-check.sh): runs the agent's real nvidia-smi queries on this host,
 * parses them with the agent's parsers and prints the readings, warnings and samples as JSON
 * lines. Exits 1 when a command fails or a parser throws, naming which. Usage:
 * `node --import tsx src/agent/check.ts [path-to-nvidia-smi]`.
 */
import {
  parseComputeAppsCsv,
  parseQueryGpuCsv,
  QUERY_COMPUTE_APPS_FIELDS,
  QUERY_GPU_FIELDS,
} from './csv.js';
import { NVIDIA_SMI_ARGS } from './collect.js';
import { runCommand } from './exec.js';
import { buildSamples } from './samples.js';
import { parseSmiXml } from './smi-xml.js';

const smi = process.argv[2] ?? 'nvidia-smi';
const limits = { timeoutMs: 20_000 };
let failed = false;

async function step<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
  const startedMs = performance.now();
  try {
    const result = await work();
    console.log(
      JSON.stringify({
        step: name,
        ok: true,
        ms: Math.round(performance.now() - startedMs),
        result,
      }),
    );
    return result;
  } catch (err) {
    failed = true;
    console.log(JSON.stringify({ step: name, ok: false, error: (err as Error).message }));
    return undefined;
  }
}

const csv = await step('query-gpu', async () =>
  parseQueryGpuCsv(await runCommand(smi, NVIDIA_SMI_ARGS.queryGpu, limits), {
    fields: QUERY_GPU_FIELDS,
    command: smi,
  }),
);
await step('query-compute-apps', async () =>
  parseComputeAppsCsv(await runCommand(smi, NVIDIA_SMI_ARGS.computeApps, limits), {
    fields: QUERY_COMPUTE_APPS_FIELDS,
    command: smi,
  }),
);
const xml = await step('q-x', async () =>
  parseSmiXml(await runCommand(smi, NVIDIA_SMI_ARGS.xml, limits), smi),
);
if (csv && csv.gpus.length === 0) {
  failed = true;
  console.log(JSON.stringify({ step: 'query-gpu', ok: false, error: 'no GPUs parsed' }));
}
if (csv && xml && csv.gpus[0]?.uuid !== xml.gpus[0]?.uuid) {
  failed = true;
  console.log(
    JSON.stringify({ step: 'compare', ok: false, error: 'CSV and XML disagree on GPU 0 UUID' }),
  );
}
const context = { instance: 'device-check', instanceType: '', timestampMs: Date.now() };
for (const sample of buildSamples(csv?.gpus ?? [], new Map(), context))
  console.log(JSON.stringify(sample));
process.exit(failed ? 1 : 0);
