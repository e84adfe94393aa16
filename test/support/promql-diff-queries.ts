/**
 * The dashboard- and alert-style PromQL queries the Prometheus diff test runs on both Prometheus
 * 2.42 and llmwatch, over the series of `llm-series.ts`.
 *
 * Prometheus 2.x and 3.x differ in a few places; llmwatch follows 3.x. Only those differences are
 * kept out of the comparison, each for the reason written here (the diff test's "documented
 * differences" case shows the window edge, lookback, extrapolation and rename ones on Prometheus):
 * - Range windows and the lookback are closed on the left in 2.x ([t-range, t]) and left-open in
 *   3.x ((t-range, t]). Neutralised rather than excluded: sample timestamps have a ms part in
 *   101..499 or 601..999 and query times (and so window edges and subquery steps' edges) fall on
 *   x.500 s, while subquery points fall on whole seconds, so no sample or subquery point ever sits
 *   on a window's left edge.
 * - `holt_winters` (2.x) was renamed `double_exponential_smoothing` in 3.0 (same arguments and
 *   arithmetic): llmwatch is asked the 3.x name and Prometheus 2.42 the 2.x name
 *   (`referenceExpr`); nothing else about the pair is excluded.
 * - Functions and syntax that only 3.x has (`sort_by_label`, `limitk`, `limit_ratio`, `info`,
 *   duration arithmetic like `[5m+1m]`) do not exist in 2.42: not compared.
 * - In 3.x the regex `.` also matches a newline: no label value here contains a newline, so
 *   regex matchers give the same answer in both.
 * - 3.x normalises classic-histogram `le` values ("1.0" → "1") when scraping: the data is written
 *   by remote write with `le` already in Go's format ("1", "2.5", "+Inf") to both servers, and no
 *   query names a non-normalised `le`.
 * - rate()/increase() extrapolation at a series' start: 2.x first moves the start to the
 *   counter's estimated zero point and then applies the 1.1-interval threshold; 3.x applies the
 *   threshold first, then the zero point. They differ only when the series begins inside the
 *   window and its zero point lands between half and 1.1 sample intervals before its first
 *   sample. Raw counters here (as the metric contract requires) begin with a 0 sample, so the zero
 *   point is the first sample in both; only a rate over a subquery, whose first point is usually
 *   not 0, can hit it, so that query runs over copies that live the whole run, from 6 m on.
 * - 3.x sums with Kahan compensation (sum, avg, sum_over_time, avg_over_time, ...); the results
 *   differ from 2.x by a few ulps, well inside the 1e-9 relative tolerance, since the summed values
 *   here are non-negative (no catastrophic cancellation).
 */

/** One query to compare. */
export interface DiffQuery {
  /** The PromQL expression, run as a range query on both servers. */
  expr: string;
  /** The same query as Prometheus 2.42 spells it, when 2.x names it differently from 3.x. */
  referenceExpr?: string;
  /** Step, ms; default 60000. */
  stepMs?: number;
  /** Query start, ms after the first generated interval (plus 500 ms); default 60000. */
  startOffsetMs?: number;
  /** True when the correct answer is empty (the test then asserts it is empty on Prometheus). */
  expectEmpty?: boolean;
}

const rate5 = 'sum by (component) (rate(llm_requests_total[5m]))';
const errors5 = 'sum by (component) (rate(llm_requests_total{status_class=~"5xx|error"}[5m]))';
const p99 =
  'histogram_quantile(0.99, sum by (le, component) (rate(llm_request_duration_seconds_bucket[5m])))';

/** The queries, grouped by kind. */
export const DIFF_QUERIES: DiffQuery[] = [
  // Raw selectors: every sample made it into both stores; gaps and lookback expiry.
  { expr: 'llm_requests_total' },
  { expr: 'llm_kv_cache_usage_ratio' },
  { expr: 'llm_requests_running{component="code"}', stepMs: 15_000 },
  { expr: 'llm_requests_waiting offset 30m' },
  { expr: 'llm_requests_running @ start()' },
  { expr: 'llm_requests_waiting offset -5m' },
  { expr: '{__name__=~"llm_input.*|llm_output.*", component!="embed"}' },

  // Counters: rate/increase/irate over several windows, resets, gaps, short windows.
  { expr: 'rate(llm_requests_total[5m])' },
  { expr: 'rate(llm_input_tokens_total[1m])', stepMs: 15_000 },
  { expr: 'rate(llm_output_tokens_total[20s])', stepMs: 15_000 },
  { expr: 'increase(llm_requests_total[1h])' },
  { expr: 'increase(llm_output_tokens_total[10m] offset 10m)' },
  { expr: 'increase(llm_requests_total{copy="chat-2"}[10m])', stepMs: 15_000 },
  { expr: 'irate(llm_requests_total{status_class="2xx"}[2m])', stepMs: 15_000 },
  { expr: rate5 },
  { expr: 'sum(rate(llm_requests_total[5m])) by (component, status_class)' },
  { expr: 'sum without (copy, model, endpoint, source) (irate(llm_input_tokens_total[1m]))' },
  { expr: 'resets(llm_requests_total[30m])' },
  { expr: 'changes(llm_requests_running[10m])' },
  { expr: 'delta(llm_kv_cache_usage_ratio[10m])' },
  { expr: 'idelta(llm_requests_waiting[5m])' },

  // Aggregations.
  { expr: 'avg by (component) (llm_kv_cache_usage_ratio)' },
  { expr: 'max by (component) (llm_requests_waiting)' },
  { expr: 'min without (copy) (llm_kv_cache_usage_ratio)' },
  { expr: 'count by (component) (llm_requests_running)' },
  { expr: 'count without (status_class) (llm_requests_total)' },
  { expr: 'sum(llm_requests_running)' },
  { expr: 'stddev by (component) (llm_kv_cache_usage_ratio)' },
  { expr: 'stdvar(llm_requests_running)' },
  { expr: 'quantile by (component) (0.9, llm_kv_cache_usage_ratio)' },
  { expr: 'group by (component, copy) (llm_requests_total)' },
  { expr: 'count_values("running", llm_requests_running{component="embed"})' },
  { expr: 'topk(2, sum by (component, copy) (rate(llm_output_tokens_total[5m])))' },
  { expr: 'bottomk(1, llm_kv_cache_usage_ratio)' },

  // Histograms.
  { expr: p99 },
  {
    expr: 'histogram_quantile(0.5, sum by (le) (rate(llm_time_to_first_token_seconds_bucket[10m])))',
  },
  { expr: 'histogram_quantile(0.9, rate(llm_request_duration_seconds_bucket[5m]))' },
  { expr: 'histogram_quantile(1, sum by (le) (rate(llm_time_to_first_token_seconds_bucket[5m])))' },
  { expr: 'histogram_quantile(0, sum by (le) (rate(llm_request_duration_seconds_bucket[5m])))' },
  {
    expr: 'histogram_quantile(0.999, sum by (le, component) (rate(llm_time_to_first_token_seconds_bucket[1m])))',
    stepMs: 15_000,
  },
  {
    expr:
      'sum by (component) (rate(llm_request_duration_seconds_sum[5m]))' +
      ' / sum by (component) (rate(llm_request_duration_seconds_count[5m]))',
  },

  // Error ratios and alert conditions.
  { expr: `${errors5} / ${rate5}` },
  { expr: `${errors5} / ${rate5} > bool 0.02` },
  { expr: `${errors5} / ${rate5} > 0.02` },
  { expr: `(${errors5} / ${rate5} > 0.02) and ${rate5} > 1` },
  { expr: `${p99} > 5` },
  { expr: 'llm_kv_cache_usage_ratio > 0.8 and llm_requests_waiting > 0' },
  { expr: '0.5 < llm_kv_cache_usage_ratio' },
  { expr: 'llm_requests_running == bool llm_requests_waiting' },
  {
    expr: 'sum by (component) (llm_requests_running) or sum by (component) (llm_requests_waiting)',
  },
  { expr: 'llm_requests_running unless llm_requests_waiting > 2' },
  { expr: 'llm_kv_cache_usage_ratio > 1', expectEmpty: true },
  { expr: 'absent(llm_requests_total{component="nonexistent"})' },
  // Empty while chat has data; 1 after the data ends (the range runs 10 m past it).
  { expr: 'absent(llm_requests_total{component="chat"})' },
  { expr: 'absent_over_time(llm_requests_running{copy="chat-2"}[5m])' },
  { expr: 'present_over_time(llm_requests_running{copy="code-1"}[10m])' },
  { expr: 'time() - max by (component, copy) (timestamp(llm_requests_running)) > 60' },

  // Binary operators and vector matching.
  { expr: `${rate5} * 60` },
  { expr: '-llm_requests_running % 3' },
  { expr: 'llm_requests_waiting / ignoring(source) llm_requests_running' },
  {
    expr:
      'sum by (component, copy) (rate(llm_requests_total[5m]))' +
      ' / on (component) group_left sum by (component) (rate(llm_requests_total[5m]))',
  },
  {
    expr: 'llm_kv_cache_usage_ratio * on (component, copy) group_left (model) llm_requests_total{status_class="2xx"} > 0',
  },

  // *_over_time.
  { expr: 'avg_over_time(llm_kv_cache_usage_ratio[10m])' },
  { expr: 'max_over_time(llm_requests_waiting[15m])' },
  { expr: 'min_over_time(llm_kv_cache_usage_ratio[5m])' },
  { expr: 'sum_over_time(llm_requests_running[10m])' },
  { expr: 'count_over_time(llm_requests_running[10m])' },
  { expr: 'quantile_over_time(0.95, llm_requests_running[30m])' },
  { expr: 'stddev_over_time(llm_kv_cache_usage_ratio[30m])' },
  { expr: 'last_over_time(llm_requests_running[10m])' },
  {
    expr: 'double_exponential_smoothing(llm_kv_cache_usage_ratio[10m], 0.3, 0.6)',
    referenceExpr: 'holt_winters(llm_kv_cache_usage_ratio[10m], 0.3, 0.6)',
  },

  // Functions.
  { expr: 'clamp(llm_kv_cache_usage_ratio, 0.2, 0.8)' },
  { expr: 'clamp_max(llm_requests_waiting, 2)' },
  { expr: 'clamp_min(llm_kv_cache_usage_ratio, 0.5)' },
  { expr: `label_replace(${rate5}, "deployment", "$1-prod", "component", "(.*)")` },
  { expr: 'label_join(llm_requests_running, "target", "/", "component", "copy")' },
  { expr: 'predict_linear(llm_kv_cache_usage_ratio[30m], 3600)' },
  { expr: 'deriv(llm_requests_waiting[10m])' },
  { expr: 'round(avg by (component) (llm_kv_cache_usage_ratio) * 100, 0.5)' },
  { expr: 'abs(delta(llm_requests_running[5m]))' },
  { expr: 'sqrt(llm_requests_running) + ln(llm_requests_running + 1)' },
  { expr: 'scalar(sum(llm_requests_running))' },
  { expr: 'vector(1) + scalar(count(llm_requests_running))' },
  { expr: 'time() % 3600' },

  // Subqueries (query times at x.500 s keep subquery points off window edges).
  { expr: `max_over_time(${rate5}[30m:1m])` },
  { expr: `avg_over_time((${errors5} / ${rate5})[15m:30s])` },
  // Copies that live the whole run, windows after the data's start: see the extrapolation note.
  {
    expr: 'rate(llm_input_tokens_total{copy=~"chat-0|code-0|embed-1"}[5m:30s])',
    startOffsetMs: 6 * 60_000,
  },
  { expr: 'max_over_time(llm_requests_waiting[1h:5m] offset 10m)' },

  // Edges: windows longer than the data, odd steps, NaN and Inf flowing through aggregations.
  { expr: 'increase(llm_requests_total{component="embed"}[3h])', stepMs: 37_000 },
  { expr: 'rate(llm_output_tokens_total{component="code"}[90s])', stepMs: 37_000 },
  { expr: 'sum by (component) (llm_requests_waiting / llm_requests_running)' },
  { expr: 'max(llm_requests_waiting / llm_requests_running) by (component) >= bool 0' },
  { expr: 'count(count by (component, copy) (llm_requests_total))' },
  {
    expr:
      'topk by (component) (1, llm_kv_cache_usage_ratio)' +
      ' + on (component, copy) group_left llmwatch_gateway_outstanding_requests * 0',
  },
  {
    expr: 'llmwatch_gateway_outstanding_requests + on (component, copy) group_right llm_requests_running',
  },
  {
    expr:
      'hour(timestamp(llm_requests_running{copy="embed-1"})) * 60' +
      ' + minute(timestamp(llm_requests_running{copy="embed-1"}))',
  },
  {
    expr: 'ceil(llm_kv_cache_usage_ratio * 10) - floor(llm_kv_cache_usage_ratio * 10) + sgn(-llm_requests_waiting)',
  },
  {
    expr: 'exp(llm_kv_cache_usage_ratio) * log2(llm_requests_running + 1) / log10(llm_requests_waiting + 10)',
  },
  { expr: 'label_replace(llm_requests_running, "copy", "$1", "copy", "nomatch-(.*)")' },
  { expr: 'deriv(llm_requests_total{copy="chat-1", status_class="2xx"}[20m])' },
];
