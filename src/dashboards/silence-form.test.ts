// Parsing in the Alerts page's create-a-silence form (web/lists.js).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

interface ListsModule {
  parseMatchers(
    text: string,
  ): { name: string; value: string; isRegex: boolean; isEqual: boolean }[];
  parseDurationMs(text: string): number;
}

// The module is plain JavaScript for the browser; import it by URL so tsc leaves it alone.
const lists = (await import(new URL('./web/lists.js', import.meta.url).href)) as ListsModule;

describe('silence form parsing', () => {
  it('parses the four matcher operators, escapes and blank lines', () => {
    assert.deepEqual(
      lists.parseMatchers('component="chat"\n\n alertname =~ "High.*" \nenv!="dev"\nteam!~"a\\"b"'),
      [
        { name: 'component', value: 'chat', isRegex: false, isEqual: true },
        { name: 'alertname', value: 'High.*', isRegex: true, isEqual: true },
        { name: 'env', value: 'dev', isRegex: false, isEqual: false },
        { name: 'team', value: 'a"b', isRegex: true, isEqual: false },
      ],
    );
  });

  it('rejects empty input and malformed lines, naming the line', () => {
    assert.throws(() => lists.parseMatchers(' \n'), /Give at least one matcher/);
    assert.throws(
      () => lists.parseMatchers('component="chat"\ncomponent=chat'),
      /^Error: Matcher "component=chat" is not name="value" or name=~"regex"\.$/,
    );
    assert.throws(() => lists.parseMatchers('1x="a"'), /Matcher "1x=\\"a\\""/);
  });

  it('parses durations in minutes, hours and days', () => {
    assert.equal(lists.parseDurationMs('30m'), 1_800_000);
    assert.equal(lists.parseDurationMs(' 2h '), 7_200_000);
    assert.equal(lists.parseDurationMs('1d'), 86_400_000);
    assert.ok(Number.isNaN(lists.parseDurationMs('0h')));
    assert.ok(Number.isNaN(lists.parseDurationMs('2 hours')));
    assert.ok(Number.isNaN(lists.parseDurationMs('')));
  });
});
