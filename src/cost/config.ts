/**
 * The `cost` section of the configuration: the price table that turns GPU allocation and token
 * counts into dollars. The lead wires `costConfigSchema` into src/config/schema.ts as `cost`.
 *
 * ```yaml
 * cost:
 *   intervalSeconds: 30
 *   instanceTypes:                       # adds to / replaces entries of the example table
 *     my-onprem-8xh100: { dollarsPerHour: 40, gpus: 8 }
 *   instances:                           # for hosts whose agent reports no instance type
 *     gpu-node-1: p4d.24xlarge
 *   tokenPrices:
 *     components: { openai-chat: { inputDollarsPerMillion: 2.5, outputDollarsPerMillion: 10 } }
 *     models: { claude-x: { inputDollarsPerMillion: 3, outputDollarsPerMillion: 15 } }
 * ```
 */
import { z } from 'zod';

/** Price and size of one instance type. */
export interface InstanceTypePrice {
  /** Whole-instance price in US dollars per hour. */
  dollarsPerHour: number;
  /** GPUs on one instance; the price per GPU is dollarsPerHour / gpus. */
  gpus: number;
}

/**
 * Example instance prices: AWS EC2 on-demand, Linux, us-east-1, as published in 2024 (and the
 * SageMaker ml.g6.12xlarge price used by the AWS sample system). These are examples, not a price
 * feed: AWS lowered P4 and P5 prices in June 2025, and prices differ by region, OS and contract.
 * Verify for your region and override them under cost.instanceTypes.
 */
export const EXAMPLE_INSTANCE_TYPES: Readonly<Record<string, InstanceTypePrice>> = {
  'p4d.24xlarge': { dollarsPerHour: 32.7726, gpus: 8 },
  'p5.48xlarge': { dollarsPerHour: 98.32, gpus: 8 },
  'g5.xlarge': { dollarsPerHour: 1.006, gpus: 1 },
  'g5.12xlarge': { dollarsPerHour: 5.672, gpus: 4 },
  'g5.48xlarge': { dollarsPerHour: 16.288, gpus: 8 },
  'g6.xlarge': { dollarsPerHour: 0.8048, gpus: 1 },
  'g6.12xlarge': { dollarsPerHour: 4.6016, gpus: 4 },
  'g6e.xlarge': { dollarsPerHour: 1.861, gpus: 1 },
  'g6e.12xlarge': { dollarsPerHour: 10.493, gpus: 4 },
  'ml.g6.12xlarge': { dollarsPerHour: 5.752, gpus: 4 },
};

/** Label-value-safe names (instance types, hosts, components, models): no quotes or newlines. */
const NAME = /^[A-Za-z0-9_.:/@+-]+$/;
const nameKey = z
  .string()
  .regex(NAME, 'use letters, digits and "_", ".", ":", "/", "@", "+" or "-"');

const dollars = (what: string) =>
  z
    .number({
      error: (issue) =>
        issue.input === undefined
          ? `${what} is required: a number of US dollars, e.g. 2.5`
          : `${what} must be a number of US dollars, e.g. 2.5, got ${JSON.stringify(issue.input)}`,
    })
    .min(0, `${what} must not be negative`)
    .refine(Number.isFinite, `${what} must be finite`);

const instanceTypeSchema = z.strictObject({
  /** Whole-instance price in US dollars per hour; 0 allowed (e.g. owned hardware). */
  dollarsPerHour: dollars('dollarsPerHour'),
  /** GPUs per instance: an integer from 1 to 64. */
  gpus: z
    .number()
    .int('gpus must be a whole number of GPUs per instance, e.g. 8')
    .min(1, 'gpus must be at least 1; CPU-only instance types have no GPU price')
    .max(64, 'gpus must be at most 64'),
});

/** Token prices of an API-served model, in US dollars per million tokens. */
export const tokenPriceSchema = z.strictObject({
  /** Price of prompt tokens (all of them, cached ones included unless priced below). */
  inputDollarsPerMillion: dollars('inputDollarsPerMillion'),
  /**
   * Price of cached prompt tokens, which are also counted as input tokens (OpenAI's usage
   * convention). Default: the input price (no cache discount).
   */
  cachedInputDollarsPerMillion: dollars('cachedInputDollarsPerMillion').optional(),
  /** Price of completion tokens. */
  outputDollarsPerMillion: dollars('outputDollarsPerMillion'),
});

/** Token prices of one component or model. */
export type TokenPrice = z.infer<typeof tokenPriceSchema>;

/** The `cost` configuration fragment, with defaults that run on a laptop. */
export const costConfigSchema = z
  .strictObject({
    /** Whether the cost recorder runs. Default true. */
    enabled: z.boolean().default(true),
    /** How often cost and capacity series are recomputed, in seconds. Default 30. */
    intervalSeconds: z.number().int('use whole seconds').min(1).max(3600).default(30),
    /** Window of rate() for token costs, in seconds; at least 2 intervals of traffic. Default 300. */
    tokenRateWindowSeconds: z.number().int('use whole seconds').min(10).max(86_400).default(300),
    /**
     * Instance type name → price and GPUs. Merged over EXAMPLE_INSTANCE_TYPES: an entry here
     * adds a type or replaces the example's. Default {}.
     */
    instanceTypes: z.record(nameKey, instanceTypeSchema).default({}),
    /**
     * Host name (the `instance` label) → instance type, for hosts whose agent reports none;
     * a type reported in host_info wins. Every value must be a known instance type. Default {}.
     */
    instances: z.record(nameKey, z.string()).default({}),
    /** Token prices of API-served models. A component's price wins over its model's. */
    tokenPrices: z
      .strictObject({
        /** Component name → prices, for all of its traffic. Default {}. */
        components: z.record(nameKey, tokenPriceSchema).default({}),
        /** Model id (the `model` label) → prices, for components without their own. Default {}. */
        models: z.record(nameKey, tokenPriceSchema).default({}),
      })
      .prefault({}),
  })
  .superRefine((cost, ctx) => {
    const known = { ...EXAMPLE_INSTANCE_TYPES, ...cost.instanceTypes };
    for (const [host, type] of Object.entries(cost.instances)) {
      if (known[type] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['instances', host],
          message:
            `instance type ${JSON.stringify(type)} is not in instanceTypes nor the example table; ` +
            `add it under instanceTypes with dollarsPerHour and gpus (known: ${Object.keys(known)
              .sort()
              .join(', ')})`,
        });
      }
    }
  });

/** The validated cost configuration with defaults applied. */
export type CostConfig = z.infer<typeof costConfigSchema>;

/** The effective instance-type table: the example table with the configured entries over it. */
export function effectiveInstanceTypes(cost: CostConfig): Record<string, InstanceTypePrice> {
  return { ...EXAMPLE_INSTANCE_TYPES, ...cost.instanceTypes };
}
