/**
 * Prints the evaluators' figures on the fixture datasets as JSON.
 * Run: node --import tsx src/quality/measure/run.ts [fixturesDir]
 */
import {
  measurePresidioSlice,
  measureRefusalHhRlhf,
  measureRefusalLabelled,
  measureToxicity,
} from './datasets.js';

const dir = process.argv[2] ?? 'test/fixtures/quality';
const figures = {
  pii: measurePresidioSlice(dir),
  toxicity: {
    all: measureToxicity(dir, 'all'),
    even: measureToxicity(dir, 'even'),
    odd: measureToxicity(dir, 'odd'),
  },
  refusalLabelled: measureRefusalLabelled(dir),
  refusalHhRlhf: measureRefusalHhRlhf(dir),
};
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
