// Node tests of the page's pure browser modules (no DOM): URL state, query building, formatting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

interface ViewState {
  range: string;
  fromMs: number | null;
  toMs: number | null;
  refresh: string;
  components: string[];
}
interface StateModule {
  parseViewState(search: string, defaultRange: string): ViewState;
  formatViewState(state: ViewState, defaultRange: string): string;
  resolveWindow(state: ViewState, nowMs: number): { startSec: number; endSec: number };
}
interface QueryModule {
  chooseStepSeconds(rangeSec: number): number;
  rateIntervalFor(stepSec: number): string;
  componentRegex(names: string[], allValue: string): string;
  interpolate(expr: string, vars: Record<string, string>): string;
  formatLegend(template: string, labels: Record<string, string>): string;
  parseSampleValue(text: string): number | null;
  alignSeries(series: { label: string; points: Map<number, number | null> }[]): unknown[][];
}
interface FormatModule {
  formatValue(value: number | null, unit: string): string;
  formatTick(value: number, unit: string): string;
}

// The modules are plain JavaScript for the browser; import them by URL so tsc leaves them alone.
const state = (await import(new URL('./web/state.js', import.meta.url).href)) as StateModule;
const query = (await import(new URL('./web/query.js', import.meta.url).href)) as QueryModule;
const format = (await import(new URL('./web/format.js', import.meta.url).href)) as FormatModule;

describe('web/state.js', () => {
  it('parses and formats a relative range with components and refresh', () => {
    const parsed = state.parseViewState('?range=6h&refresh=10s&component=a&component=b.c', '1h');
    assert.deepEqual(parsed, {
      range: '6h',
      fromMs: null,
      toMs: null,
      refresh: '10s',
      components: ['a', 'b.c'],
    });
    assert.equal(
      state.formatViewState(parsed, '1h'),
      '?range=6h&refresh=10s&component=a&component=b.c',
    );
  });

  it('falls back to defaults on bad values and omits defaults when formatting', () => {
    const parsed = state.parseViewState('?range=7d&refresh=1s&from=2024-01-02T00:00:00Z', '1h');
    assert.deepEqual(parsed, {
      range: '1h',
      fromMs: null,
      toMs: null,
      refresh: 'off',
      components: [],
    });
    assert.equal(state.formatViewState(parsed, '1h'), '');
  });

  it('round-trips a custom range and resolves its window', () => {
    const parsed = state.parseViewState(
      '?from=2024-01-02T00:00:00.000Z&to=2024-01-02T01:30:00.000Z',
      '1h',
    );
    assert.equal(parsed.range, 'custom');
    assert.deepEqual(state.resolveWindow(parsed, 0), { startSec: 1704153600, endSec: 1704159000 });
    assert.equal(
      state.formatViewState(parsed, '1h'),
      '?from=2024-01-02T00%3A00%3A00.000Z&to=2024-01-02T01%3A30%3A00.000Z',
    );
    // from after to is not a range: the default applies.
    assert.equal(
      state.parseViewState('?from=2024-01-03T00:00:00Z&to=2024-01-02T00:00:00Z', '15m').range,
      '15m',
    );
  });

  it('resolves a relative window ending now', () => {
    const window = state.resolveWindow(state.parseViewState('?range=5m', '1h'), 1_700_000_000_999);
    assert.deepEqual(window, { startSec: 1_699_999_700, endSec: 1_700_000_000 });
  });
});

describe('web/query.js', () => {
  it('chooses nice steps of at most 240 points and the rate interval', () => {
    assert.deepEqual(
      [300, 900, 3600, 21600, 86400, 0].map((r) => query.chooseStepSeconds(r)),
      [2, 5, 15, 120, 600, 1],
    );
    assert.equal(query.rateIntervalFor(15), '60s');
    assert.equal(query.rateIntervalFor(120), '480s');
  });

  it('escapes component names for a regex inside a PromQL string', () => {
    assert.equal(query.componentRegex([], '.*'), '.*');
    assert.equal(query.componentRegex(['chat-a', 'code.b'], '.*'), 'chat-a|code\\\\.b');
    assert.equal(query.componentRegex(['a"b(c)'], '.*'), 'a\\"b\\\\(c\\\\)');
  });

  it('substitutes known variables only', () => {
    assert.equal(
      query.interpolate('rate(x{c=~"$component"}[$__rate_interval]) $other', {
        component: 'a|b',
        __rate_interval: '60s',
      }),
      'rate(x{c=~"a|b"}[60s]) $other',
    );
  });

  it('formats legends and falls back to the label set', () => {
    assert.equal(
      query.formatLegend('p95 {{component}} / {{ copy }}', { component: 'a', copy: 'c1' }),
      'p95 a / c1',
    );
    assert.equal(query.formatLegend('{{missing}}', { component: 'a' }), '{component="a"}');
  });

  it('parses sample values, turning NaN and infinities into gaps', () => {
    assert.deepEqual(
      ['1.5', 'NaN', '+Inf', '-Inf', '0'].map((v) => query.parseSampleValue(v)),
      [1.5, null, null, null, 0],
    );
  });

  it('aligns series on the union of timestamps', () => {
    const aligned = query.alignSeries([
      {
        label: 'a',
        points: new Map([
          [10, 1],
          [20, 2],
        ]),
      },
      {
        label: 'b',
        points: new Map([
          [20, 5],
          [30, null],
        ]),
      },
    ]);
    assert.deepEqual(aligned, [
      [10, 20, 30],
      [1, 2, null],
      [null, 5, null],
    ]);
  });
});

describe('web/format.js', () => {
  it('formats values per unit', () => {
    assert.deepEqual(
      [
        format.formatValue(0.25, 's'),
        format.formatValue(2.5, 's'),
        format.formatValue(12.345, '%'),
        format.formatValue(1500, 'tokens/s'),
        format.formatValue(null, 'req/s'),
        format.formatTick(2_500_000, 'req/s'),
      ],
      ['250 ms', '2.5 s', '12.3%', '1.5k tokens/s', '—', '2.5M'],
    );
  });
});
