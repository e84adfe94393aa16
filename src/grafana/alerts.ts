/**
 * Grafana alerting provisioning from llmwatch's rule files: each rule becomes a three-step
 * Grafana rule (A: the PromQL query, B: reduce to the last value, C: threshold), as Grafana 10+
 * requires; plus a contact point and a notification policy for the llmwatch folder.
 * Limitation: recoveryThreshold, keepFiringFor and minSamples have no Grafana equivalent and are
 * dropped; `{{ $samples }}` in annotations is replaced by "n/a". Group intervals are rounded up
 * to a multiple of 10 s, Grafana's scheduler base interval (its provisioning refuses others).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseDurationMs } from '../alerting/duration.js';

/** Grafana's default alerting scheduler base interval; group intervals must be multiples. */
const GRAFANA_BASE_INTERVAL_S = 10;

/** One rule as read from an llmwatch rule file (the fields the export uses). */
export interface ExportedRule {
  group: string;
  intervalSeconds: number;
  alert: string;
  expr: string;
  threshold?: { op: 'above' | 'below'; value: number };
  forText: string;
  noDataState: string;
  errorState: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * A group's evaluation interval in whole seconds for Grafana: the rule file's `interval`
 * (default 60 s, as llmwatch's evaluator uses) rounded up to a multiple of 10 s; a note names
 * every change.
 */
function groupIntervalSeconds(file: string, group: string, text: unknown, notes: string[]): number {
  if (text === undefined || text === null) return 60;
  const ms = parseDurationMs(String(text));
  if (ms === undefined || ms <= 0) {
    notes.push(
      `${file}: group ${group} interval ${JSON.stringify(text)} is not a duration; using 60s`,
    );
    return 60;
  }
  const base = GRAFANA_BASE_INTERVAL_S;
  const seconds = Math.max(base, Math.ceil(ms / 1000 / base) * base);
  if (seconds * 1000 !== ms) {
    notes.push(
      `${file}: group ${group} interval ${String(text)} is ${seconds}s in Grafana ` +
        `(a multiple of its ${base}s scheduler interval)`,
    );
  }
  return seconds;
}

function strings(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out[k] = String(v);
  return out;
}

/**
 * Reads the alerting rules of the given rule files, in order; files that cannot be read or
 * parsed, and rules that are not alert-shaped (recording rules included), are named in `skipped`;
 * values changed for Grafana (group intervals) in `adjusted`.
 */
export function readRuleFiles(files: readonly string[]): {
  rules: ExportedRule[];
  skipped: string[];
  adjusted: string[];
} {
  const rules: ExportedRule[] = [];
  const skipped: string[] = [];
  const adjusted: string[] = [];
  for (const name of files) {
    let doc: { groups?: unknown };
    try {
      doc = parse(readFileSync(name, 'utf8')) as { groups?: unknown };
    } catch (err) {
      skipped.push(`${name}: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    if (!Array.isArray(doc?.groups)) {
      skipped.push(`${name}: no groups`);
      continue;
    }
    for (const g of doc.groups as Record<string, unknown>[]) {
      const group = String(g.name ?? 'llmwatch');
      let intervalSeconds: number | undefined;
      for (const r of Array.isArray(g.rules) ? (g.rules as Record<string, unknown>[]) : []) {
        if (typeof r.alert !== 'string' || typeof r.expr !== 'string') {
          skipped.push(`${name}: a rule in ${String(g.name)} without alert and expr`);
          continue;
        }
        const t = r.threshold as { op?: unknown; value?: unknown } | undefined;
        intervalSeconds ??= groupIntervalSeconds(name, group, g.interval, adjusted);
        rules.push({
          group,
          intervalSeconds,
          alert: r.alert,
          expr: r.expr,
          ...(t && (t.op === 'above' || t.op === 'below') && typeof t.value === 'number'
            ? { threshold: { op: t.op, value: t.value } }
            : {}),
          forText: typeof r.for === 'string' ? r.for : '0s',
          noDataState: typeof r.noDataState === 'string' ? r.noDataState : 'NoData',
          errorState: typeof r.errorState === 'string' ? r.errorState : 'Error',
          labels: strings(r.labels),
          annotations: strings(r.annotations),
        });
      }
    }
  }
  return { rules, skipped, adjusted };
}

const GRAFANA_STATES = new Set(['NoData', 'Alerting', 'OK', 'KeepLast']);
const ERROR_STATES = new Set(['Error', 'Alerting', 'OK', 'KeepLast']);

/** A Grafana rule uid from the alert name: lowercase, dashes, at most 40 characters. */
export function ruleUid(alert: string): string {
  return `llmwatch-${alert
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')}`.slice(0, 40);
}

/** The Grafana alert-rule provisioning document for `rules` in folder `folder`. */
export function toGrafanaAlertRules(
  rules: ExportedRule[],
  datasourceUid: string,
  folder = 'llmwatch',
): Record<string, unknown> {
  const groups = new Map<string, { interval: number; rules: unknown[] }>();
  for (const r of rules) {
    const group = groups.get(r.group) ?? { interval: r.intervalSeconds, rules: [] };
    groups.set(r.group, group);
    const condition = r.threshold
      ? {
          type: 'threshold',
          expression: 'B',
          conditions: [
            {
              evaluator: {
                type: r.threshold.op === 'above' ? 'gt' : 'lt',
                params: [r.threshold.value],
              },
            },
          ],
        }
      : { type: 'math', expression: '$B == $B' };
    group.rules.push({
      uid: ruleUid(r.alert),
      title: r.alert,
      condition: 'C',
      data: [
        {
          refId: 'A',
          relativeTimeRange: { from: 600, to: 0 },
          datasourceUid,
          model: { refId: 'A', expr: r.expr, instant: true, range: false },
        },
        {
          refId: 'B',
          datasourceUid: '__expr__',
          model: {
            refId: 'B',
            type: 'reduce',
            expression: 'A',
            reducer: 'last',
            settings: { mode: 'dropNN' },
          },
        },
        { refId: 'C', datasourceUid: '__expr__', model: { refId: 'C', ...condition } },
      ],
      noDataState: GRAFANA_STATES.has(r.noDataState) ? r.noDataState : 'NoData',
      execErrState: ERROR_STATES.has(r.errorState) ? r.errorState : 'Error',
      for: r.forText,
      labels: r.labels,
      annotations: Object.fromEntries(
        Object.entries(r.annotations).map(([k, v]) => [
          k,
          v.replace(/\{\{\s*\$samples\s*\}\}/g, 'n/a'),
        ]),
      ),
      isPaused: false,
    });
  }
  return {
    apiVersion: 1,
    groups: [...groups].map(([name, g]) => ({
      orgId: 1,
      name,
      folder,
      interval: `${g.interval}s`,
      rules: g.rules,
    })),
  };
}

/** Contact point and notification policy provisioning: one webhook receiver for the folder. */
export function toGrafanaContactPoints(
  webhookUrl: string,
  folder = 'llmwatch',
): Record<string, unknown> {
  return {
    apiVersion: 1,
    contactPoints: [
      {
        orgId: 1,
        name: 'llmwatch',
        receivers: [
          {
            uid: 'llmwatch-webhook',
            type: 'webhook',
            settings: { url: webhookUrl, httpMethod: 'POST' },
            disableResolveMessage: false,
          },
        ],
      },
    ],
    policies: [
      {
        orgId: 1,
        receiver: 'llmwatch',
        group_by: ['alertname', 'component'],
        routes: [{ receiver: 'llmwatch', object_matchers: [['grafana_folder', '=', folder]] }],
      },
    ],
  };
}
