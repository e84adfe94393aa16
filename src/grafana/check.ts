/**
 * Structural checks of exported Grafana dashboard JSON: the fields and value types Grafana's
 * dashboard schema (schemaVersion 39) demands for what the export emits. No Grafana schema
 * package is installed, so these checks stand in for validating against the published schema.
 */

/** Grafana panel types the export emits. */
const PANEL_TYPES = new Set(['timeseries', 'table', 'text']);

/** Returns every problem found as "path: what is wrong"; [] when the dashboard is well formed. */
export function checkGrafanaDashboard(d: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, path: string, what: string): void => {
    if (!ok) problems.push(`${path}: ${what}`);
  };
  need(
    typeof d.uid === 'string' && /^[a-zA-Z0-9_-]{1,40}$/.test(d.uid),
    'uid',
    'must be 1..40 of [a-zA-Z0-9_-]',
  );
  need(typeof d.title === 'string' && d.title !== '', 'title', 'must be a non-empty string');
  need(
    Number.isInteger(d.schemaVersion) && (d.schemaVersion as number) >= 36,
    'schemaVersion',
    'must be an integer >= 36',
  );
  const time = d.time as { from?: unknown; to?: unknown } | undefined;
  need(
    typeof time?.from === 'string' && typeof time.to === 'string',
    'time',
    'needs from and to strings',
  );
  const list = (d.templating as { list?: unknown } | undefined)?.list;
  need(Array.isArray(list), 'templating.list', 'must be an array');
  const names = new Set<string>();
  for (const [i, v] of (Array.isArray(list) ? list : []).entries()) {
    const variable = v as Record<string, unknown>;
    need(typeof variable.name === 'string', `templating.list[${i}].name`, 'must be a string');
    need(
      ['query', 'datasource', 'custom', 'constant', 'interval', 'textbox'].includes(
        String(variable.type),
      ),
      `templating.list[${i}].type`,
      'unknown variable type',
    );
    names.add(String(variable.name));
  }
  need(
    Array.isArray((d.annotations as { list?: unknown } | undefined)?.list),
    'annotations.list',
    'must be an array',
  );
  const panels = d.panels;
  need(Array.isArray(panels), 'panels', 'must be an array');
  const ids = new Set<number>();
  for (const [i, raw] of (Array.isArray(panels) ? panels : []).entries()) {
    const p = raw as Record<string, unknown>;
    const at = `panels[${i}]`;
    need(
      Number.isInteger(p.id) && !ids.has(p.id as number),
      `${at}.id`,
      'must be a unique integer',
    );
    ids.add(p.id as number);
    need(PANEL_TYPES.has(String(p.type)), `${at}.type`, `unexpected type ${String(p.type)}`);
    const g = p.gridPos as Record<string, unknown> | undefined;
    const gridOk =
      g !== undefined &&
      ['x', 'y', 'w', 'h'].every((k) => Number.isInteger(g[k]) && (g[k] as number) >= 0) &&
      (g.w as number) >= 1 &&
      (g.x as number) + (g.w as number) <= 24;
    need(gridOk, `${at}.gridPos`, 'needs integer x, y, w, h within 24 columns');
    if (p.type === 'text') continue;
    const targets = p.targets as Record<string, unknown>[] | undefined;
    need(
      Array.isArray(targets) && targets.length > 0,
      `${at}.targets`,
      'needs at least one target',
    );
    for (const [j, t] of (targets ?? []).entries()) {
      need(
        typeof t.refId === 'string' && typeof t.expr === 'string' && t.expr !== '',
        `${at}.targets[${j}]`,
        'needs refId and expr',
      );
      for (const ref of String(t.expr).matchAll(/\$([A-Za-z_]\w*)/g)) {
        const name = ref[1]!;
        need(
          names.has(name) || name.startsWith('__'),
          `${at}.targets[${j}].expr`,
          `uses undefined variable $${name}`,
        );
      }
    }
    const defaults = (p.fieldConfig as { defaults?: Record<string, unknown> } | undefined)
      ?.defaults;
    need(defaults !== undefined, `${at}.fieldConfig.defaults`, 'is required');
    const steps = (
      defaults?.thresholds as { mode?: unknown; steps?: { value: unknown }[] } | undefined
    )?.steps;
    need(
      Array.isArray(steps) && steps.length > 0 && steps[0]!.value === null,
      `${at}.fieldConfig.defaults.thresholds`,
      'needs steps starting with a null base',
    );
  }
  return problems;
}
