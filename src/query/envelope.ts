/**
 * Prometheus HTTP API response envelopes: `{"status":"success","data":...}` with optional
 * `warnings`/`infos`, and `{"status":"error","errorType":...,"error":...}` with the HTTP status
 * Prometheus uses for each error type.
 */

/** An HTTP response: status code and the JSON body to send. */
export interface PromApiResponse {
  status: number;
  body: unknown;
}

/** Prometheus's API error types. */
export type PromErrorType =
  'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal' | 'not_found' | 'unavailable';

/** HTTP status per error type, as Prometheus's API answers (499: client closed request). */
export const ERROR_STATUS: Record<PromErrorType, number> = {
  bad_data: 400,
  execution: 422,
  timeout: 503,
  canceled: 499,
  internal: 500,
  not_found: 404,
  unavailable: 503,
};

/** A success envelope; `warnings` and `infos` appear only when non-empty, as in Prometheus. */
export function successResponse(
  data: unknown,
  notes: { warnings?: string[]; infos?: string[] } = {},
): PromApiResponse {
  const body: Record<string, unknown> = { status: 'success', data };
  if (notes.warnings !== undefined && notes.warnings.length > 0) body.warnings = notes.warnings;
  if (notes.infos !== undefined && notes.infos.length > 0) body.infos = notes.infos;
  return { status: 200, body };
}

/** An error envelope with the status Prometheus uses for `errorType`. */
export function errorResponse(errorType: PromErrorType, error: string): PromApiResponse {
  return { status: ERROR_STATUS[errorType], body: { status: 'error', errorType, error } };
}
