/**
 * Turns instances into alerts: labels and annotations rendered from the rule's templates, a
 * fingerprint, a link back to the query. NoData and Error instances of a rule raise one
 * low-noise meta-alert per rule (`DatasourceNoData` / `DatasourceError`, as Grafana names them)
 * once they have lasted the rule's `for`, instead of one alert per series.
 */
import type { Labels } from '../store/types.js';
import { hashLabels } from './evaluate-rule.js';
import type { AlertRule } from './rule-types.js';
import type { InstanceState } from './state-machine.js';

/** An alert that is active now, before the ledger assigns its lifecycle. */
export interface ActiveAlert {
  fingerprint: string;
  labels: Labels;
  annotations: Record<string, string>;
  startsAtMs: number;
  value: number;
  generatorUrl: string;
}

/** Link to the rule's expression in llmwatch's UI (Prometheus's `/graph?g0.expr=` form). */
export function generatorUrlFor(externalUrl: string, expr: string): string {
  return `${externalUrl.replace(/\/+$/, '')}/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=1`;
}

/** The alert's identifying labels: series labels, rendered rule labels, `alertname`. */
export function alertLabelsOf(
  rule: AlertRule,
  instance: InstanceState,
  externalUrl: string,
): Labels {
  const labels: Labels = { ...instance.seriesLabels };
  const data = {
    labels: instance.seriesLabels,
    value: instance.value,
    samples: instance.sampleCount ?? NaN,
    externalUrl,
  };
  for (const [name, template] of rule.compiledLabels) labels[name] = template.render(data);
  labels.alertname = rule.alert;
  return labels;
}

/** Rendered annotations; `$labels` are the alert's labels (rule labels included). */
export function annotationsOf(
  rule: AlertRule,
  instance: InstanceState,
  labels: Labels,
  externalUrl: string,
): Record<string, string> {
  const data = {
    labels,
    value: instance.value,
    samples: instance.sampleCount ?? NaN,
    externalUrl,
  };
  const out: Record<string, string> = {};
  for (const [name, template] of rule.compiledAnnotations) out[name] = template.render(data);
  return out;
}

function metaAlert(
  rule: AlertRule,
  kind: 'nodata' | 'error',
  members: readonly InstanceState[],
  externalUrl: string,
): ActiveAlert {
  const severity = rule.labels.severity?.includes('{{') ? undefined : rule.labels.severity;
  const labels: Labels = {
    alertname: kind === 'nodata' ? 'DatasourceNoData' : 'DatasourceError',
    rulename: rule.alert,
    rulegroup: rule.group,
    ...(severity === undefined ? {} : { severity }),
  };
  const reason = members.find((m) => m.reason)?.reason ?? '';
  const summary =
    kind === 'nodata'
      ? `Rule ${rule.alert} has returned no data for ${members.length} series`
      : `Rule ${rule.alert} fails to evaluate: ${reason}`;
  return {
    fingerprint: hashLabels(labels),
    labels,
    annotations: { summary },
    startsAtMs: Math.min(...members.map((m) => (m.activeAtMs ?? m.lastEvalMs) + rule.forMs)),
    value: NaN,
    generatorUrl: generatorUrlFor(externalUrl, rule.expr),
  };
}

/**
 * The alerts a rule raises now: one per firing or recovering instance, plus a meta-alert when
 * some instance has been in nodata (or error) for at least the rule's `for`.
 */
export function activeAlertsOf(
  rule: AlertRule,
  instances: Iterable<InstanceState>,
  externalUrl: string,
  timeMs: number,
): ActiveAlert[] {
  const out: ActiveAlert[] = [];
  const noData: InstanceState[] = [];
  const errors: InstanceState[] = [];
  for (const instance of instances) {
    if (instance.state === 'firing' || instance.state === 'recovering') {
      const labels = alertLabelsOf(rule, instance, externalUrl);
      out.push({
        fingerprint: hashLabels(labels),
        labels,
        annotations: annotationsOf(rule, instance, labels, externalUrl),
        startsAtMs: instance.firedAtMs ?? timeMs,
        value: instance.value,
        generatorUrl: generatorUrlFor(externalUrl, rule.expr),
      });
      continue;
    }
    const held = timeMs - (instance.activeAtMs ?? timeMs) >= rule.forMs;
    if (instance.state === 'nodata' && held) noData.push(instance);
    if (instance.state === 'error' && held) errors.push(instance);
  }
  if (noData.length > 0) out.push(metaAlert(rule, 'nodata', noData, externalUrl));
  if (errors.length > 0) out.push(metaAlert(rule, 'error', errors, externalUrl));
  return out;
}
