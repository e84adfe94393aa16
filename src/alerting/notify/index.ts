/**
 * The notification pipeline's public surface.
 */
export { notifyConfigSchema, type NotifyConfig } from './config.js';
export { createNotifier, type Notifier, type NotifierOptions } from './notifier.js';
export { createSilencesHandler, answerSilencesRequest } from './api.js';
export type { Silence, SilenceStore } from './silences.js';
export type { Delivery } from './nflog.js';
