// One dashboard panel: its DOM, its queries and its uPlot chart. The panel element carries
// data-panel-id, data-state ("loading", "ready", "empty", "error") and data-series-count so
// tests and users' scripts can tell when it has rendered.
import uPlot from './uPlot.esm.js';
import { formatTick, formatValue } from './format.js';
import { alignSeries, formatLegend, interpolate, parseSampleValue, queryRange } from './query.js';

/** Line colours, chosen to read on both the light and the dark background. */
export const PALETTE = [
  '#3b82f6',
  '#f59e0b',
  '#10b981',
  '#ef4444',
  '#8b5cf6',
  '#06b6d4',
  '#ec4899',
  '#84cc16',
];

/** Pixels per layout row, as in Grafana's grid. */
const ROW_PX = 30;
/** Smallest plot height in pixels, axes included. */
const MIN_PLOT_PX = 100;
/** Vertical padding and borders of a panel, in pixels (see .panel in style.css). */
const PANEL_PADDING_PX = 20;

/** @param {string} name */
function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/**
 * @typedef {import('./query.js').NamedSeries} NamedSeries
 * @typedef {{ id: string, title: string, description: string, unit: string,
 *   queries: { refId: string, expr: string, legend: string }[],
 *   layout: { x: number, y: number, w: number, h: number },
 *   emptyHint?: string, yMin?: number, yMax?: number }} PanelDefinition
 * @typedef {{ startSec: number, endSec: number, stepSec: number, vars: Record<string, string> }} LoadWindow
 */

/** A rendered panel that can load data and redraw itself. */
export class Panel {
  /**
   * @param {PanelDefinition} def
   * @param {string} defaultEmptyHint
   */
  constructor(def, defaultEmptyHint) {
    this.def = def;
    this.emptyHint = def.emptyHint ?? defaultEmptyHint;
    /** @type {uPlot | null} */
    this.chart = null;
    /** @type {NamedSeries[]} */
    this.series = [];
    this.generation = 0;
    /** @type {AbortController | null} */
    this.inFlight = null;
    this.el = this.buildElement();
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.chartEl);
  }

  /** @returns {HTMLElement} */
  buildElement() {
    const { id, title, description, unit, layout } = this.def;
    const el = document.createElement('section');
    el.className = 'panel';
    el.dataset.panelId = id;
    el.dataset.state = 'loading';
    el.setAttribute('aria-labelledby', `panel-title-${id}`);
    el.style.setProperty('--x', String(layout.x + 1));
    el.style.setProperty('--y', String(layout.y + 1));
    el.style.setProperty('--w', String(layout.w));
    el.style.setProperty('--h', String(layout.h));

    const header = document.createElement('header');
    const h2 = document.createElement('h2');
    h2.id = `panel-title-${id}`;
    h2.textContent = title;
    h2.title = description;
    const unitEl = document.createElement('span');
    unitEl.className = 'unit';
    unitEl.textContent = unit;
    header.append(h2, unitEl);

    this.chartEl = document.createElement('div');
    this.chartEl.className = 'chart';
    this.messageEl = document.createElement('p');
    this.messageEl.className = 'message';
    this.messageEl.setAttribute('role', 'status');
    this.messageEl.hidden = true;
    el.append(header, this.chartEl, this.messageEl);
    return el;
  }

  /**
   * Runs every query of the panel for the window and redraws. A newer load supersedes an older
   * one still running (its answer is dropped). Any failing query puts the panel in the error
   * state with the failing query's refId and the server's message.
   * @param {LoadWindow} win
   */
  async load(win) {
    const generation = ++this.generation;
    this.inFlight?.abort();
    const controller = new AbortController();
    this.inFlight = controller;
    this.el.dataset.state = 'loading';
    this.el.setAttribute('aria-busy', 'true');

    /** @type {NamedSeries[]} */
    const series = [];
    /** @type {string[]} */
    const errors = [];
    await Promise.all(
      this.def.queries.map(async (q, index) => {
        try {
          const result = await queryRange({
            expr: interpolate(q.expr, win.vars),
            startSec: win.startSec,
            endSec: win.endSec,
            stepSec: win.stepSec,
            signal: controller.signal,
          });
          for (const s of result) {
            const points = new Map();
            for (const [t, v] of s.values) points.set(Number(t), parseSampleValue(v));
            series.push({ label: formatLegend(q.legend, s.metric), points, order: index });
          }
        } catch (err) {
          errors.push(`${q.refId}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
    );
    if (generation !== this.generation) return;
    this.inFlight = null;
    this.el.removeAttribute('aria-busy');

    // Stable order: by query, then by legend, whatever order the answers arrived in.
    series.sort((a, b) => a.order - b.order || a.label.localeCompare(b.label));
    this.series = series;
    if (errors.length > 0) this.showMessage('error', `Query failed: ${errors.join('; ')}`);
    else if (series.length === 0) this.showMessage('empty', this.emptyHint);
    else this.draw(win);
  }

  /**
   * @param {'error' | 'empty'} state
   * @param {string} text
   */
  showMessage(state, text) {
    this.destroyChart();
    this.messageEl.textContent = text;
    this.messageEl.hidden = false;
    this.el.dataset.seriesCount = String(state === 'error' ? 0 : this.series.length);
    this.el.dataset.state = state;
  }

  /** @param {LoadWindow} [win] */
  draw(win) {
    if (win) this.lastWindow = win;
    this.destroyChart();
    this.messageEl.hidden = true;
    const unit = this.def.unit;
    const axisColor = cssVar('--fg-muted') || '#666';
    const gridColor = cssVar('--grid') || '#ddd';
    /** @type {uPlot.Options} */
    const opts = {
      width: Math.max(200, this.chartEl.clientWidth),
      height: this.chartHeight(),
      scales: {
        x: this.lastWindow ? { min: this.lastWindow.startSec, max: this.lastWindow.endSec } : {},
        y: { range: (_u, min, max) => this.yRange(min, max) },
      },
      series: [
        {},
        ...this.series.map((s, i) => ({
          label: s.label,
          stroke: PALETTE[i % PALETTE.length],
          width: 2,
          spanGaps: false,
          value: (/** @type {unknown} */ _u, /** @type {number | null} */ v) =>
            formatValue(v, unit),
        })),
      ],
      axes: [
        { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor } },
        {
          label: unit,
          stroke: axisColor,
          grid: { stroke: gridColor, width: 1 },
          ticks: { stroke: gridColor },
          size: 60,
          values: (_u, splits) => splits.map((v) => formatTick(v, unit)),
        },
      ],
      legend: { show: true },
    };
    this.chart = new uPlot(
      opts,
      /** @type {uPlot.AlignedData} */ (alignSeries(this.series)),
      this.chartEl,
    );
    this.el.dataset.seriesCount = String(this.series.length);
    this.el.dataset.state = 'ready';
  }

  /**
   * @param {number | null} min
   * @param {number | null} max
   * @returns {[number, number]}
   */
  yRange(min, max) {
    const lo = this.def.yMin ?? min ?? 0;
    let hi = this.def.yMax ?? max ?? 1;
    if (this.def.yMax === undefined) hi = hi <= lo ? lo + 1 : hi + (hi - lo) * 0.05;
    return [lo, hi];
  }

  /** Plot height in pixels: the panel's height less its header, legend and padding. */
  chartHeight() {
    const fallback = this.def.layout.h * ROW_PX - 110;
    const header = this.el.querySelector('header');
    const legend = this.chartEl.querySelector('.u-legend');
    if (!header || this.el.clientHeight === 0) return Math.max(MIN_PLOT_PX, fallback);
    const used = header.offsetHeight + (legend instanceof HTMLElement ? legend.offsetHeight : 0);
    return Math.max(MIN_PLOT_PX, this.el.clientHeight - used - PANEL_PADDING_PX);
  }

  resize() {
    if (!this.chart) return;
    const width = Math.max(200, this.chartEl.clientWidth);
    const height = this.chartHeight();
    if (width !== this.chart.width || height !== this.chart.height)
      this.chart.setSize({ width, height });
  }

  /** Redraws with the current data, e.g. after the colour scheme changed. */
  redraw() {
    if (this.chart) this.draw();
  }

  destroyChart() {
    this.chart?.destroy();
    this.chart = null;
  }
}
