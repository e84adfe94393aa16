// One dashboard panel: its DOM, its queries and its uPlot chart. The panel element carries
// data-panel-id, data-state ("loading", "ready", "empty", "error") and data-series-count so
// tests and users' scripts can tell when it has rendered.
import uPlot from './uPlot.esm.js';
import { formatTick, formatValue } from './format.js';
import { drawOverlays } from './overlays.js';
import { alignSeries, formatLegend, interpolate, parseSampleValue, queryRange } from './query.js';

/** Threshold colours by name, readable on both backgrounds. */
export const THRESHOLD_COLORS = {
  green: '#16a34a',
  yellow: '#ca8a04',
  orange: '#ea580c',
  red: '#dc2626',
  blue: '#2563eb',
};

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
 * @typedef {{ base: string, steps: { value: number, color: string }[], style?: string }} Thresholds
 * @typedef {{ startSec: number, endSec: number, stepSec: number, vars: Record<string, string>,
 *   overlays?: import('./overlays.js').Overlays }} LoadWindow
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
            const label = formatLegend(q.legend, s.metric);
            series.push({
              label: q.band ? `${q.band.edge} 95% ${label}` : label,
              points,
              order: index,
              refId: q.refId,
              band: q.band,
              key: JSON.stringify(Object.entries(s.metric).sort()),
            });
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
    this.lastWindow = win;
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
    const colors = this.seriesColors();
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
          stroke: colors[i],
          width: s.band ? 1 : 2,
          dash: s.band ? [3, 3] : undefined,
          spanGaps: false,
          value: (/** @type {unknown} */ _u, /** @type {number | null} */ v) =>
            formatValue(v, unit),
        })),
      ],
      bands: this.bands(colors),
      hooks: {
        drawClear: [(/** @type {uPlot} */ u) => this.drawThresholds(u)],
        draw: [
          (/** @type {uPlot} */ u) =>
            this.lastWindow?.overlays && drawOverlays(u, this.lastWindow.overlays),
        ],
      },
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
    const overlays = this.lastWindow?.overlays;
    this.el.dataset.annotationCount = String(overlays?.annotations.length ?? 0);
    this.el.dataset.alertPeriodCount = String(overlays?.alertPeriods.length ?? 0);
    if (overlays && overlays.annotations.length > 0) {
      const notes = overlays.annotations.map((a) => `${a.kind}: ${a.text}`).join('; ');
      this.chartEl.setAttribute('aria-label', `Annotations: ${notes}`);
      this.chartEl.setAttribute('role', 'img');
    } else {
      this.chartEl.removeAttribute('aria-label');
      this.chartEl.removeAttribute('role');
    }
    this.el.dataset.state = 'ready';
  }

  /**
   * Line colours: main series take palette colours in order; a band edge takes the colour of
   * the main series it surrounds (same query `of` and same labels), grey when there is none.
   * @returns {string[]}
   */
  seriesColors() {
    /** @type {Map<string, string>} */
    const byKey = new Map();
    let next = 0;
    const colors = this.series.map((s) => {
      if (s.band) return '';
      const color = PALETTE[next++ % PALETTE.length];
      byKey.set(`${s.refId}\u0000${s.key}`, color);
      return color;
    });
    return this.series.map((s, i) =>
      s.band ? (byKey.get(`${s.band.of}\u0000${s.key}`) ?? '#94a3b8') : colors[i],
    );
  }

  /**
   * uPlot bands filling between each pair of lower and upper edges with the same labels.
   * @param {string[]} colors
   */
  bands(colors) {
    /** @type {{ series: [number, number], fill: string }[]} */
    const bands = [];
    this.series.forEach((s, i) => {
      if (s.band?.edge !== 'upper') return;
      const lower = this.series.findIndex(
        (o) => o.band?.edge === 'lower' && o.band.of === s.band?.of && o.key === s.key,
      );
      if (lower >= 0) bands.push({ series: [i + 1, lower + 1], fill: `${colors[i]}33` });
    });
    return bands;
  }

  /**
   * Draws the panel's thresholds behind the series: shaded areas or dashed lines.
   * @param {uPlot} u
   */
  drawThresholds(u) {
    const t = /** @type {Thresholds | undefined} */ (this.def.thresholds);
    if (!t) return;
    const { ctx, bbox } = u;
    const colorOf = (/** @type {string} */ name) =>
      THRESHOLD_COLORS[/** @type {keyof typeof THRESHOLD_COLORS} */ (name)] ?? '#94a3b8';
    const yOf = (/** @type {number} */ v) =>
      Math.min(bbox.top + bbox.height, Math.max(bbox.top, u.valToPos(v, 'y', true)));
    ctx.save();
    if ((t.style ?? 'area') === 'area') {
      const edges = [-Infinity, ...t.steps.map((s) => s.value), Infinity];
      const fills = [t.base, ...t.steps.map((s) => s.color)];
      ctx.globalAlpha = 0.1;
      fills.forEach((color, i) => {
        const top = Number.isFinite(edges[i + 1]) ? yOf(edges[i + 1]) : bbox.top;
        const bottom = Number.isFinite(edges[i]) ? yOf(edges[i]) : bbox.top + bbox.height;
        ctx.fillStyle = colorOf(color);
        if (bottom > top) ctx.fillRect(bbox.left, top, bbox.width, bottom - top);
      });
    } else {
      ctx.lineWidth = devicePixelRatio;
      ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
      for (const step of t.steps) {
        const y = yOf(step.value);
        ctx.strokeStyle = colorOf(step.color);
        ctx.beginPath();
        ctx.moveTo(bbox.left, y);
        ctx.lineTo(bbox.left + bbox.width, y);
        ctx.stroke();
      }
    }
    ctx.restore();
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
