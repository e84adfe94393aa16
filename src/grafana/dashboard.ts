/**
 * Converts llmwatch dashboard definitions into Grafana dashboard JSON (schemaVersion 39):
 * a datasource and a component template variable, the same PromQL per panel, units mapped to
 * Grafana unit ids, and thresholds.
 * Limitation: confidence bands export as dashed edge lines (Grafana has no band between two
 * queries without per-series overrides), list panels (evaluations, alerts, silences) export as
 * text panels pointing back to llmwatch, and annotations stay in llmwatch.
 */
import type {
  DashboardDefinition,
  PanelDefinition,
  PanelUnit,
  Thresholds,
} from '../dashboards/types.js';
import type {
  GrafanaDashboardJson,
  GrafanaPanelJson,
  GrafanaThresholdsJson,
  GrafanaVariableJson,
} from './schema-types.js';

/** Grafana dashboard schema version the export writes (Grafana 10.4 / 11). */
export const GRAFANA_SCHEMA_VERSION = 39;

/** Grafana unit ids per llmwatch panel unit. */
export const GRAFANA_UNITS: Record<PanelUnit, string> = {
  'req/s': 'reqps',
  s: 's',
  'tokens/s': 'suffix: tokens/s',
  '%': 'percent',
  ratio: 'percentunit',
  requests: 'short',
  GPUs: 'suffix: GPUs',
  instances: 'suffix: instances',
  '$/h': 'currencyUSD',
  $: 'currencyUSD',
  evaluations: 'short',
  alerts: 'short',
};

/** Grafana's named colours for llmwatch threshold colours. */
const COLORS: Record<string, string> = {
  green: 'green',
  yellow: 'yellow',
  orange: 'orange',
  red: 'red',
  blue: 'blue',
};

/** Options of toGrafanaDashboard. */
export interface GrafanaDashboardOptions {
  /** Base URL of llmwatch's UI, for links from list panels. Default "http://127.0.0.1:9400". */
  llmwatchUrl?: string;
}

type Json = Record<string, unknown>;

function grafanaThresholds(t: Thresholds | undefined): GrafanaThresholdsJson {
  const steps: GrafanaThresholdsJson['steps'] = [
    { color: COLORS[t?.base ?? 'green'] ?? 'green', value: null },
  ];
  for (const s of t?.steps ?? []) steps.push({ color: COLORS[s.color] ?? 'green', value: s.value });
  return { mode: 'absolute', steps };
}

/** PromQL with the page's `$__range` spelled as Grafana spells it (the same name). */
function target(refId: string, expr: string, legend: string, instant: boolean): Json {
  return {
    refId,
    datasource: { type: 'prometheus', uid: '${datasource}' },
    expr,
    legendFormat: legend,
    range: !instant,
    instant,
    editorMode: 'code',
  };
}

function timeseriesPanel(p: PanelDefinition, id: number): GrafanaPanelJson {
  const style = p.thresholds?.style === 'line' ? 'dashed' : p.thresholds ? 'area' : 'off';
  return {
    type: 'timeseries',
    fieldConfig: {
      defaults: {
        unit: GRAFANA_UNITS[p.unit],
        ...(p.yMin === undefined ? {} : { min: p.yMin }),
        ...(p.yMax === undefined ? {} : { max: p.yMax }),
        thresholds: grafanaThresholds(p.thresholds),
        custom: {
          drawStyle: 'line',
          lineWidth: 2,
          spanNulls: false,
          thresholdsStyle: { mode: style },
        },
      },
      overrides: p.queries
        .filter((q) => q.band)
        .map((q) => ({
          matcher: { id: 'byFrameRefID', options: q.refId },
          properties: [
            { id: 'custom.lineStyle', value: { fill: 'dash', dash: [4, 4] } },
            { id: 'custom.lineWidth', value: 1 },
          ],
        })),
    },
    options: {
      legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
      tooltip: { mode: 'multi', sort: 'none' },
    },
    targets: p.queries.map((q) => target(q.refId, q.expr, q.legend, false)),
    id,
  };
}

function tablePanel(p: PanelDefinition, id: number): GrafanaPanelJson {
  const label = p.rowLabel ?? 'component';
  return {
    type: 'table',
    fieldConfig: {
      defaults: { thresholds: grafanaThresholds(undefined), custom: { align: 'auto' } },
      overrides: p.queries.map((q) => ({
        matcher: { id: 'byName', options: `Value #${q.refId}` },
        properties: [
          { id: 'displayName', value: q.title ?? q.refId },
          { id: 'unit', value: GRAFANA_UNITS[q.unit ?? p.unit] },
          { id: 'thresholds', value: grafanaThresholds(q.thresholds) },
          { id: 'custom.cellOptions', value: { type: q.thresholds ? 'color-background' : 'auto' } },
        ],
      })),
    },
    options: { showHeader: true },
    targets: p.queries.map((q) => ({
      ...target(q.refId, q.expr, q.legend, true),
      format: 'table',
    })),
    transformations: [
      { id: 'merge', options: {} },
      { id: 'organize', options: { excludeByName: { Time: true }, indexByName: { [label]: 0 } } },
    ],
    id,
  };
}

function textPanel(
  p: PanelDefinition,
  id: number,
  llmwatchUrl: string,
  dashboardId: string,
): GrafanaPanelJson {
  return {
    type: 'text',
    options: {
      mode: 'markdown',
      content: `${p.description}\n\nThis list comes from llmwatch's own API: [open it in llmwatch](${llmwatchUrl}/d/${dashboardId}).`,
    },
    id,
  };
}

/** Converts one dashboard definition to a Grafana dashboard model (uid `llmwatch-<id>`). */
export function toGrafanaDashboard(
  def: DashboardDefinition,
  opts: GrafanaDashboardOptions = {},
): GrafanaDashboardJson {
  const llmwatchUrl = opts.llmwatchUrl ?? 'http://127.0.0.1:9400';
  const panels = def.panels.map((p, index): GrafanaPanelJson => {
    const id = index + 1;
    const type = p.type ?? 'timeseries';
    const body =
      type === 'timeseries'
        ? timeseriesPanel(p, id)
        : type === 'table'
          ? tablePanel(p, id)
          : textPanel(p, id, llmwatchUrl, def.id);
    return {
      ...body,
      title: p.title,
      description: p.description,
      datasource: { type: 'prometheus', uid: '${datasource}' },
      gridPos: { x: p.layout.x, y: p.layout.y, w: p.layout.w, h: p.layout.h },
    };
  });
  const variables: GrafanaVariableJson[] = [
    {
      name: 'datasource',
      label: 'Data source',
      type: 'datasource',
      query: 'prometheus',
      current: { selected: true, text: 'llmwatch', value: 'llmwatch' },
      hide: 0,
      refresh: 1,
      options: [],
    },
  ];
  for (const v of def.variables) {
    variables.push({
      name: v.name,
      label: v.label,
      type: 'query',
      datasource: { type: 'prometheus', uid: '${datasource}' },
      query: {
        query: `label_values(${v.name})`,
        refId: 'PrometheusVariableQueryEditor-VariableQuery',
      },
      multi: true,
      includeAll: true,
      allValue: v.allValue,
      current: { selected: true, text: ['All'], value: ['$__all'] },
      refresh: 2,
      sort: 1,
      hide: 0,
      options: [],
    });
  }
  return {
    uid: `llmwatch-${def.id}`.slice(0, 40),
    title: `llmwatch / ${def.title}`,
    description: def.description,
    tags: ['llmwatch'],
    timezone: 'browser',
    editable: true,
    graphTooltip: 1,
    schemaVersion: GRAFANA_SCHEMA_VERSION,
    version: 1,
    refresh: '30s',
    time: { from: `now-${def.defaultRange}`, to: 'now' },
    timepicker: {},
    templating: { list: variables },
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    links: [],
    panels,
  };
}
