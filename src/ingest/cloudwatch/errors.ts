/**
 * Classifies AWS SDK errors of the importer: authentication and authorisation failures (not
 * retried; a person must fix credentials or IAM), throttling (already retried by the SDK with
 * backoff), and everything else.
 */

/** Error names AWS uses for bad, expired or unauthorised credentials. */
const AUTH_ERROR_NAMES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'ExpiredToken',
  'ExpiredTokenException',
  'NotAuthorized',
  'CredentialsProviderError',
]);

/** Error names AWS uses for throttling. */
const THROTTLE_ERROR_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

/** What went wrong with one AWS call, for logs and poll results. */
export type AwsErrorKind = 'auth' | 'throttled' | 'failed';

/** Facts of an SDK error: its name, HTTP status and kind. Accepts anything thrown. */
export function classifyAwsError(err: unknown): {
  kind: AwsErrorKind;
  name: string;
  httpStatus: number | undefined;
  message: string;
} {
  const e = (err ?? {}) as {
    name?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const message = typeof e.message === 'string' ? e.message : String(err);
  const httpStatus = e.$metadata?.httpStatusCode;
  let kind: AwsErrorKind = 'failed';
  if (AUTH_ERROR_NAMES.has(name) || httpStatus === 401 || httpStatus === 403) kind = 'auth';
  else if (THROTTLE_ERROR_NAMES.has(name) || httpStatus === 429) kind = 'throttled';
  return { kind, name, httpStatus, message };
}
