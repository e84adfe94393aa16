import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOtlpState } from './state.js';
import { convertJson, pick, samplesText } from './test-helpers.js';
import {
  START_MS,
  START_NS,
  TIME_MS,
  TIME_NS,
  attr,
  chatCompletionRequest,
  singleMetricRequest,
} from './test-fixtures.js';

const chatLabels = {
  component: 'chat-api',
  copy: 'chat-api-7f9c',
  job: 'chat-api',
  source: 'otlp',
  gen_ai_system: 'openai',
  gen_ai_operation_name: 'chat',
};

test('GenAI chat completion maps to canonical token, request and duration metrics', () => {
  const { samples, rejectedPoints, reasons } = convertJson(chatCompletionRequest());
  assert.equal(rejectedPoints, 0);
  assert.deepEqual(reasons, []);

  const ok = { ...chatLabels, model: 'gpt-4o-mini-2024-07-18' };
  assert.deepEqual(pick(samples, 'llm_input_tokens_total', ok), [
    [START_MS, 0],
    [TIME_MS, 57],
  ]);
  assert.deepEqual(pick(samples, 'llm_output_tokens_total', ok), [
    [START_MS, 0],
    [TIME_MS, 120],
  ]);
  const tokenSeries = samples.filter((s) => s.labels.__name__ === 'llm_input_tokens_total');
  assert.equal(tokenSeries[1]?.labels.gen_ai_token_type, undefined);
  assert.equal(tokenSeries[1]?.labels.server_address, 'api.openai.com');

  assert.deepEqual(pick(samples, 'llm_requests_total', { ...ok, status_class: '2xx' }), [
    [START_MS, 0],
    [TIME_MS, 1],
  ]);
  const failed = { ...chatLabels, model: 'gpt-4o-mini', error_type: 'APITimeoutError' };
  assert.deepEqual(pick(samples, 'llm_requests_total', { ...failed, status_class: 'error' }), [
    [START_MS, 0],
    [TIME_MS, 1],
  ]);
  assert.deepEqual(pick(samples, 'llm_request_duration_seconds_sum', ok), [
    [START_MS, 0],
    [TIME_MS, 1.42],
  ]);
  assert.deepEqual(pick(samples, 'llm_request_duration_seconds_bucket', { ...ok, le: '1.28' }), [
    [START_MS, 0],
    [TIME_MS, 0],
  ]);
  assert.deepEqual(pick(samples, 'llm_request_duration_seconds_bucket', { ...ok, le: '2.56' }), [
    [START_MS, 0],
    [TIME_MS, 1],
  ]);
  assert.deepEqual(
    pick(samples, 'llm_request_duration_seconds_bucket', { ...failed, le: '20.48' }),
    [
      [START_MS, 0],
      [TIME_MS, 0],
    ],
  );
  assert.deepEqual(
    pick(samples, 'llm_request_duration_seconds_bucket', { ...failed, le: '40.96' }),
    [
      [START_MS, 0],
      [TIME_MS, 1],
    ],
  );

  // Token usage is kept as a histogram too; operation duration only under its canonical name.
  assert.deepEqual(
    pick(samples, 'gen_ai_client_token_usage_bucket', { gen_ai_token_type: 'output', le: '256' }),
    [
      [START_MS, 0],
      [TIME_MS, 1],
    ],
  );
  assert.deepEqual(pick(samples, 'gen_ai_client_operation_duration_seconds_count'), []);

  const names = new Map<string, number>();
  for (const s of samples)
    names.set(s.labels.__name__ ?? '', (names.get(s.labels.__name__ ?? '') ?? 0) + 1);
  assert.deepEqual(Object.fromEntries([...names].sort()), {
    gen_ai_client_token_usage_bucket: 2 * 15 * 2,
    gen_ai_client_token_usage_count: 4,
    gen_ai_client_token_usage_sum: 4,
    llm_input_tokens_total: 2,
    llm_output_tokens_total: 2,
    llm_request_duration_seconds_bucket: 2 * 15 * 2,
    llm_request_duration_seconds_count: 4,
    llm_request_duration_seconds_sum: 4,
    llm_requests_total: 4,
  });
});

test('server GenAI histograms in ms are rescaled to seconds', () => {
  const metric = (name: string) => ({
    name,
    unit: 'ms',
    histogram: {
      aggregationTemporality: 2,
      dataPoints: [
        {
          attributes: [attr('gen_ai.request.model', 'qwen')],
          timeUnixNano: TIME_NS,
          count: '4',
          sum: 250,
          bucketCounts: ['1', '3', '0'],
          explicitBounds: [5, 100],
        },
      ],
    },
  });
  const ttft = convertJson(singleMetricRequest(metric('gen_ai.server.time_to_first_token')));
  assert.deepEqual(samplesText(ttft.samples), [
    `llm_time_to_first_token_seconds_bucket{component="svc",gen_ai_request_model="qwen",job="svc",le="+Inf",model="qwen",source="otlp"} @${TIME_MS} 4`,
    `llm_time_to_first_token_seconds_bucket{component="svc",gen_ai_request_model="qwen",job="svc",le="0.005",model="qwen",source="otlp"} @${TIME_MS} 1`,
    `llm_time_to_first_token_seconds_bucket{component="svc",gen_ai_request_model="qwen",job="svc",le="0.1",model="qwen",source="otlp"} @${TIME_MS} 4`,
    `llm_time_to_first_token_seconds_count{component="svc",gen_ai_request_model="qwen",job="svc",model="qwen",source="otlp"} @${TIME_MS} 4`,
    `llm_time_to_first_token_seconds_sum{component="svc",gen_ai_request_model="qwen",job="svc",model="qwen",source="otlp"} @${TIME_MS} 0.25`,
  ]);
  const tpot = convertJson(singleMetricRequest(metric('gen_ai.server.time_per_output_token')));
  assert.deepEqual(pick(tpot.samples, 'llm_inter_token_latency_seconds_sum'), [[TIME_MS, 0.25]]);
  const server = convertJson(singleMetricRequest(metric('gen_ai.server.request.duration')));
  assert.deepEqual(pick(server.samples, 'llm_request_duration_seconds_count'), [[TIME_MS, 4]]);
  assert.deepEqual(pick(server.samples, 'llm_requests_total', { status_class: '2xx' }), [
    [TIME_MS, 4],
  ]);

  const minutes = metric('gen_ai.server.time_to_first_token');
  minutes.unit = 'min';
  const odd = convertJson(singleMetricRequest(minutes));
  assert.deepEqual(pick(odd.samples, 'gen_ai_server_time_to_first_token_minutes_count'), [
    [TIME_MS, 4],
  ]);
  assert.deepEqual(pick(odd.samples, 'llm_time_to_first_token_seconds_count'), []);
});

test('gauge, sums and summary keep OTLP names in Prometheus form', () => {
  const request = {
    resourceMetrics: [
      {
        resource: {
          attributes: [
            attr('service.name', 'vllm'),
            attr('service.namespace', 'prod'),
            attr('host.name', 'gpu-1'),
          ],
        },
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'kv_cache.usage',
                unit: '1',
                gauge: { dataPoints: [{ timeUnixNano: TIME_NS, asDouble: 0.25 }] },
              },
              {
                name: 'gen_ai.total.requests',
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: [
                    {
                      startTimeUnixNano: START_NS,
                      timeUnixNano: TIME_NS,
                      asInt: '9007199254740993',
                    },
                  ],
                },
              },
              {
                name: 'queue.size',
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: false,
                  dataPoints: [{ startTimeUnixNano: START_NS, timeUnixNano: TIME_NS, asInt: '-3' }],
                },
              },
              {
                name: 'rpc.latency',
                unit: 's',
                summary: {
                  dataPoints: [
                    {
                      timeUnixNano: TIME_NS,
                      count: '10',
                      sum: 2.5,
                      quantileValues: [
                        { quantile: 0.5, value: 0.2 },
                        { quantile: 0.99, value: 0.9 },
                      ],
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
  const { samples } = convertJson(request, { config: { resourceLabels: ['host.name'] } });
  const l = 'component="vllm",host_name="gpu-1",job="prod/vllm",source="otlp"';
  const q = 'component="vllm",host_name="gpu-1",job="prod/vllm",quantile';
  assert.deepEqual(samplesText(samples), [
    `gen_ai_total_requests_total{${l}} @${START_MS} 0`,
    `gen_ai_total_requests_total{${l}} @${TIME_MS} 9007199254740992`,
    `kv_cache_usage_ratio{${l}} @${TIME_MS} 0.25`,
    `queue_size{${l}} @${TIME_MS} -3`,
    `rpc_latency_seconds_count{${l}} @${TIME_MS} 10`,
    `rpc_latency_seconds_sum{${l}} @${TIME_MS} 2.5`,
    `rpc_latency_seconds{${q}="0.5",source="otlp"} @${TIME_MS} 0.2`,
    `rpc_latency_seconds{${q}="0.99",source="otlp"} @${TIME_MS} 0.9`,
  ]);
});

test('attribute values of every AnyValue kind become label strings', () => {
  const attributes = [
    { key: 'b', value: { boolValue: true } },
    { key: 'i', value: { intValue: '-42' } },
    { key: 'd', value: { doubleValue: 0.5 } },
    { key: 'bytes', value: { bytesValue: 'AQID' } },
    { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: 3 }] } } },
    { key: 'kv', value: { kvlistValue: { values: [{ key: 'k', value: { boolValue: false } }] } } },
    { key: 'empty', value: {} },
    { key: 'le', value: { stringValue: 'clash' } },
    { key: 'a.b', value: { stringValue: '1' } },
    { key: 'a_b', value: { stringValue: '2' } },
  ];
  const { samples } = convertJson(
    singleMetricRequest({
      name: 'g',
      gauge: { dataPoints: [{ attributes, timeUnixNano: TIME_NS, asInt: 1 }] },
    }),
  );
  assert.deepEqual(samples[0]?.labels, {
    __name__: 'g',
    a_b: '1;2',
    arr: '["x","3"]',
    b: 'true',
    bytes: 'AQID',
    d: '0.5',
    exported_le: 'clash',
    i: '-42',
    job: 'svc',
    component: 'svc',
    kv: '{"k":false}',
    source: 'otlp',
  });
});

test('delta sums and histograms are accumulated into cumulative counters', () => {
  const state = createOtlpState(10);
  const deltaSum = (startNs: string, timeNs: string, value: number) =>
    singleMetricRequest({
      name: 'tokens',
      sum: {
        aggregationTemporality: 1,
        isMonotonic: true,
        dataPoints: [{ startTimeUnixNano: startNs, timeUnixNano: timeNs, asDouble: value }],
      },
    });
  const first = convertJson(deltaSum('1000000000', '2000000000', 5), { state });
  assert.deepEqual(pick(first.samples, 'tokens_total'), [
    [1000, 0],
    [2000, 5],
  ]);
  const second = convertJson(deltaSum('2000000000', '3000000000', 7), { state });
  assert.deepEqual(pick(second.samples, 'tokens_total'), [[3000, 12]]);

  const replay = convertJson(deltaSum('2000000000', '3000000000', 7), { state });
  assert.equal(replay.rejectedPoints, 1);
  assert.match(replay.reasons[0] ?? '', /not later than the last point/);

  const deltaHist = (timeNs: string, counts: string[], sum: number) =>
    singleMetricRequest({
      name: 'lat',
      unit: 's',
      histogram: {
        aggregationTemporality: 1,
        dataPoints: [
          {
            timeUnixNano: timeNs,
            count: String(Number(counts[0]) + Number(counts[1])),
            sum,
            bucketCounts: counts,
            explicitBounds: [1],
          },
        ],
      },
    });
  convertJson(deltaHist('1000000000', ['1', '2'], 4), { state });
  const hist = convertJson(deltaHist('2000000000', ['3', '0'], 1.5), { state });
  assert.deepEqual(samplesText(hist.samples), [
    'lat_seconds_bucket{component="svc",job="svc",le="+Inf",source="otlp"} @2000 6',
    'lat_seconds_bucket{component="svc",job="svc",le="1",source="otlp"} @2000 4',
    'lat_seconds_count{component="svc",job="svc",source="otlp"} @2000 6',
    'lat_seconds_sum{component="svc",job="svc",source="otlp"} @2000 5.5',
  ]);
  assert.equal(state.deltaSeriesCount, 2);
});

test('uncommitted delta totals are forgotten (a failed store does not count twice)', () => {
  const state = createOtlpState(10);
  const request = singleMetricRequest({
    name: 'n',
    sum: {
      aggregationTemporality: 1,
      isMonotonic: true,
      dataPoints: [{ timeUnixNano: '5000000', asInt: '3' }],
    },
  });
  const tx = state.begin();
  assert.deepEqual(tx.addDelta('k', 'sum', 5, [3]), { totals: [3], isNew: true });
  assert.equal(state.deltaSeriesCount, 0);
  const retried = convertJson(request, { state });
  assert.deepEqual(pick(retried.samples, 'n_total'), [[5, 3]]);
});

test('delta refused when configured, and beyond maxDeltaSeries', () => {
  const request = (names: string[]) => ({
    resourceMetrics: [
      {
        scopeMetrics: [
          {
            metrics: names.map((name) => ({
              name,
              sum: {
                aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA',
                isMonotonic: true,
                dataPoints: [{ timeUnixNano: TIME_NS, asInt: '1' }],
              },
            })),
          },
        ],
      },
    ],
  });
  const refused = convertJson(request(['a']), { config: { deltaTemporality: 'reject' } });
  assert.equal(refused.rejectedPoints, 1);
  assert.deepEqual(refused.samples, []);
  assert.match(refused.reasons[0] ?? '', /^"a": delta temporality is refused/);

  const limited = convertJson(request(['a', 'b', 'c']), { config: { maxDeltaSeries: 2 } });
  assert.equal(limited.rejectedPoints, 1);
  assert.deepEqual(
    limited.samples.map((s) => s.labels.__name__),
    ['a_total', 'b_total'],
  );
});

test('bad points are rejected one by one, the rest kept', () => {
  const tooMany = Array.from({ length: 65 }, (_, i) => attr(`k${i}`, 'v'));
  const request = singleMetricRequest({
    name: 'h',
    histogram: {
      aggregationTemporality: 2,
      dataPoints: [
        { timeUnixNano: TIME_NS, count: '1', bucketCounts: ['1'], explicitBounds: [1] },
        {
          timeUnixNano: TIME_NS,
          count: '1',
          bucketCounts: ['1', '0', '0'],
          explicitBounds: [2, 1],
        },
        { count: '1' },
        { attributes: tooMany, timeUnixNano: TIME_NS, count: '1' },
        { attributes: [attr('long', 'x'.repeat(5000))], timeUnixNano: TIME_NS, count: '1' },
        { timeUnixNano: TIME_NS, count: '2', flags: 1 },
        { attributes: [attr('ok', 'yes')], timeUnixNano: TIME_NS, count: '2' },
      ],
    },
  });
  const { samples, rejectedPoints, reasons } = convertJson(request);
  assert.equal(rejectedPoints, 5);
  assert.deepEqual(reasons, [
    '"h": a histogram point has 1 bucketCounts for 1 explicitBounds; it needs explicitBounds.length + 1',
    '"h": a histogram point has explicitBounds that are not finite and strictly increasing',
    '"h": a data point has no timeUnixNano (or a time before 1970-01-01T00:00:00.001Z)',
    '"h": a data point has 65 attributes, more than otlp.maxAttributesPerPoint (64); drop attributes with a view',
    '"h": attribute "long" is longer than 4096 bytes',
  ]);
  assert.deepEqual(samplesText(samples), [
    `h_bucket{component="svc",job="svc",le="+Inf",ok="yes",source="otlp"} @${TIME_MS} 2`,
    `h_count{component="svc",job="svc",ok="yes",source="otlp"} @${TIME_MS} 2`,
  ]);
});

test('exponential histograms and unspecified temporality are rejected with counts', () => {
  const request = {
    resourceMetrics: [
      {
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'e',
                exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{}, {}, {}] },
              },
              { name: 'u', sum: { dataPoints: [{ timeUnixNano: TIME_NS, asInt: '1' }] } },
              { name: 'g', gauge: { dataPoints: [{ timeUnixNano: TIME_NS }] } },
            ],
          },
        ],
      },
    ],
  };
  const { samples, rejectedPoints, reasons } = convertJson(request);
  assert.deepEqual(samples, []);
  assert.equal(rejectedPoints, 5);
  assert.equal(reasons.length, 3);
  assert.match(reasons[0] ?? '', /^"e": exponential histograms are not supported/);
  assert.equal(
    reasons[1],
    '"u": aggregationTemporality is unspecified; send 1 (delta) or 2 (cumulative)',
  );
  assert.equal(reasons[2], '"g": a data point has neither asDouble nor asInt');
});

test('component, copy and model attributes are configurable', () => {
  const request = singleMetricRequest(
    {
      name: 'g',
      gauge: {
        dataPoints: [
          {
            attributes: [attr('deployment', 'qwen-7b'), attr('llm.model', 'Qwen2.5-7B')],
            timeUnixNano: TIME_NS,
            asDouble: 1,
          },
        ],
      },
    },
    [attr('service.name', 'svc'), attr('pod', 'qwen-7b-0')],
  );
  const config = {
    componentAttribute: 'deployment',
    copyAttribute: 'pod',
    modelAttributes: ['llm.model'],
  };
  const { samples } = convertJson(request, { config });
  assert.deepEqual(samples[0]?.labels, {
    __name__: 'g',
    component: 'qwen-7b',
    copy: 'qwen-7b-0',
    deployment: 'qwen-7b',
    job: 'svc',
    llm_model: 'Qwen2.5-7B',
    model: 'Qwen2.5-7B',
    source: 'otlp',
  });
});
