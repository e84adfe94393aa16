import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prometheusName, sanitizeLabelName, sanitizeMetricName, unitSuffix } from './names.js';

test('prometheusName applies unit and _total suffixes', () => {
  const cases: [string, string, Parameters<typeof prometheusName>[2], string][] = [
    ['http.server.request.duration', 's', 'histogram', 'http_server_request_duration_seconds'],
    ['gen_ai.client.token.usage', '{token}', 'histogram', 'gen_ai_client_token_usage'],
    ['requests', '1', 'counter', 'requests_total'],
    ['requests_total', '1', 'counter', 'requests_total'],
    ['process.cpu.time', 's', 'counter', 'process_cpu_time_seconds_total'],
    ['queue.time_seconds', 's', 'histogram', 'queue_time_seconds'],
    ['memory.usage', 'By', 'gauge', 'memory_usage_bytes'],
    ['cache.usage', '1', 'gauge', 'cache_usage_ratio'],
    ['net.io', 'By/s', 'gauge', 'net_io_bytes_per_second'],
    ['latency', 'ms', 'histogram', 'latency_milliseconds'],
    ['gen_ai.total.requests', '', 'counter', 'gen_ai_total_requests_total'],
    ['weird..name--x', 'parsecs', 'gauge', 'weird_name_x_parsecs'],
    ['9lives', '', 'gauge', '_9lives'],
    ['temp', 'Cel', 'gauge', 'temp_celsius'],
    ['x.total', '', 'gauge', 'x'],
  ];
  for (const [name, unit, kind, expected] of cases) {
    assert.equal(prometheusName(name, unit, kind), expected, `${name} [${unit}] ${kind}`);
  }
});

test('unitSuffix drops annotations and handles per-units', () => {
  assert.equal(unitSuffix('{request}/s', 'gauge'), 'per_second');
  assert.equal(unitSuffix('1/s', 'counter'), 'per_second');
  assert.equal(unitSuffix('{token}', 'counter'), '');
  assert.equal(unitSuffix('1', 'counter'), '');
});

test('sanitizeLabelName fixes invalid and reserved names', () => {
  assert.equal(sanitizeLabelName('gen_ai.token.type'), 'gen_ai_token_type');
  assert.equal(sanitizeLabelName('http.response.status_code'), 'http_response_status_code');
  assert.equal(sanitizeLabelName('0day'), 'key_0day');
  assert.equal(sanitizeLabelName('__name__'), 'key__name__');
  assert.equal(sanitizeLabelName('ünïcode-key'), '_n_code_key');
  assert.equal(sanitizeLabelName(''), '');
  assert.equal(sanitizeMetricName('...'), 'otlp_unnamed');
});
