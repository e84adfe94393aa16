// The dashboard page: loads a dashboard definition and the component list, wires the controls
// (components, time range, auto refresh) to the URL, and keeps every panel loaded.
// Limitation: the component filter is a native <select multiple>; picking several components
// takes Ctrl/Cmd-click or Shift with the arrow keys.
import { Panel } from './panel.js';
import { chooseStepSeconds, componentRegex, rateIntervalFor } from './query.js';
import { REFRESH_MS, formatViewState, parseViewState, resolveWindow } from './state.js';

const DASHBOARD_ID = 'quantity';

/** @param {string} id */
function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page is missing #${id}`);
  return el;
}

const ui = {
  title: byId('dashboard-title'),
  components: /** @type {HTMLSelectElement} */ (byId('components')),
  allComponents: /** @type {HTMLButtonElement} */ (byId('all-components')),
  range: /** @type {HTMLSelectElement} */ (byId('range')),
  customRange: /** @type {HTMLFieldSetElement} */ (byId('custom-range')),
  from: /** @type {HTMLInputElement} */ (byId('from')),
  to: /** @type {HTMLInputElement} */ (byId('to')),
  controls: /** @type {HTMLFormElement} */ (byId('controls')),
  refresh: /** @type {HTMLSelectElement} */ (byId('refresh')),
  refreshNow: /** @type {HTMLButtonElement} */ (byId('refresh-now')),
  status: byId('status'),
  panels: byId('panels'),
};

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

async function main() {
  const dashboard = await fetchJson(`/api/llmwatch/dashboards/${DASHBOARD_ID}`);
  document.title = `${dashboard.title} · llmwatch`;
  ui.title.textContent = dashboard.title;
  const componentVar = dashboard.variables.find(
    (/** @type {{name: string}} */ v) => v.name === 'component',
  );
  const allValue = componentVar?.allValue ?? '.*';

  let state = parseViewState(location.search, dashboard.defaultRange);
  const panels = dashboard.panels.map(
    (/** @type {any} */ def) => new Panel(def, dashboard.emptyHint),
  );
  ui.panels.replaceChildren(...panels.map((p) => p.el));

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
  }

  let loading = false;
  async function loadAll() {
    const { startSec, endSec } = resolveWindow(state, Date.now());
    const stepSec = chooseStepSeconds(endSec - startSec);
    // Align the end to the step so points land on the same timestamps across refreshes.
    const alignedEnd = state.range === 'custom' ? endSec : endSec - (endSec % stepSec);
    const alignedStart = alignedEnd - (endSec - startSec);
    const vars = {
      component: componentRegex(state.components, allValue),
      __rate_interval: rateIntervalFor(stepSec),
    };
    loading = true;
    try {
      await Promise.all(
        panels.map((p) => p.load({ startSec: alignedStart, endSec: alignedEnd, stepSec, vars })),
      );
      ui.status.textContent = `Updated ${new Date().toLocaleTimeString()}`;
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
