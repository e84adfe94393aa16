// The dashboard page: reads which dashboard to show from the path (/d/<id>, "/" for the home
// dashboard), builds its panels, wires the controls (components, time range, auto refresh,
// theme) to the URL, and keeps every panel loaded with chart overlays.
// Limitation: the component filter is a native <select multiple>; picking several components
// takes Ctrl/Cmd-click or Shift with the arrow keys.
import { EvaluationsPanel, AlertsPanel, SilencesPanel } from './lists.js';
import { fetchOverlays, filterOverlays } from './overlays.js';
import { Panel } from './panel.js';
import { chooseStepSeconds, componentRegex, rateIntervalFor } from './query.js';
import { REFRESH_MS, formatViewState, parseViewState, resolveWindow } from './state.js';
import { TablePanel } from './table.js';

/** @param {string} id */
function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page is missing #${id}`);
  return el;
}

const ui = {
  title: byId('dashboard-title'),
  nav: byId('nav'),
  components: /** @type {HTMLSelectElement} */ (byId('components')),
  allComponents: /** @type {HTMLButtonElement} */ (byId('all-components')),
  range: /** @type {HTMLSelectElement} */ (byId('range')),
  customRange: /** @type {HTMLFieldSetElement} */ (byId('custom-range')),
  from: /** @type {HTMLInputElement} */ (byId('from')),
  to: /** @type {HTMLInputElement} */ (byId('to')),
  controls: /** @type {HTMLFormElement} */ (byId('controls')),
  refresh: /** @type {HTMLSelectElement} */ (byId('refresh')),
  theme: /** @type {HTMLSelectElement} */ (byId('theme')),
  refreshNow: /** @type {HTMLButtonElement} */ (byId('refresh-now')),
  status: byId('status'),
  panels: byId('panels'),
};

const THEME_KEY = 'llmwatch.theme';

/** @param {string} url */
async function fetchJson(url) {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
  return res.json();
}

/** Milliseconds since the epoch as the value of a datetime-local input (local time). */
function toLocalInput(/** @type {number} */ ms) {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 19);
}

/** Applies a theme choice: "auto" follows the system, else forces light or dark. */
function applyTheme(/** @type {string} */ theme) {
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}

/**
 * Builds the panel object for a definition by its type.
 * @param {any} def
 * @param {any} dashboard
 * @param {() => string} search the current query string, for row links
 */
function createPanel(def, dashboard, search) {
  switch (def.type ?? 'timeseries') {
    case 'table':
      return new TablePanel(def, dashboard.emptyHint, (name) => {
        const params = new URLSearchParams(search());
        params.delete('component');
        params.append('component', name);
        return `/d/quantity?${params}`;
      });
    case 'evaluations':
      return new EvaluationsPanel(def, dashboard.emptyHint);
    case 'alerts':
      return new AlertsPanel(def, dashboard.emptyHint);
    case 'silences':
      return new SilencesPanel(def, dashboard.emptyHint);
    default:
      return new Panel(def, dashboard.emptyHint);
  }
}

async function main() {
  const theme = localStorage.getItem(THEME_KEY) ?? 'auto';
  ui.theme.value = theme;
  applyTheme(theme);

  const list = await fetchJson('/api/llmwatch/dashboards');
  const pathId = /^\/d\/([a-z0-9-]+)\/?$/.exec(location.pathname)?.[1];
  const dashboardId = pathId ?? list.home ?? list.dashboards[0]?.id;
  const dashboard = await fetchJson(`/api/llmwatch/dashboards/${encodeURIComponent(dashboardId)}`);
  document.title = `${dashboard.title} · llmwatch`;
  ui.title.textContent = dashboard.title;
  const componentVar = dashboard.variables.find(
    (/** @type {{name: string}} */ v) => v.name === 'component',
  );
  const allValue = componentVar?.allValue ?? '.*';

  let state = parseViewState(location.search, dashboard.defaultRange);
  const search = () => location.search;
  const panels = dashboard.panels.map((/** @type {any} */ def) =>
    createPanel(def, dashboard, search),
  );
  ui.panels.replaceChildren(...panels.map((p) => p.el));
  const needsAlerts = dashboard.panels.some(
    (/** @type {any} */ p) =>
      p.type === 'alerts' || p.queries.some((/** @type {any} */ q) => q.from === 'alerts'),
  );
  const hasCharts = dashboard.panels.some(
    (/** @type {any} */ p) => (p.type ?? 'timeseries') === 'timeseries',
  );

  /** Navigation links carry the view state (range, components) to the other dashboards. */
  function showNav() {
    const query = formatViewState({ ...state, range: state.range }, '');
    ui.nav.replaceChildren(
      ...list.dashboards.map((/** @type {{id: string, title: string}} */ d) => {
        const li = document.createElement('li');
        const a = document.createElement('a');
        a.href = `/d/${d.id}${query}`;
        a.textContent = d.title;
        if (d.id === dashboard.id) a.setAttribute('aria-current', 'page');
        li.append(a);
        return li;
      }),
    );
  }

  // The component list failing to load leaves the filter with the URL's names only.
  /** @type {string[]} */
  let names = [];
  try {
    const body = await fetchJson('/api/llmwatch/components');
    names = body.components.map((/** @type {{name: string}} */ c) => c.name);
  } catch (err) {
    ui.status.textContent = `Component list unavailable: ${err instanceof Error ? err.message : err}`;
  }
  for (const name of state.components) if (!names.includes(name)) names.push(name);
  ui.components.replaceChildren(...names.map((n) => new Option(n, n)));
  ui.components.size = Math.min(Math.max(names.length, 2), 6);

  function showState() {
    ui.range.value = state.range;
    ui.refresh.value = state.refresh;
    for (const option of ui.components.options)
      option.selected = state.components.includes(option.value);
    ui.customRange.hidden = state.range !== 'custom';
    if (state.range === 'custom' && state.fromMs !== null && state.toMs !== null) {
      ui.from.value = toLocalInput(state.fromMs);
      ui.to.value = toLocalInput(state.toMs);
    }
    showNav();
  }

  let loading = false;
  async function loadAll() {
    const { startSec, endSec } = resolveWindow(state, Date.now());
    const stepSec = chooseStepSeconds(endSec - startSec);
    // Align the end up to the step, so points land on the same timestamps across refreshes and
    // the newest point is never older than the end (with a day-long step, rounding down hid the
    // latest day). The start is a whole number of steps before the end.
    const alignedEnd =
      state.range === 'custom' ? endSec : endSec + ((stepSec - (endSec % stepSec)) % stepSec);
    const alignedStart = alignedEnd - Math.ceil((endSec - startSec) / stepSec) * stepSec;
    const vars = {
      component: componentRegex(state.components, allValue),
      __rate_interval: rateIntervalFor(stepSec),
    };
    loading = true;
    // Mark every panel as loading at once, before the overlays are fetched, so observers never
    // mistake the previous view's panels for the new one's.
    for (const p of panels) p.el.dataset.state = 'loading';
    try {
      /** @type {string[]} */
      const problems = [];
      const [overlays, alerts] = await Promise.all([
        hasCharts ? fetchOverlays(alignedStart, alignedEnd) : null,
        needsAlerts
          ? fetchJson('/api/llmwatch/alerts').then(
              (b) => (Array.isArray(b?.alerts) ? b.alerts : []),
              (err) => (
                problems.push(`alerts: ${err instanceof Error ? err.message : err}`),
                undefined
              ),
            )
          : undefined,
      ]);
      if (overlays) problems.push(...overlays.problems);
      const win = {
        startSec: alignedStart,
        endSec: alignedEnd,
        stepSec,
        vars,
        components: state.components,
        alerts,
        overlays: overlays ? filterOverlays(overlays, state.components) : undefined,
      };
      await Promise.all(panels.map((p) => p.load(win)));
      const updated = `Updated ${new Date().toLocaleTimeString()}`;
      ui.status.textContent =
        problems.length > 0 ? `${updated}. Overlays unavailable: ${problems.join('; ')}` : updated;
    } finally {
      loading = false;
    }
  }

  /** @type {ReturnType<typeof setInterval> | undefined} */
  let timer;
  function scheduleRefresh() {
    clearInterval(timer);
    const everyMs = REFRESH_MS[/** @type {keyof typeof REFRESH_MS} */ (state.refresh)] ?? 0;
    // A tick is skipped while the previous load still runs, so loads never pile up.
    if (everyMs > 0) timer = setInterval(() => loading || void loadAll(), everyMs);
  }

  /** @param {Partial<import('./state.js').ViewState>} change */
  function update(change) {
    state = { ...state, ...change };
    history.replaceState(
      null,
      '',
      `${location.pathname}${formatViewState(state, dashboard.defaultRange)}`,
    );
    showState();
    scheduleRefresh();
    void loadAll();
  }

  ui.range.addEventListener('change', () => {
    if (ui.range.value !== 'custom')
      return update({ range: ui.range.value, fromMs: null, toMs: null });
    // Custom: show the inputs, prefilled with the current window; Apply loads it.
    const { startSec, endSec } = resolveWindow(state, Date.now());
    ui.customRange.hidden = false;
    ui.from.value = toLocalInput(startSec * 1000);
    ui.to.value = toLocalInput(endSec * 1000);
    ui.from.focus();
  });
  ui.controls.addEventListener('submit', (event) => {
    event.preventDefault();
    const fromMs = new Date(ui.from.value).getTime();
    const toMs = new Date(ui.to.value).getTime();
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || fromMs >= toMs) {
      ui.status.textContent = 'Custom range needs a start before its end.';
      return;
    }
    update({ range: 'custom', fromMs, toMs });
  });
  ui.refresh.addEventListener('change', () => update({ refresh: ui.refresh.value }));
  ui.components.addEventListener('change', () =>
    update({ components: [...ui.components.selectedOptions].map((o) => o.value) }),
  );
  ui.allComponents.addEventListener('click', () => update({ components: [] }));
  ui.refreshNow.addEventListener('click', () => void loadAll());
  ui.theme.addEventListener('change', () => {
    localStorage.setItem(THEME_KEY, ui.theme.value);
    applyTheme(ui.theme.value);
    for (const p of panels) p.redraw();
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    for (const p of panels) p.redraw();
  });

  showState();
  scheduleRefresh();
  await loadAll();
}

main().catch((err) => {
  ui.status.textContent = `Dashboard failed to load: ${err instanceof Error ? err.message : err}`;
  document.body.dataset.state = 'error';
});
