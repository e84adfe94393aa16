/**
 * Dashboards as plain data: a dashboard is a list of PromQL panels laid out on a 24-column grid.
 * The types hold only JSON-compatible values (no functions, classes or Dates) so a definition can
 * be written in YAML, validated, served as JSON and exported to Grafana unchanged.
 */

/**
 * The unit a panel's values are in; the page uses it for axis labels and value formatting.
 * "%" values are already multiplied by 100; "ratio" values are in 0..1; "$/h" and "$" are US
 * dollars (per hour, or per unit named in the panel title).
 */
export type PanelUnit =
  | 'req/s'
  | 's'
  | 'tokens/s'
  | '%'
  | 'ratio'
  | 'requests'
  | 'GPUs'
  | 'instances'
  | '$/h'
  | '$'
  | 'evaluations'
  | 'alerts';

/** Every PanelUnit, in the order the schema lists them. */
export const PANEL_UNITS: readonly PanelUnit[] = [
  'req/s',
  's',
  'tokens/s',
  '%',
  'ratio',
  'requests',
  'GPUs',
  'instances',
  '$/h',
  '$',
  'evaluations',
  'alerts',
];

/**
 * How a panel shows its data:
 * - "timeseries" (default): range queries drawn as lines;
 * - "table": one row per value of `rowLabel`, one column per query, each an instant query at
 *   the end of the window; rows sorted by health (worst threshold colour first);
 * - "evaluations": the lowest-scoring evaluations from GET /api/llmwatch/evaluations?sort=score;
 * - "alerts": active alerts from GET /api/llmwatch/alerts;
 * - "silences": silences from GET /api/llmwatch/silences.
 */
export type PanelType = 'timeseries' | 'table' | 'evaluations' | 'alerts' | 'silences';

/** Colours a threshold step may take; "red" is worst, then "orange", "yellow", "green", "blue". */
export type ThresholdColor = 'green' | 'yellow' | 'orange' | 'red' | 'blue';

/**
 * Grafana-style thresholds: values below the first step have `base`'s colour, values at or above
 * a step's `value` (and below the next) have the step's colour. Steps must ascend.
 */
export interface Thresholds {
  base: ThresholdColor;
  steps: { value: number; color: ThresholdColor }[];
  /** How time series panels draw them: shaded areas (default) or dashed lines. */
  style?: 'area' | 'line';
}

/** One PromQL query of a panel; each result series becomes one line. */
export interface PanelQuery {
  /** Short id unique within the panel ("A", "p95"); shows up in error messages. */
  refId: string;
  /**
   * PromQL expression. The page substitutes `$component` (an anchored regex of the selected
   * components, `.*` for all) and `$__rate_interval` (a duration such as "60s") before sending it.
   */
  expr: string;
  /**
   * Series name template: `{{label}}` is replaced by that label's value, a missing label by an
   * empty string. An empty template falls back to the series' label set.
   */
  legend: string;
  /** Table panels: column header. Default: the refId. */
  title?: string;
  /** Table panels: unit of this column. Default: the panel's unit. */
  unit?: PanelUnit;
  /** Table panels: colours of this column's cells, and so of the row's health. */
  thresholds?: Thresholds;
  /**
   * Time series panels: this query draws one edge of a confidence band around the series of
   * query `of` with the same labels (lower and upper edge each one query), not a line.
   */
  band?: { of: string; edge: 'lower' | 'upper' };
  /**
   * Table panels: "alerts" fills the column in the browser with the number of firing alerts per
   * row from GET /api/llmwatch/alerts instead of running `expr` (which Grafana export keeps).
   */
  from?: 'alerts';
}

/** Where a panel sits, in Grafana's grid units: 24 columns, rows of 30 pixels. */
export interface PanelLayout {
  /** Column of the left edge, 0..23. */
  x: number;
  /** Row of the top edge, from 0. */
  y: number;
  /** Width in columns, 1..24. */
  w: number;
  /** Height in rows. */
  h: number;
}

/** One chart: a title, a unit and the queries whose series it draws. */
export interface PanelDefinition {
  /** Stable id, unique within the dashboard, lowercase with dashes; used in the page's DOM. */
  id: string;
  title: string;
  /** One sentence saying what the panel shows and how to read it. */
  description: string;
  unit: PanelUnit;
  queries: PanelQuery[];
  layout: PanelLayout;
  /**
   * Text shown when every query returns no series, telling the user what to check.
   * Default: the dashboard's `emptyHint`.
   */
  emptyHint?: string;
  /** Fixed lower bound of the y axis; default: from the data. */
  yMin?: number;
  /** Fixed upper bound of the y axis; default: from the data. */
  yMax?: number;
  /** How the panel shows its data. Default "timeseries". */
  type?: PanelType;
  /** Time series: threshold bands or lines drawn behind the series. */
  thresholds?: Thresholds;
  /** Table panels: the label whose values become rows. Default "component". */
  rowLabel?: string;
  /** Evaluations panels: only this criterion. Default: all criteria. */
  criterion?: string;
  /** Evaluations panels: how many rows to show, 1..500. Default 50. */
  limit?: number;
}

/** A variable the page fills in from a control before sending queries. */
export interface DashboardVariable {
  /** Name as written in queries without the `$` ("component"). */
  name: string;
  /** Label of the control on the page. */
  label: string;
  /** Where the options come from: "components" lists GET /api/llmwatch/components. */
  optionsFrom: 'components';
  /** Regex used when nothing (or everything) is selected. */
  allValue: string;
}

/** A whole dashboard: variables, default time range and panels. */
export interface DashboardDefinition {
  /** Stable id used in URLs: /api/llmwatch/dashboards/<id>. */
  id: string;
  title: string;
  description: string;
  variables: DashboardVariable[];
  /** Default time range as "last <duration>", e.g. "1h". */
  defaultRange: string;
  /** Default text for panels with no data. */
  emptyHint: string;
  panels: PanelDefinition[];
}
