// Table panels: one row per value of the panel's row label, one column per query, each an
// instant query at the end of the window. Cells are coloured by the column's thresholds; rows
// are sorted least healthy first. Pure helpers are exported for node tests.
import { formatValue } from './format.js';
import { interpolate, parseSampleValue, queryInstant } from './query.js';

/** Health rank of a threshold colour: higher is worse; no colour ranks lowest. */
export const COLOR_RANK = { red: 4, orange: 3, yellow: 2, blue: 1, green: 1 };

/** Words shown for a row's health, so colour is never the only signal. */
const HEALTH_WORDS = {
  red: 'critical',
  orange: 'warning',
  yellow: 'warning',
  green: 'ok',
  blue: 'ok',
};

/**
 * The colour a value takes under Grafana-style thresholds; null without thresholds or value.
 * @param {number | null} value
 * @param {{ base: string, steps: { value: number, color: string }[] } | undefined} thresholds
 * @returns {string | null}
 */
export function thresholdColor(value, thresholds) {
  if (!thresholds || value === null) return null;
  let color = thresholds.base;
  for (const step of thresholds.steps) if (value >= step.value) color = step.color;
  return color;
}

/**
 * Builds sorted rows from per-column results: worst health first, then by name.
 * @param {{ refId: string, thresholds?: any }[]} columns
 * @param {Map<string, Map<string, number | null>>} values refId -> row name -> value
 * @returns {{ name: string, cells: { value: number | null, color: string | null }[], health: string | null }[]}
 */
export function buildRows(columns, values) {
  const names = new Set();
  for (const byRow of values.values()) for (const name of byRow.keys()) names.add(name);
  const rows = [...names].map((name) => {
    const cells = columns.map((c) => {
      const value = values.get(c.refId)?.get(name) ?? null;
      return { value, color: thresholdColor(value, c.thresholds) };
    });
    /** @type {string | null} */
    let health = null;
    for (const cell of cells) {
      const rank = (c) =>
        c === null ? 0 : (COLOR_RANK[/** @type {keyof typeof COLOR_RANK} */ (c)] ?? 0);
      if (rank(cell.color) > rank(health)) health = cell.color;
    }
    return { name: /** @type {string} */ (name), cells, health };
  });
  const rankOf = (/** @type {string | null} */ c) =>
    c === null ? 0 : (COLOR_RANK[/** @type {keyof typeof COLOR_RANK} */ (c)] ?? 0);
  rows.sort((a, b) => rankOf(b.health) - rankOf(a.health) || a.name.localeCompare(b.name));
  return rows;
}

/** A table panel with the same interface as Panel: el, load(win), redraw(). */
export class TablePanel {
  /**
   * @param {any} def panel definition
   * @param {string} defaultEmptyHint
   * @param {(name: string) => string} rowLink URL for a row's name
   */
  constructor(def, defaultEmptyHint, rowLink) {
    this.def = def;
    this.emptyHint = def.emptyHint ?? defaultEmptyHint;
    this.rowLink = rowLink;
    this.generation = 0;
    this.el = document.createElement('section');
    this.el.className = 'panel table-panel';
    this.el.dataset.panelId = def.id;
    this.el.dataset.state = 'loading';
    this.el.setAttribute('aria-labelledby', `panel-title-${def.id}`);
    for (const [k, v] of Object.entries(def.layout))
      this.el.style.setProperty(`--${k}`, String(k === 'x' || k === 'y' ? v + 1 : v));
    const header = document.createElement('header');
    const h2 = document.createElement('h2');
    h2.id = `panel-title-${def.id}`;
    h2.textContent = def.title;
    h2.title = def.description;
    header.append(h2);
    this.body = document.createElement('div');
    this.body.className = 'table-wrap';
    this.messageEl = document.createElement('p');
    this.messageEl.className = 'message';
    this.messageEl.setAttribute('role', 'status');
    this.messageEl.hidden = true;
    this.el.append(header, this.body, this.messageEl);
  }

  /** @param {import('./panel.js').LoadWindow & { alerts?: any[] }} win */
  async load(win) {
    const generation = ++this.generation;
    this.el.dataset.state = 'loading';
    const vars = { ...win.vars, __range: `${Math.max(1, win.endSec - win.startSec)}s` };
    const rowLabel = this.def.rowLabel ?? 'component';
    /** @type {Map<string, Map<string, number | null>>} */
    const values = new Map();
    /** @type {string[]} */
    const errors = [];
    await Promise.all(
      this.def.queries.map(async (/** @type {any} */ q) => {
        const byRow = new Map();
        values.set(q.refId, byRow);
        if (q.from === 'alerts') {
          if (!win.alerts) return errors.push(`${q.refId}: alert list unavailable`);
          for (const a of win.alerts) {
            if (a.state !== 'firing') continue;
            const name = a.component ?? a.labels?.[rowLabel];
            if (name) byRow.set(name, (byRow.get(name) ?? 0) + 1);
          }
          return;
        }
        try {
          const result = await queryInstant(interpolate(q.expr, vars), win.endSec);
          for (const s of result) {
            const name = s.metric[rowLabel];
            if (name !== undefined) byRow.set(name, parseSampleValue(s.value[1]));
          }
        } catch (err) {
          errors.push(`${q.refId}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
    );
    if (generation !== this.generation) return;
    // Alert counts alone do not make a row: only components with data elsewhere appear.
    const alertCols = this.def.queries.filter((/** @type {any} */ q) => q.from === 'alerts');
    const dataCols = this.def.queries.filter((/** @type {any} */ q) => q.from !== 'alerts');
    const known = new Set();
    for (const q of dataCols) for (const n of values.get(q.refId)?.keys() ?? []) known.add(n);
    for (const q of alertCols) {
      const byRow = values.get(q.refId);
      if (!byRow) continue;
      for (const n of [...byRow.keys()]) if (!known.has(n)) byRow.delete(n);
      for (const n of known) if (!byRow.has(n)) byRow.set(n, 0);
    }
    const rows = buildRows(this.def.queries, values);
    if (errors.length > 0)
      return this.showMessage('error', `Query failed: ${errors.join('; ')}`, rows.length);
    if (rows.length === 0) return this.showMessage('empty', this.emptyHint, 0);
    this.render(rows, rowLabel);
  }

  /**
   * @param {ReturnType<typeof buildRows>} rows
   * @param {string} rowLabel
   */
  render(rows, rowLabel) {
    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    const th = (/** @type {string} */ text) => {
      const cell = document.createElement('th');
      cell.scope = 'col';
      cell.textContent = text;
      head.append(cell);
    };
    th(rowLabel[0].toUpperCase() + rowLabel.slice(1));
    th('Health');
    for (const q of this.def.queries) th(`${q.title ?? q.refId} (${q.unit ?? this.def.unit})`);
    const body = table.createTBody();
    for (const row of rows) {
      const tr = body.insertRow();
      tr.dataset.row = row.name;
      const name = document.createElement('th');
      name.scope = 'row';
      const link = document.createElement('a');
      link.href = this.rowLink(row.name);
      link.textContent = row.name;
      name.append(link);
      tr.append(name);
      const health = tr.insertCell();
      health.textContent = row.health
        ? HEALTH_WORDS[/** @type {keyof typeof HEALTH_WORDS} */ (row.health)]
        : '—';
      if (row.health) health.className = `cell-${row.health}`;
      row.cells.forEach((cell, i) => {
        const q = this.def.queries[i];
        const td = tr.insertCell();
        td.textContent = formatValue(cell.value, q.unit ?? this.def.unit);
        if (cell.color) td.className = `cell-${cell.color}`;
      });
    }
    this.messageEl.hidden = true;
    this.body.replaceChildren(table);
    this.el.dataset.rowCount = String(rows.length);
    this.el.dataset.state = 'ready';
  }

  /**
   * @param {'error' | 'empty'} state
   * @param {string} text
   * @param {number} rowCount
   */
  showMessage(state, text, rowCount) {
    this.body.replaceChildren();
    this.messageEl.textContent = text;
    this.messageEl.hidden = false;
    this.el.dataset.rowCount = String(state === 'error' ? 0 : rowCount);
    this.el.dataset.state = state;
  }

  redraw() {}
}
