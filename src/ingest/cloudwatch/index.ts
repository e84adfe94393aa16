/** The optional CloudWatch importer of SageMaker enhanced metrics. */
export { cloudwatchConfigSchema, type CloudWatchConfig } from './config.js';
export {
  createCloudWatchImporter,
  type CloudWatchImporter,
  type CloudWatchImporterOptions,
  type CloudWatchPollResult,
} from './importer.js';
export { DEFAULT_MAPPINGS, type Mapping } from './mapping.js';
