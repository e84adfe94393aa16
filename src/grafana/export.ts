/**
 * `llmwatch grafana export --out DIR`: writes every dashboard as Grafana JSON, alert rules and
 * contact points as alerting provisioning YAML, and a Prometheus datasource pointing at
 * llmwatch's Prometheus API (or another Prometheus URL).
 *
 * Layout under outDir:
 *   dashboards/llmwatch-<id>.json            one per dashboard
 *   provisioning/dashboards/llmwatch.yaml    file provider loading dashboards/
 *   provisioning/datasources/llmwatch.yaml   the "llmwatch" Prometheus datasource
 *   provisioning/alerting/rules.yaml         the alerting rules of the given rule files
 *   provisioning/alerting/contact-points.yaml
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { defaultRulesDir } from '../alerting/config.js';
import { expandGlobs } from '../alerting/load.js';
import { BUILTIN_DASHBOARDS } from '../dashboards/builtins.js';
import type { DashboardDefinition } from '../dashboards/types.js';
import { readRuleFiles, toGrafanaAlertRules, toGrafanaContactPoints } from './alerts.js';
import { toGrafanaDashboard } from './dashboard.js';

/** The datasource uid every exported panel and rule refers to. */
export const DATASOURCE_UID = 'llmwatch';

/** Options of runGrafanaExport. */
export interface GrafanaExportOptions {
  /** Folder to write into; created when missing. Existing files of the same names are replaced. */
  outDir: string;
  /** The llmwatch configuration; `server.host` and `server.port` make the default data source URL. */
  config: { server: { host: string; port: number } };
  /** Prometheus URL the data source points at. Default: llmwatch itself, http://host:port. */
  prometheusUrl?: string;
  /** Dashboards to export. Default: the built-ins. Pass user dashboards after them. */
  dashboards?: readonly DashboardDefinition[];
  /**
   * Rule files whose alerting rules are exported (the CLI passes the shipped rules, if enabled,
   * and `alerting.ruleFiles`). Default: the shipped rules.
   */
  ruleFiles?: readonly string[];
  /** URL the exported webhook contact point posts to. Default: a placeholder to edit. */
  webhookUrl?: string;
}

/** What runGrafanaExport wrote. */
export interface GrafanaExportResult {
  /** Written files, relative to outDir, in writing order. */
  files: string[];
  /** Alert rules exported. */
  ruleCount: number;
  /** Rule files or rules skipped, each with the reason. */
  skipped: string[];
  /** Values changed to suit Grafana (group intervals rounded up to 10 s), each named. */
  adjusted: string[];
}

/** Placeholder webhook URL in the exported contact point when none is given. */
export const PLACEHOLDER_WEBHOOK = 'http://127.0.0.1:9099/replace-with-your-receiver';

/** Writes the Grafana export; throws the file system's error when outDir is not writable. */
export function runGrafanaExport(opts: GrafanaExportOptions): GrafanaExportResult {
  const outDir = resolve(opts.outDir);
  const host = opts.config.server.host === '0.0.0.0' ? '127.0.0.1' : opts.config.server.host;
  const llmwatchUrl = `http://${host.includes(':') ? `[${host}]` : host}:${opts.config.server.port}`;
  const files: string[] = [];
  const write = (rel: string, text: string): void => {
    const path = join(outDir, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    files.push(rel);
  };

  for (const def of opts.dashboards ?? BUILTIN_DASHBOARDS) {
    const json = toGrafanaDashboard(def, { llmwatchUrl });
    write(`dashboards/${String(json.uid)}.json`, `${JSON.stringify(json, null, 2)}\n`);
  }
  write(
    'provisioning/dashboards/llmwatch.yaml',
    stringify({
      apiVersion: 1,
      providers: [
        {
          name: 'llmwatch',
          folder: 'llmwatch',
          type: 'file',
          disableDeletion: false,
          allowUiUpdates: true,
          options: { path: join(outDir, 'dashboards'), foldersFromFilesStructure: false },
        },
      ],
    }),
  );
  write(
    'provisioning/datasources/llmwatch.yaml',
    stringify({
      apiVersion: 1,
      datasources: [
        {
          name: 'llmwatch',
          uid: DATASOURCE_UID,
          type: 'prometheus',
          access: 'proxy',
          url: opts.prometheusUrl ?? llmwatchUrl,
          isDefault: false,
          jsonData: { httpMethod: 'POST', timeInterval: '15s' },
        },
      ],
    }),
  );
  const { rules, skipped, adjusted } = readRuleFiles(
    opts.ruleFiles ?? expandGlobs([join(defaultRulesDir(), '*.yaml')]),
  );
  write('provisioning/alerting/rules.yaml', stringify(toGrafanaAlertRules(rules, DATASOURCE_UID)));
  write(
    'provisioning/alerting/contact-points.yaml',
    stringify(toGrafanaContactPoints(opts.webhookUrl ?? PLACEHOLDER_WEBHOOK)),
  );
  return { files, ruleCount: rules.length, skipped, adjusted };
}
