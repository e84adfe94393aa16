/** Public surface of the calibration tools. */
export { runCalibrate, type CalibrateOptions, type CalibrationReport } from './run.js';
export {
  runCalibrateCommand,
  runEvalFileCommand,
  type CalibrateCommandOptions,
  type EvalFileOptions,
} from './command.js';
export { loadDataset, type Dataset } from './datasets.js';
export {
  deterministicScorer,
  judgeScorer,
  DETERMINISTIC_CRITERIA,
  type Scorer,
  type ScoreOutcome,
} from './evaluator.js';
export {
  cohenKappa,
  spearman,
  averageRanks,
  pearson,
  pairFigures,
  type PairFigures,
} from './metrics.js';
