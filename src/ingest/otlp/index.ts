/** The OTLP/HTTP metrics receiver: public API. */
export { otlpConfigSchema, DEFAULT_OTLP_CONFIG, type OtlpConfig } from './config.js';
export { handleOtlpMetrics, createOtlpMetricsHandler, type OtlpReceiverDeps } from './receiver.js';
export { createOtlpState, type OtlpState } from './state.js';
export { decodeMetricsRequest, encodingOf, type OtlpEncoding } from './decode.js';
export { convertRequest, type ConvertedRequest } from './convert.js';
export { prometheusName, sanitizeLabelName, sanitizeMetricName } from './names.js';
