/**
 * Test data: OTLP metrics requests shaped like what OpenLLMetry and OpenLIT export for one chat
 * completion. Written by hand from the OpenTelemetry GenAI semantic conventions (metric names,
 * units, attributes, advised bucket boundaries), not captured from those SDKs.
 */

/** 2023-11-14T22:13:20Z in ns (start of the cumulative series). */
export const START_NS = '1700000000000000000';
/** One minute later, with sub-millisecond digits that must be floored. */
export const TIME_NS = '1700000060000999999';
export const START_MS = 1_700_000_000_000;
export const TIME_MS = 1_700_000_060_000;

/** Advised boundaries for gen_ai.client.token.usage. */
export const TOKEN_BOUNDS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];
/** Advised boundaries for gen_ai.client.operation.duration (seconds). */
export const DURATION_BOUNDS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

/** An OTLP JSON AnyValue string attribute. */
export function attr(key: string, value: string): { key: string; value: { stringValue: string } } {
  return { key, value: { stringValue: value } };
}

/** Bucket counts with `count` observations in bucket `index` of `bounds`. */
export function oneBucket(bounds: number[], index: number, count = 1): string[] {
  return Array.from({ length: bounds.length + 1 }, (_, i) => String(i === index ? count : 0));
}

const common = [
  attr('gen_ai.system', 'openai'),
  attr('gen_ai.operation.name', 'chat'),
  attr('gen_ai.request.model', 'gpt-4o-mini'),
  attr('gen_ai.response.model', 'gpt-4o-mini-2024-07-18'),
  attr('server.address', 'api.openai.com'),
];

/** A chat completion (57 input tokens, 120 output, 1.42 s) plus one timed-out call (30.5 s). */
export function chatCompletionRequest(): Record<string, unknown> {
  return {
    resourceMetrics: [
      {
        resource: {
          attributes: [
            attr('service.name', 'chat-api'),
            attr('service.instance.id', 'chat-api-7f9c'),
            attr('telemetry.sdk.language', 'python'),
          ],
        },
        scopeMetrics: [
          {
            scope: { name: 'opentelemetry.instrumentation.openai.v1', version: '0.33.0' },
            metrics: [
              {
                name: 'gen_ai.client.token.usage',
                unit: '{token}',
                description: 'Measures number of input and output tokens used',
                histogram: {
                  aggregationTemporality: 2,
                  dataPoints: [tokenPoint('input', 57, 3), tokenPoint('output', 120, 4)],
                },
              },
              {
                name: 'gen_ai.client.operation.duration',
                unit: 's',
                histogram: {
                  aggregationTemporality: 2,
                  dataPoints: [
                    {
                      attributes: common,
                      startTimeUnixNano: START_NS,
                      timeUnixNano: TIME_NS,
                      count: '1',
                      sum: 1.42,
                      bucketCounts: oneBucket(DURATION_BOUNDS, 8),
                      explicitBounds: DURATION_BOUNDS,
                    },
                    {
                      attributes: [...common.slice(0, 3), attr('error.type', 'APITimeoutError')],
                      startTimeUnixNano: START_NS,
                      timeUnixNano: TIME_NS,
                      count: '1',
                      sum: 30.5,
                      bucketCounts: oneBucket(DURATION_BOUNDS, 12),
                      explicitBounds: DURATION_BOUNDS,
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

function tokenPoint(type: string, tokens: number, bucket: number): Record<string, unknown> {
  return {
    attributes: [...common, attr('gen_ai.token.type', type)],
    startTimeUnixNano: START_NS,
    timeUnixNano: TIME_NS,
    count: '1',
    sum: tokens,
    bucketCounts: oneBucket(TOKEN_BOUNDS, bucket),
    explicitBounds: TOKEN_BOUNDS,
    min: tokens,
    max: tokens,
  };
}

/** One metric in its own resource/scope, for focused tests. */
export function singleMetricRequest(
  metric: Record<string, unknown>,
  resourceAttributes = [attr('service.name', 'svc')],
): Record<string, unknown> {
  return {
    resourceMetrics: [
      { resource: { attributes: resourceAttributes }, scopeMetrics: [{ metrics: [metric] }] },
    ],
  };
}
