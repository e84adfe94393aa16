/**
 * Zod schemas for dashboard definitions (built-in and user YAML files) and for the `dashboards`
 * section of llmwatch.yaml. The schema mirrors types.ts; a test checks that every built-in
 * dashboard passes it.
 */
import { z } from 'zod';
import { PANEL_UNITS, type DashboardDefinition } from './types.js';

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'ids use lowercase letters, digits and "-", like "my-panel"');
const unit = z.enum(PANEL_UNITS as [string, ...string[]]);
const color = z.enum(['green', 'yellow', 'orange', 'red', 'blue']);

const thresholdsSchema = z
  .strictObject({
    base: color,
    steps: z.array(z.strictObject({ value: z.number(), color })),
    style: z.enum(['area', 'line']).optional(),
  })
  .refine((t) => t.steps.every((s, i) => i === 0 || s.value > t.steps[i - 1]!.value), {
    message: 'threshold steps must ascend by value',
    path: ['steps'],
  });

const querySchema = z.strictObject({
  refId: z.string().regex(/^[A-Za-z0-9_-]+$/, 'refIds use letters, digits, "_" and "-"'),
  expr: z.string().min(1, 'expr must be a PromQL expression'),
  legend: z.string().default(''),
  title: z.string().optional(),
  unit: unit.optional(),
  thresholds: thresholdsSchema.optional(),
  band: z.strictObject({ of: z.string(), edge: z.enum(['lower', 'upper']) }).optional(),
  from: z.enum(['alerts']).optional(),
});

const panelSchema = z
  .strictObject({
    id,
    title: z.string().min(1),
    description: z.string().default(''),
    unit,
    queries: z.array(querySchema).default([]),
    layout: z.strictObject({
      x: z.int().min(0).max(23),
      y: z.int().min(0),
      w: z.int().min(1).max(24),
      h: z.int().min(2).max(60),
    }),
    emptyHint: z.string().optional(),
    yMin: z.number().optional(),
    yMax: z.number().optional(),
    type: z.enum(['timeseries', 'table', 'evaluations', 'alerts', 'silences']).optional(),
    thresholds: thresholdsSchema.optional(),
    rowLabel: z.string().optional(),
    criterion: z.string().optional(),
    limit: z.int().min(1).max(500).optional(),
  })
  .superRefine((panel, ctx) => {
    if (panel.layout.x + panel.layout.w > 24)
      ctx.addIssue({ code: 'custom', path: ['layout', 'w'], message: 'x + w must be at most 24' });
    const type = panel.type ?? 'timeseries';
    if ((type === 'timeseries' || type === 'table') && panel.queries.length === 0)
      ctx.addIssue({ code: 'custom', path: ['queries'], message: `a ${type} needs a query` });
    const refIds = panel.queries.map((q) => q.refId);
    panel.queries.forEach((q, i) => {
      if (refIds.indexOf(q.refId) !== i)
        ctx.addIssue({ code: 'custom', path: ['queries', i, 'refId'], message: 'duplicate' });
      if (q.band && !refIds.includes(q.band.of))
        ctx.addIssue({
          code: 'custom',
          path: ['queries', i, 'band', 'of'],
          message: `band.of must name a refId of this panel, got ${JSON.stringify(q.band.of)}`,
        });
    });
  });

/** Schema of one dashboard definition; unknown keys are refused so typos surface. */
export const dashboardDefinitionSchema = z
  .strictObject({
    id,
    title: z.string().min(1),
    description: z.string().default(''),
    variables: z
      .array(
        z.strictObject({
          name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
          label: z.string(),
          optionsFrom: z.enum(['components']),
          allValue: z.string().default('.*'),
        }),
      )
      .default([
        { name: 'component', label: 'Components', optionsFrom: 'components', allValue: '.*' },
      ]),
    defaultRange: z.enum(['5m', '15m', '1h', '6h', '24h']).default('1h'),
    emptyHint: z.string().default('No data for this range.'),
    panels: z.array(panelSchema).min(1, 'a dashboard needs at least one panel'),
  })
  .superRefine((d, ctx) => {
    const ids = d.panels.map((p) => p.id);
    ids.forEach((pid, i) => {
      if (ids.indexOf(pid) !== i)
        ctx.addIssue({ code: 'custom', path: ['panels', i, 'id'], message: `duplicate id ${pid}` });
    });
  }) as unknown as z.ZodType<DashboardDefinition>;

/**
 * The `dashboards` section of llmwatch.yaml: where user dashboards live.
 * `directory` is relative to the configuration file (default "dashboards"; a missing folder
 * means no user dashboards); `include` is a file-name pattern with `*`, `?` and `{a,b}`
 * (default "*.{yaml,yml}"); `home` is the dashboard "/" opens (default "quantity").
 */
export const dashboardsConfigSchema = z.strictObject({
  directory: z.string().min(1).default('dashboards'),
  include: z.string().min(1).default('*.{yaml,yml}'),
  home: id.default('quantity'),
});

/** The parsed `dashboards` section. */
export type DashboardsConfig = z.infer<typeof dashboardsConfigSchema>;
