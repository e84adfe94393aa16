// Chart overlays: deploy/config annotations and alert firing periods, fetched once per load and
// drawn on every time series panel. Pure helpers are exported for node tests.

/**
 * @typedef {{ time: number, text: string, component?: string, kind: string }} Annotation
 * @typedef {{ rule: string, labels: Record<string, string>, from: string, to: string, at: number,
 *   value?: number }} Transition
 * @typedef {{ rule: string, component: string | undefined, startSec: number, endSec: number }} AlertPeriod
 * @typedef {{ annotations: Annotation[], alertPeriods: AlertPeriod[] }} Overlays
 */

/**
 * Turns alert state transitions into firing periods per alert instance (rule + labels). A period
 * starts at a transition to "firing" and ends at the next transition of the same instance away
 * from it; one still firing at `endSec` ends there, and one firing before the first transition
 * in the window starts at `startSec`.
 * @param {Transition[]} transitions
 * @param {number} startSec
 * @param {number} endSec
 * @returns {AlertPeriod[]}
 */
export function firingPeriods(transitions, startSec, endSec) {
  /** @type {Map<string, Transition[]>} */
  const byInstance = new Map();
  for (const t of transitions) {
    const key = `${t.rule}\u0000${JSON.stringify(Object.entries(t.labels ?? {}).sort())}`;
    const list = byInstance.get(key) ?? [];
    list.push(t);
    byInstance.set(key, list);
  }
  /** @type {AlertPeriod[]} */
  const periods = [];
  for (const list of byInstance.values()) {
    list.sort((a, b) => a.at - b.at);
    const component = list[0]?.labels?.component;
    /** @type {number | null} */
    let openSec = list[0] && list[0].from === 'firing' ? startSec : null;
    for (const t of list) {
      const atSec = t.at / 1000;
      if (t.to === 'firing' && openSec === null) openSec = atSec;
      else if (t.to !== 'firing' && openSec !== null) {
        periods.push({
          rule: t.rule,
          component,
          startSec: Math.max(openSec, startSec),
          endSec: Math.min(atSec, endSec),
        });
        openSec = null;
      }
    }
    if (openSec !== null && list[0]) {
      periods.push({
        rule: list[0].rule,
        component,
        startSec: Math.max(openSec, startSec),
        endSec,
      });
    }
  }
  return periods.filter((p) => p.endSec > p.startSec);
}

/**
 * Keeps the overlays that concern the selected components (all when none is selected); an
 * overlay without a component concerns everyone.
 * @param {Overlays} overlays
 * @param {string[]} components
 * @returns {Overlays}
 */
export function filterOverlays(overlays, components) {
  const wanted = (/** @type {string | undefined} */ c) =>
    components.length === 0 || c === undefined || components.includes(c);
  return {
    annotations: overlays.annotations.filter((a) => wanted(a.component)),
    alertPeriods: overlays.alertPeriods.filter((p) => wanted(p.component)),
  };
}

/**
 * Fetches annotations and alert history for the window. Either API failing leaves its part
 * empty and adds a line to `problems`, so charts still draw.
 * @param {number} startSec
 * @param {number} endSec
 * @returns {Promise<Overlays & { problems: string[] }>}
 */
export async function fetchOverlays(startSec, endSec) {
  const range = `start=${startSec * 1000}&end=${endSec * 1000}`;
  /** @type {string[]} */
  const problems = [];
  const get = async (/** @type {string} */ url) => {
    try {
      const res = await fetch(url, { headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return await res.json();
    } catch (err) {
      problems.push(`${url.split('?')[0]}: ${err instanceof Error ? err.message : err}`);
      return null;
    }
  };
  const [notes, history] = await Promise.all([
    get(`/api/llmwatch/annotations?${range}`),
    get(`/api/llmwatch/alerts/history?${range}`),
  ]);
  return {
    annotations: Array.isArray(notes?.annotations) ? notes.annotations : [],
    alertPeriods: Array.isArray(history?.transitions)
      ? firingPeriods(history.transitions, startSec, endSec)
      : [],
    problems,
  };
}

/** Colours of annotation kinds; others use the last. */
const KIND_COLORS = { deploy: '#8b5cf6', config: '#06b6d4', other: '#64748b' };

/**
 * Draws overlays on a uPlot chart's canvas (called from its draw hook): alert periods as a red
 * strip along the top with a faint shade below, annotations as dashed vertical lines.
 * @param {any} u the uPlot instance
 * @param {Overlays} overlays
 */
export function drawOverlays(u, overlays) {
  const { ctx, bbox } = u;
  ctx.save();
  for (const p of overlays.alertPeriods) {
    const x0 = Math.max(bbox.left, u.valToPos(p.startSec, 'x', true));
    const x1 = Math.min(bbox.left + bbox.width, u.valToPos(p.endSec, 'x', true));
    if (x1 <= x0) continue;
    ctx.fillStyle = 'rgba(220, 38, 38, 0.08)';
    ctx.fillRect(x0, bbox.top, x1 - x0, bbox.height);
    ctx.fillStyle = 'rgba(220, 38, 38, 0.9)';
    ctx.fillRect(x0, bbox.top, x1 - x0, 4 * devicePixelRatio);
  }
  ctx.lineWidth = 1.5 * devicePixelRatio;
  ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
  for (const a of overlays.annotations) {
    const x = u.valToPos(a.time / 1000, 'x', true);
    if (x < bbox.left || x > bbox.left + bbox.width) continue;
    ctx.strokeStyle =
      KIND_COLORS[/** @type {keyof typeof KIND_COLORS} */ (a.kind)] ?? KIND_COLORS.other;
    ctx.beginPath();
    ctx.moveTo(x, bbox.top);
    ctx.lineTo(x, bbox.top + bbox.height);
    ctx.stroke();
  }
  ctx.restore();
}
