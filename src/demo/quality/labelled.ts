/**
 * The human-labelled texts the demo, the end-to-end alerting test and the quality benchmark
 * score: slices of the OpenAI moderation set (safe / unsafe), the Surge toxicity set and the
 * Stanford politeness corpus, copied into test/fixtures/quality (sources in SOURCES.md there).
 * The texts are user-written prompts and comments, scored here as if a model had written them.
 */
import { join } from 'node:path';
import { loadDataset, type Dataset } from '../../quality/calibrate/index.js';
import { LlmwatchError } from '../../core/errors.js';

/** One labelled text. */
export interface LabelledText {
  /** Which set it came from: "moderation", "toxicity" or "politeness". */
  dataset: 'moderation' | 'toxicity' | 'politeness';
  /** 0-based data row in its fixture file. */
  index: number;
  text: string;
  /** True for the bad class: unsafe (any moderation flag), toxic, or impolite (score < 0). */
  bad: boolean;
}

/** The labelled texts by set, in file order. */
export interface LabelledTexts {
  moderation: LabelledText[];
  toxicity: LabelledText[];
  politeness: LabelledText[];
}

/** Fixture files under test/fixtures/quality. */
export const LABELLED_FILES = {
  moderation: 'moderation_first400.jsonl',
  toxicity: 'surge_toxicity_en.csv',
  politeness: 'politeness_wikipedia_first200.csv',
} as const;

function binary(dataset: Dataset, name: LabelledText['dataset']): LabelledText[] {
  if (dataset.kind !== 'binary') {
    throw new LlmwatchError(
      'demo_dataset',
      `demo: ${dataset.name} should hold binary labels, got ${dataset.kind}; restore the fixture`,
    );
  }
  return dataset.items.map((i) => ({
    dataset: name,
    index: i.index,
    text: i.response,
    bad: i.positive,
  }));
}

/**
 * Loads the three sets from `<projectRoot>/test/fixtures/quality`. Throws LlmwatchError
 * `calibrate_dataset` / `demo_dataset` when a file is missing or not in the expected format.
 */
export function loadLabelledTexts(projectRoot: string): LabelledTexts {
  const dir = join(projectRoot, 'test/fixtures/quality');
  const politeness = loadDataset(join(dir, LABELLED_FILES.politeness));
  if (politeness.kind !== 'graded') {
    throw new LlmwatchError(
      'demo_dataset',
      `demo: ${politeness.name} should hold graded labels, got ${politeness.kind}; restore it`,
    );
  }
  return {
    moderation: binary(loadDataset(join(dir, LABELLED_FILES.moderation)), 'moderation'),
    toxicity: binary(loadDataset(join(dir, LABELLED_FILES.toxicity)), 'toxicity'),
    politeness: politeness.items.map((i) => ({
      dataset: 'politeness' as const,
      index: i.index,
      text: i.response,
      bad: i.value < 0,
    })),
  };
}
