// List panels fed by llmwatch's own JSON APIs: lowest-scoring evaluations (Samples), active
// alerts and silences (Alerts). Same interface as Panel: el, load(win), redraw().

/** @param {string} url */
async function getJson(url) {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  let json = null;
  try {
    json = await res.json();
  } catch {
    // fall through to the status check
  }
  if (!res.ok) throw new Error(json?.error ?? `${url.split('?')[0]} answered HTTP ${res.status}`);
  return json;
}

/** Local date and time of Unix milliseconds or an RFC 3339 date, e.g. "2024-01-02 13:04:05". */
export function formatTime(/** @type {unknown} */ value) {
  const ms = typeof value === 'string' && !/^\d+$/.test(value) ? Date.parse(value) : Number(value);
  if (value === null || value === undefined || !Number.isFinite(ms)) return '—';
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** A duration in milliseconds as "3d 4h", "2h 5m", "4m 10s" or "12s". */
export function formatDuration(/** @type {number} */ ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s >= 86400) return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${s}s`;
}

/** Only http(s) or same-site links are followed; anything else becomes the fallback. */
export function safeLink(/** @type {unknown} */ url, /** @type {string} */ fallback) {
  if (typeof url !== 'string') return fallback;
  if (url.startsWith('/') && !url.startsWith('//')) return url;
  return /^https?:\/\//i.test(url) ? url : fallback;
}

/**
 * @typedef {{ header: string, cell: (item: any) => string | Node }} Column
 */

class ListPanel {
  /** @param {any} def @param {string} defaultEmptyHint */
  constructor(def, defaultEmptyHint) {
    this.def = def;
    this.emptyHint = def.emptyHint ?? defaultEmptyHint;
    this.generation = 0;
    this.el = document.createElement('section');
    this.el.className = 'panel table-panel';
    this.el.dataset.panelId = def.id;
    this.el.dataset.state = 'loading';
    this.el.setAttribute('aria-labelledby', `panel-title-${def.id}`);
    const { x, y, w, h } = def.layout;
    for (const [k, v] of Object.entries({ x: x + 1, y: y + 1, w, h }))
      this.el.style.setProperty(`--${k}`, String(v));
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

  /** @param {any} win */
  async load(win) {
    const generation = ++this.generation;
    this.el.dataset.state = 'loading';
    try {
      const items = await this.fetchItems(win);
      if (generation !== this.generation) return;
      if (items.length === 0) return this.showMessage('empty', this.emptyHint);
      this.render(items);
    } catch (err) {
      if (generation !== this.generation) return;
      this.showMessage('error', `Query failed: ${err instanceof Error ? err.message : err}`);
    }
  }

  /** @param {any} _win @returns {Promise<any[]>} */
  async fetchItems(_win) {
    return [];
  }

  /** @returns {Column[]} */
  columns() {
    return [];
  }

  /** @param {any[]} items */
  render(items) {
    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    for (const c of this.columns()) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = c.header;
      head.append(th);
    }
    const body = table.createTBody();
    for (const item of items) {
      const tr = body.insertRow();
      for (const c of this.columns()) tr.insertCell().append(c.cell(item));
    }
    this.messageEl.hidden = true;
    this.body.replaceChildren(table);
    this.el.dataset.rowCount = String(items.length);
    this.el.dataset.state = 'ready';
  }

  /** @param {'error' | 'empty'} state @param {string} text */
  showMessage(state, text) {
    this.body.replaceChildren();
    this.messageEl.textContent = text;
    this.messageEl.hidden = false;
    this.el.dataset.rowCount = '0';
    this.el.dataset.state = state;
  }

  redraw() {}
}

/** Expandable text: a short preview in <summary>, the whole text inside. */
function details(/** @type {string} */ summary, /** @type {unknown} */ full) {
  const text = typeof full === 'string' ? full : JSON.stringify(full ?? '', null, 2);
  const el = document.createElement('details');
  const s = document.createElement('summary');
  s.textContent = summary;
  const pre = document.createElement('pre');
  pre.textContent = text;
  el.append(s, pre);
  return el;
}

/** Lowest-scoring evaluations from GET /api/llmwatch/evaluations?sort=score. */
export class EvaluationsPanel extends ListPanel {
  /** @param {any} win */
  async fetchItems(win) {
    const limit = this.def.limit ?? 50;
    const base = new URLSearchParams({
      sort: 'score',
      start: String(win.startSec),
      end: String(win.endSec),
      limit: String(limit),
    });
    if (this.def.criterion) base.set('criterion', this.def.criterion);
    // The API filters by one component; several selected components take one request each.
    const components = win.components.length > 0 ? win.components : [null];
    const answers = await Promise.all(
      components.map((/** @type {string | null} */ c) => {
        const params = new URLSearchParams(base);
        if (c !== null) params.set('component', c);
        return getJson(`/api/llmwatch/evaluations?${params}`);
      }),
    );
    const items = answers.flatMap((a) => (Array.isArray(a?.evaluations) ? a.evaluations : []));
    const score = (/** @type {any} */ e) => (typeof e.score === 'number' ? e.score : Infinity);
    items.sort((a, b) => score(a) - score(b));
    return items.slice(0, limit);
  }

  columns() {
    return [
      {
        header: 'Score (0–1)',
        cell: (e) => (typeof e.score === 'number' ? e.score.toFixed(2) : String(e.outcome ?? '—')),
      },
      { header: 'Criterion', cell: (e) => String(e.criterion ?? '') },
      { header: 'Component', cell: (e) => String(e.component ?? '') },
      { header: 'Judge', cell: (e) => String(e.judge ?? '') },
      { header: "Judge's reasoning", cell: (e) => String(e.reasoning ?? '') },
      {
        header: 'Response',
        cell: (e) =>
          details(String(e.response ?? '').slice(0, 60) || 'show', {
            request: e.request,
            response: e.response,
          }),
      },
      { header: 'Time', cell: (e) => formatTime(e.createdAt) },
    ];
  }
}

/** Firing and pending alerts from GET /api/llmwatch/alerts, firing first, oldest first. */
export class AlertsPanel extends ListPanel {
  /** @param {any} win */
  async fetchItems(win) {
    const alerts = win.alerts ?? (await getJson('/api/llmwatch/alerts')).alerts ?? [];
    const wanted = (/** @type {any} */ a) =>
      win.components.length === 0 || win.components.includes(a.component ?? a.labels?.component);
    const since = (/** @type {any} */ a) => Number(a.firingAt ?? a.activeAt ?? 0);
    return alerts
      .filter(
        (/** @type {any} */ a) => (a.state === 'firing' || a.state === 'pending') && wanted(a),
      )
      .sort(
        (/** @type {any} */ a, /** @type {any} */ b) =>
          (a.state === 'firing' ? 0 : 1) - (b.state === 'firing' ? 0 : 1) || since(a) - since(b),
      );
  }

  columns() {
    const now = Date.now();
    return [
      {
        header: 'State',
        cell: (a) => {
          const span = document.createElement('span');
          span.className = a.state === 'firing' ? 'cell-red' : 'cell-yellow';
          span.textContent = a.state;
          return span;
        },
      },
      { header: 'Rule', cell: (a) => String(a.rule ?? a.labels?.alertname ?? '') },
      { header: 'Component', cell: (a) => String(a.component ?? a.labels?.component ?? '—') },
      {
        header: 'Since',
        cell: (a) => {
          const at = a.firingAt ?? a.activeAt;
          const ms = typeof at === 'string' && !/^\d+$/.test(at) ? Date.parse(at) : Number(at);
          return Number.isFinite(ms) ? `${formatTime(ms)} (for ${formatDuration(now - ms)})` : '—';
        },
      },
      {
        header: 'Value',
        cell: (a) => (typeof a.value === 'number' ? String(Number(a.value.toPrecision(4))) : '—'),
      },
      { header: 'Summary', cell: (a) => String(a.annotations?.summary ?? '') },
      {
        header: 'Panel',
        cell: (a) => {
          const link = document.createElement('a');
          const component = a.component ?? a.labels?.component;
          link.href = safeLink(
            a.generatorUrl,
            `/d/quantity${component ? `?component=${encodeURIComponent(component)}` : ''}`,
          );
          link.textContent = 'Open panel';
          return link;
        },
      },
    ];
  }
}

/** Label matcher line: `name="value"`, `name=~"regex"`, `name!="value"` or `name!~"regex"`. */
const MATCHER_LINE = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/;

/**
 * Parses matcher lines into the API's matchers; throws an Error naming the bad line.
 * @param {string} text
 */
export function parseMatchers(text) {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new Error('Give at least one matcher, e.g. component="chat".');
  return lines.map((line) => {
    const m = MATCHER_LINE.exec(line);
    if (!m)
      throw new Error(
        `Matcher ${JSON.stringify(line.trim())} is not name="value" or name=~"regex".`,
      );
    const op = /** @type {string} */ (m[2]);
    return {
      name: /** @type {string} */ (m[1]),
      value: /** @type {string} */ (m[3]).replace(/\\(.)/g, '$1'),
      isRegex: op.endsWith('~'),
      isEqual: !op.startsWith('!'),
    };
  });
}

/** A duration like "30m", "2h" or "1d" in milliseconds; NaN when malformed or zero. */
export function parseDurationMs(/** @type {string} */ text) {
  const m = /^\s*(\d+)\s*([mhd])\s*$/.exec(text);
  if (!m || Number(m[1]) === 0) return NaN;
  return (
    Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[/** @type {'m'|'h'|'d'} */ (m[2])]
  );
}

/** Sends a JSON request; throws the API's error message on a non-2xx answer. */
async function sendJson(
  /** @type {string} */ method,
  /** @type {string} */ url,
  /** @type {unknown} */ body,
) {
  const res = await fetch(url, {
    method,
    headers: {
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let json = null;
  try {
    json = await res.json();
  } catch {
    // fall through to the status check
  }
  if (!res.ok) throw new Error(json?.error ?? `${method} ${url} answered HTTP ${res.status}`);
  return json;
}

/** One labelled form field. */
function field(
  /** @type {string} */ id,
  /** @type {string} */ label,
  /** @type {HTMLElement} */ input,
) {
  const wrap = document.createElement('div');
  wrap.className = 'field';
  const l = document.createElement('label');
  l.htmlFor = id;
  l.textContent = label;
  input.id = id;
  wrap.append(l, input);
  return wrap;
}

/**
 * Silences in place (pending or active) from GET /api/llmwatch/silences, with a form that
 * creates one (POST) and an Expire button per silence (DELETE /api/llmwatch/silences/<id>).
 * Expired silences are not listed.
 */
export class SilencesPanel extends ListPanel {
  /** @param {any} def @param {string} defaultEmptyHint */
  constructor(def, defaultEmptyHint) {
    super(def, defaultEmptyHint);
    /** @type {any} */
    this.lastWin = null;
    this.el.append(this.buildForm());
  }

  buildForm() {
    const form = document.createElement('form');
    form.className = 'silence-form';
    form.setAttribute('aria-label', 'Create a silence');
    const matchers = document.createElement('textarea');
    matchers.rows = 2;
    matchers.required = true;
    matchers.placeholder = 'component="chat"\nalertname=~"High.*"';
    const duration = document.createElement('input');
    duration.value = '2h';
    duration.required = true;
    duration.size = 5;
    const createdBy = document.createElement('input');
    createdBy.required = true;
    createdBy.autocomplete = 'name';
    const comment = document.createElement('input');
    comment.required = true;
    const submit = document.createElement('button');
    submit.type = 'submit';
    submit.textContent = 'Create silence';
    this.formError = document.createElement('p');
    this.formError.id = 'silence-form-error';
    this.formError.className = 'form-error';
    this.formError.setAttribute('role', 'alert');
    for (const input of [matchers, duration, createdBy, comment])
      input.setAttribute('aria-describedby', this.formError.id);
    form.append(
      field('silence-matchers', 'Matchers (one per line)', matchers),
      field('silence-duration', 'Duration (30m, 2h, 1d)', duration),
      field('silence-created-by', 'Created by', createdBy),
      field('silence-comment', 'Comment', comment),
      submit,
      this.formError,
    );
    // Validation happens here and in the API, so messages show next to the form.
    form.noValidate = true;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.formError.textContent = '';
      let body;
      try {
        const ms = parseDurationMs(duration.value);
        if (!Number.isFinite(ms))
          throw new Error(`Duration ${JSON.stringify(duration.value)} is not like 30m, 2h or 1d.`);
        const now = Date.now();
        body = {
          matchers: parseMatchers(matchers.value),
          startsAt: new Date(now).toISOString(),
          endsAt: new Date(now + ms).toISOString(),
          createdBy: createdBy.value.trim(),
          comment: comment.value.trim(),
        };
      } catch (err) {
        this.formError.textContent = err instanceof Error ? err.message : String(err);
        return;
      }
      submit.disabled = true;
      sendJson('POST', '/api/llmwatch/silences', body)
        .then(() => {
          matchers.value = '';
          comment.value = '';
          return this.load(this.lastWin);
        })
        .catch((err) => {
          this.formError.textContent = `Could not create the silence: ${err instanceof Error ? err.message : err}`;
        })
        .finally(() => {
          submit.disabled = false;
        });
    });
    return form;
  }

  /** @param {any} win */
  async load(win) {
    this.lastWin = win;
    return super.load(win);
  }

  async fetchItems() {
    const body = await getJson('/api/llmwatch/silences');
    const all = Array.isArray(body?.silences) ? body.silences : [];
    return all.filter((/** @type {any} */ s) => s.state !== 'expired');
  }

  /** @param {any} silence */
  async expire(silence) {
    this.formError.textContent = '';
    try {
      await sendJson('DELETE', `/api/llmwatch/silences/${encodeURIComponent(String(silence.id))}`);
    } catch (err) {
      this.formError.textContent = `Could not expire the silence: ${err instanceof Error ? err.message : err}`;
    }
    await this.load(this.lastWin);
  }

  columns() {
    const op = (/** @type {any} */ m) => (m.isEqual === false ? '!' : '=') + (m.isRegex ? '~' : '');
    const text = (/** @type {any} */ s) =>
      (s.matchers ?? []).map((/** @type {any} */ m) => `${m.name}${op(m)}"${m.value}"`).join(', ');
    return [
      { header: 'Matchers', cell: text },
      { header: 'Starts', cell: (s) => formatTime(s.startsAt) },
      { header: 'Ends', cell: (s) => formatTime(s.endsAt) },
      { header: 'Created by', cell: (s) => String(s.createdBy ?? '') },
      { header: 'Comment', cell: (s) => String(s.comment ?? '') },
      {
        header: 'Action',
        cell: (s) => {
          const button = document.createElement('button');
          button.type = 'button';
          button.textContent = 'Expire';
          button.setAttribute('aria-label', `Expire silence ${text(s)}`);
          button.addEventListener('click', () => {
            button.disabled = true;
            void this.expire(s);
          });
          return button;
        },
      },
    ];
  }
}
