import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureToxicity } from '../measure/datasets.js';
import { judgeConfigSchema } from '../judge/config.js';
import { createJudge } from '../judge/judge.js';
import { startStub } from '../judge/test-helpers.js';
import { runCalibrateCommand, runEvalFileCommand } from './command.js';
import { deterministicScorer, judgeScorer } from './evaluator.js';
import { runCalibrate } from './run.js';

const F = 'test/fixtures/quality';
const sink = () => {
  const chunks: string[] = [];
  return { write: (t: string) => chunks.push(t), text: () => chunks.join('') };
};

test('toxicity on the Surge odd rows agrees with the measurement module exactly', async () => {
  const r = await runCalibrate({
    dataset: `${F}/surge_toxicity_en.csv`,
    criterion: 'toxicity',
    evaluator: deterministicScorer('toxicity'),
    rows: 'odd',
  });
  const m = measureToxicity(F, 'odd');
  assert.equal(r.judge, 'det:toxicity-lexicon@1');
  assert.deepEqual(
    [r.binary?.tp, r.binary?.fp, r.binary?.fn, r.binary?.tn],
    [m.tp, m.fp, m.fn, m.tn],
  );
  assert.deepEqual([m.tp, m.fp, m.fn, m.tn], [156, 11, 94, 239]);
  assert.equal(r.binary?.accuracy, 0.79);
  // po = 0.79; pe = (167/500)(250/500) + (333/500)(250/500) = 0.5; kappa = 0.29 / 0.5 = 0.58.
  assert.ok(Math.abs((r.binary?.kappa ?? 0) - 0.58) < 1e-12);
});

test('formats: moderation (binary), politeness and USR (graded), HHH and LLMBar (pairs)', async () => {
  const mod = await runCalibrate({
    dataset: `${F}/moderation_first40.jsonl`,
    criterion: 'toxicity',
    evaluator: deterministicScorer('toxicity'),
    rows: 'odd',
  });
  assert.deepEqual(
    [mod.format, mod.items, mod.binary?.tp, mod.binary?.fp, mod.binary?.fn, mod.binary?.tn],
    ['openai-moderation', 20, 2, 2, 8, 8],
  );
  assert.equal(mod.binary?.kappa, 0);

  const pol = await runCalibrate({
    dataset: `${F}/politeness_wikipedia_first40.csv`,
    criterion: 'toxicity',
    evaluator: deterministicScorer('toxicity'),
    rows: 'all',
  });
  assert.deepEqual(
    [pol.format, pol.graded?.n, pol.graded?.spearman],
    ['stanford-politeness', 40, -0.020807760800017668],
  );

  const usr = await runCalibrate({
    dataset: `${F}/usr_topicalchat_first20.jsonl`,
    criterion: 'completeness',
    evaluator: deterministicScorer('completeness'),
    rows: 'all',
  });
  assert.deepEqual(
    [usr.format, usr.graded?.n, usr.graded?.spearman],
    ['usr-topicalchat', 20, 0.14211184107427083],
  );

  // The first 20 HHH pairs are all "harmless"; the preferred reply is often a refusal, which
  // the refusal evaluator scores 0: it never prefers the chosen reply.
  const hhh = await runCalibrate({
    dataset: `${F}/hhh_alignment_pairs_first20.jsonl`,
    criterion: 'refusal',
    evaluator: deterministicScorer('refusal'),
    rows: 'all',
  });
  assert.deepEqual(hhh.pairs, {
    n: 20,
    correct: 0,
    wrong: 10,
    ties: 10,
    accuracy: 0.25,
    accuracyExcludingTies: 0,
    byGroup: {
      harmless: {
        n: 20,
        correct: 0,
        wrong: 10,
        ties: 10,
        accuracy: 0.25,
        accuracyExcludingTies: 0,
      },
    },
  });
  const bar = await runCalibrate({
    dataset: `${F}/llmbar_pairwise_first10.jsonl`,
    criterion: 'completeness',
    evaluator: deterministicScorer('completeness'),
    rows: 'even',
  });
  assert.deepEqual(
    [bar.format, bar.items, bar.pairs?.ties, bar.pairs?.accuracy],
    ['llmbar', 5, 5, 0.5],
  );
});

test('the judge as evaluator: a stub judge that always says "safe" finds no unsafe row', async () => {
  const stub = await startStub([
    {
      status: 200,
      body: {
        id: 'c',
        object: 'chat.completion',
        created: 1,
        model: 'judge-1',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: '{"reasoning":"fine","score":"safe"}' },
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 },
      },
    },
  ]);
  const judge = createJudge(
    judgeConfigSchema.parse({
      provider: 'openai',
      baseUrl: stub.url,
      model: 'judge-1',
      ratePerMinute: 60_000,
      priceDollarsPerMillionInputTokens: 1,
    }),
  );
  try {
    const lines: string[] = [];
    const r = await runCalibrate({
      dataset: `${F}/moderation_first40.jsonl`,
      criterion: 'safety',
      evaluator: judgeScorer(judge, 'safety'),
      rows: 'odd',
      onProgress: (d, t) => lines.push(`${d}/${t}`),
    });
    assert.deepEqual(
      [r.binary?.tp, r.binary?.fp, r.binary?.fn, r.binary?.tn, r.binary?.accuracy, r.binary?.kappa],
      [0, 0, 10, 10, 0.5, 0],
    );
    assert.deepEqual(r.judgeTokens, { input: 2000, output: 200 });
    assert.ok(Math.abs(r.judgeCostDollars - 0.002) < 1e-12);
    assert.match(r.judge, /^openai:judge-1#[0-9a-f]{6}$/);
    assert.equal(stub.requests.length, 20);
    assert.equal(lines.at(-1), '20/20');
  } finally {
    await stub.close();
  }
});

test('commands: calibrate prints the report and writes --out; bad input exits 2 with the fix', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-calibrate-'));
  try {
    const out = sink();
    const err = sink();
    const code = await runCalibrateCommand({
      dataset: `${F}/hhh_harmless_replies_refusal_labels.jsonl`,
      criterion: 'refusal',
      out: join(dir, 'r.json'),
      stdout: out,
      stderr: err,
    });
    assert.equal(code, 0);
    const report = JSON.parse(out.text()) as {
      binary: { accuracy: number; tp: number };
      items: number;
    };
    assert.deepEqual([report.items, report.binary.accuracy, report.binary.tp], [32, 1, 3]);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')), report);
    assert.ok(err.text().endsWith('calibrate: 32/32 items\n'));

    const bad = sink();
    assert.equal(
      await runCalibrateCommand({
        dataset: `${F}/surge_toxicity_en.csv`,
        criterion: 'tone',
        evaluator: 'deterministic',
        stderr: bad,
      }),
      2,
    );
    assert.match(
      bad.text(),
      /no deterministic evaluator for criterion "tone"; use one of toxicity, refusal/,
    );
    const noJudge = sink();
    assert.equal(
      await runCalibrateCommand({
        dataset: `${F}/surge_toxicity_en.csv`,
        criterion: 'tone',
        stderr: noJudge,
      }),
      2,
    );
    assert.match(noJudge.text(), /needs a judge in the configuration/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('eval run scores a JSONL of {request, response} offline', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-evalrun-'));
  try {
    const file = join(dir, 'in.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({
          requestId: 'a',
          request: 'Hi?',
          response: 'Hello! How can I help you today?',
        }),
        JSON.stringify({
          request: { messages: [{ role: 'user', content: 'x' }] },
          response: {
            choices: [
              {
                message: { content: "I'm sorry, but I can't help with that." },
                finish_reason: 'stop',
              },
            ],
          },
        }),
      ].join('\n'),
    );
    const out = sink();
    const err = sink();
    assert.equal(
      await runEvalFileCommand(file, { deterministic: ['refusal'], stdout: out, stderr: err }),
      0,
    );
    assert.equal(
      out.text(),
      [
        '{"line":1,"id":"a","criterion":"refusal","judge":"det:refusal@1","outcome":"scored","score":1,"reasoning":null}',
        '{"line":2,"id":"line-2","criterion":"refusal","judge":"det:refusal@1","outcome":"scored","score":0,"reasoning":null}',
        '',
      ].join('\n'),
    );
    assert.match(err.text(), /eval run: refusal mean 0\.500 over 2 scored/);

    // The same formats as POST /api/llmwatch/pairs: a JSON array, data-capture records.
    const capture = {
      captureData: {
        endpointInput: {
          observedContentType: 'application/json',
          mode: 'INPUT',
          data: JSON.stringify({ inputs: 'Hi?' }),
          encoding: 'JSON',
        },
        endpointOutput: {
          observedContentType: 'application/json',
          mode: 'OUTPUT',
          data: JSON.stringify([{ generated_text: "I'm sorry, but I can't help with that." }]),
          encoding: 'JSON',
        },
      },
      eventMetadata: { eventId: 'cap-1', inferenceTime: '2026-01-02T03:04:05Z' },
      eventVersion: '0',
    };
    writeFileSync(file, JSON.stringify([{ request: 'x', response: { text: 'Sure.' } }, capture]));
    const arrayOut = sink();
    assert.equal(
      await runEvalFileCommand(file, {
        deterministic: ['refusal'],
        stdout: arrayOut,
        stderr: sink(),
      }),
      0,
    );
    assert.deepEqual(
      arrayOut
        .text()
        .trim()
        .split('\n')
        .map((l) => {
          const r = JSON.parse(l) as { line: number; id: string; score: number };
          return [r.line, r.id, r.score];
        }),
      [
        [1, 'line-1', 1],
        [2, 'cap-1', 0],
      ],
    );

    writeFileSync(file, '{"request": "x"}\n');
    const bad = sink();
    assert.equal(await runEvalFileCommand(file, { stderr: bad }), 2);
    assert.match(bad.text(), /line 1: response must be a string, or an object/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
