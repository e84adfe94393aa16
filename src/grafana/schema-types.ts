/**
 * Grafana's published dashboard schema (package `@grafana/schema`, generated from Grafana's CUE
 * schema) as the JSON the export writes. Type-only: nothing from the package is loaded at run time.
 * Limitation: Grafana's types use TypeScript string enums (for example ThresholdsMode), which a
 * plain JSON string can never satisfy; GrafanaJson<T> swaps each enum for the union of its
 * values, which is exactly what Grafana accepts in JSON. Everything else is checked as published.
 */
import type { Dashboard, Panel } from '@grafana/schema';

/** T as JSON: string enums become their string values, recursively; other types are unchanged. */
export type GrafanaJson<T> = T extends string
  ? `${T}`
  : T extends readonly (infer U)[]
    ? GrafanaJson<U>[]
    : T extends object
      ? { [K in keyof T]: GrafanaJson<T[K]> }
      : T;

/** A classic Grafana dashboard JSON model (schemaVersion 39+) as published by Grafana. */
export type GrafanaDashboardJson = GrafanaJson<Dashboard>;

/** One Grafana panel (not a row) as published by Grafana. */
export type GrafanaPanelJson = GrafanaJson<Panel>;

/** A panel's thresholds (mode and ascending steps, the first with value null). */
export type GrafanaThresholdsJson = NonNullable<
  NonNullable<GrafanaPanelJson['fieldConfig']>['defaults']['thresholds']
>;

/** One template variable of a dashboard. */
export type GrafanaVariableJson = NonNullable<
  NonNullable<GrafanaDashboardJson['templating']>['list']
>[number];
