/**
 * The `agent:` section of the configuration (`llmwatch agent --config FILE`). Every field has a
 * default that runs on a single GPU host next to a local llmwatch server. The lead wires this
 * fragment into the main schema as `agent: agentConfigSchema.default({})`.
 */
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

const labelValue = z.string().min(1);

function isRegex(value: string): boolean {
  try {
    new RegExp(value);
    return true;
  } catch {
    return false;
  }
}

/** How the agent recognises one copy's GPUs: configured GPUs, and/or the copy's processes. */
export const agentCopySchema = z.strictObject({
  /** The `component` label. */
  component: labelValue,
  /** The `copy` label. */
  copy: labelValue,
  /** GPUs this copy owns, by nvidia-smi index ("0", or 0) or MIG slice ("0/3"). */
  gpus: z
    .array(
      z.union([
        z.number().int().nonnegative(),
        z.string().regex(/^\d+(\/\d+)?$/, 'must be a GPU index like "0" or a MIG slice like "0/3"'),
      ]),
    )
    .default([])
    .transform((list) => list.map(String)),
  /** GPUs this copy owns, by UUID ("GPU-..."). */
  gpuUuids: z.array(z.string().min(1)).default([]),
  /** The copy's main process ID; it and its descendants are the copy's processes. */
  pid: z.number().int().positive().optional(),
  /** A file holding the copy's main process ID, read at every poll (e.g. a systemd PIDFile). */
  pidFile: z.string().min(1).optional(),
  /**
   * Regular expression matched against each process's command line (arguments joined by
   * spaces), e.g. "vllm serve .*--port 8001". Matches and their descendants are the copy's.
   */
  processPattern: z
    .string()
    .min(1)
    .refine(isRegex, {
      error: (issue) => `must be a valid regular expression, got ${JSON.stringify(issue.input)}`,
    })
    .optional(),
});

/** The agent section. */
export const agentConfigSchema = z.strictObject({
  /** Base URL of the llmwatch server; samples go to `${server}/api/v1/write`. */
  server: z
    .string()
    .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), {
      error: (issue) =>
        `must be an http(s) URL like "http://10.0.0.2:9400", got ${JSON.stringify(issue.input)}`,
    })
    .default('http://127.0.0.1:9400'),
  /** Seconds between polls. Default 15. */
  intervalSeconds: z.number().positive().default(15),
  /** Seconds a GPU tool (or DCGM scrape) may take before it is killed. Default 10. */
  commandTimeoutSeconds: z.number().positive().default(10),
  /** The `instance` label: this host's name. Default: the OS host name. */
  instance: labelValue.default(hostname()),
  /** The `instance_type` label of host_info, e.g. "p4d.24xlarge"; "" when unknown. */
  instanceType: z.string().default(''),
  /** Where GPU readings come from. Default "nvidia-smi". */
  source: z.enum(['nvidia-smi', 'dcgm']).default('nvidia-smi'),
  /** nvidia-smi command or path. Default "nvidia-smi" on PATH. */
  nvidiaSmiPath: z.string().min(1).default('nvidia-smi'),
  /**
   * "csv": --query-gpu and --query-compute-apps each poll, plus `-q -x` when a GPU has MIG on
   * (for its slices). "xml": `-q -x` only. Default "csv".
   */
  nvidiaSmiFormat: z.enum(['csv', 'xml']).default('csv'),
  /** DCGM exporter URL, for source "dcgm". Default "http://127.0.0.1:9400/metrics". */
  dcgmUrl: z.string().url().default('http://127.0.0.1:9400/metrics'),
  /** Directory for batches not yet accepted by the server. Default: <tmpdir>/llmwatch-agent. */
  bufferDir: z.string().min(1).default(join(tmpdir(), 'llmwatch-agent')),
  /** Most bytes kept in bufferDir; the oldest batches are dropped beyond it. Default 64 MiB. */
  bufferMaxBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  /** The copies on this host and how to recognise their GPUs. */
  copies: z.array(agentCopySchema).default([]),
});

/** A validated agent section. */
export type AgentConfig = z.infer<typeof agentConfigSchema>;
/** A validated copy entry. */
export type AgentCopyConfig = z.infer<typeof agentCopySchema>;
