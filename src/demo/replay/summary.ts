/**
 * Human and JSON summaries of a finished replay: counts, failures by status, latency and
 * time-to-first-token percentiles, tokens.
 */
import { percentile, type ReplayReport } from './report.js';

/** p50/p95/p99 in ms (null when there are no values). */
export interface LatencyPercentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** Latency percentiles of the successful requests, and TTFT of the successful streamed ones. */
export function replayPercentiles(report: ReplayReport): {
  latencyMs: LatencyPercentiles;
  ttftMs: LatencyPercentiles;
} {
  const succeeded = report.records.filter((r) => r.ok);
  const latency = succeeded.map((r) => r.latencyMs);
  const ttft = succeeded.flatMap((r) => (r.ttftMs === undefined ? [] : [r.ttftMs]));
  const three = (values: number[]): LatencyPercentiles => ({
    p50: percentile(values, 0.5),
    p95: percentile(values, 0.95),
    p99: percentile(values, 0.99),
  });
  return { latencyMs: three(latency), ttftMs: three(ttft) };
}

/** The report without per-request records, plus percentiles, file and target: for --json. */
export function summaryJson(
  report: ReplayReport,
  file: string,
  target: string,
): Record<string, unknown> {
  const totals: Record<string, unknown> = { ...report };
  delete totals.records;
  return { file, target, ...totals, ...replayPercentiles(report) };
}

/** A few lines of text for people, ending in a newline. */
export function formatSummary(report: ReplayReport): string {
  const { latencyMs, ttftMs } = replayPercentiles(report);
  const ms = (v: number | null): string => (v === null ? '-' : v.toFixed(1));
  const three = (p: LatencyPercentiles): string =>
    `p50 ${ms(p.p50)}  p95 ${ms(p.p95)}  p99 ${ms(p.p99)}`;
  const failures = Object.entries(report.failedByStatus)
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ');

  const lines = [
    `replay ${report.aborted ? 'aborted' : 'finished'}: ${report.sent}/${report.total} requests ` +
      `sent in ${(report.wallMs / 1000).toFixed(1)} s ` +
      `(${report.achievedRatePerSecond.toFixed(1)} req/s; the trace asks ` +
      `${report.targetRatePerSecond.toFixed(1)} req/s)`,
    `  succeeded ${report.succeeded}, failed ${report.failed}` +
      (failures === '' ? '' : ` (${failures})`) +
      `, streamed ${report.streamed}`,
    `  latency ms: ${three(latencyMs)}`,
    `  time to first token ms (streamed): ${three(ttftMs)}`,
    `  tokens: ${report.inputTokens} in, ${report.outputTokens} out (usage of successful ` +
      `requests); sent ${report.promptWords} prompt words, max_tokens ${report.maxTokens}`,
  ];
  if (report.missingUsage > 0) {
    lines.push(`  ${report.missingUsage} successful responses had no usage (not in the sums)`);
  }
  if (report.maxTokensAdjusted > 0) {
    lines.push(`  ${report.maxTokensAdjusted} rows had 0 generated tokens; sent max_tokens 1`);
  }
  if (report.waitedForSlot > 0) {
    lines.push(
      `  ${report.waitedForSlot} arrivals waited for a free slot (maxInFlight reached); ` +
        `the replay fell behind the trace by up to ${ms(report.maxScheduleLagMs)} ms`,
    );
  }
  return `${lines.join('\n')}\n`;
}
