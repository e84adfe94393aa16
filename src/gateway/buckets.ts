/**
 * Histogram bucket upper bounds (seconds) for the gateway's latency metrics. They are fixed so
 * that series from every gateway aggregate; changing them breaks `histogram_quantile` across the
 * change.
 */

/**
 * `llm_request_duration_seconds`: end-to-end request time, 5 ms to 5 min. Dense below 1 s for
 * short completions, then roughly doubling up to long generations.
 */
export const REQUEST_DURATION_BUCKETS_SECONDS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300,
];

/** `llm_time_to_first_token_seconds`: 1 ms (cache hit on a small model) to 30 s (deep queue). */
export const TIME_TO_FIRST_TOKEN_BUCKETS_SECONDS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30,
];

/**
 * `llm_inter_token_latency_seconds`: gaps between content chunks, 0.5 ms to 2.5 s, dense around
 * 10 to 100 ms where decoding speeds of served models usually sit.
 */
export const INTER_TOKEN_LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2,
  0.3, 0.5, 1, 2.5,
];
