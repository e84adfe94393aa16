/**
 * OTLP/HTTP answers: 200 with an ExportMetricsServiceResponse (with `partial_success` when points
 * were refused), or an error status with a google.rpc.Status body, each in the request's encoding
 * (JSON when the request's encoding is unknown).
 */
import type { ServerResponse } from 'node:http';
import type { OtlpEncoding } from './decode.js';
import { ExportMetricsServiceResponseType, StatusType } from './proto.js';

/** gRPC status codes used in Status bodies. */
const GRPC_INVALID_ARGUMENT = 3;
const GRPC_INTERNAL = 13;
const GRPC_UNAVAILABLE = 14;

/** Sends 200; `rejectedPoints` > 0 adds partial_success with `errorMessage`. */
export function sendExportResponse(
  res: ServerResponse,
  encoding: OtlpEncoding,
  rejectedPoints: number,
  errorMessage: string,
): void {
  const partialSuccess =
    rejectedPoints > 0 ? { rejectedDataPoints: String(rejectedPoints), errorMessage } : undefined;
  if (encoding === 'json') {
    send(res, 200, 'application/json', JSON.stringify(partialSuccess ? { partialSuccess } : {}));
    return;
  }
  const message = ExportMetricsServiceResponseType.fromObject(
    partialSuccess ? { partialSuccess } : {},
  );
  send(
    res,
    200,
    'application/x-protobuf',
    ExportMetricsServiceResponseType.encode(message).finish(),
  );
}

/** Sends an error `httpStatus` with a Status body; `close` ends the connection (unread body). */
export function sendStatus(
  res: ServerResponse,
  httpStatus: number,
  encoding: OtlpEncoding,
  message: string,
  close = false,
): void {
  const code =
    httpStatus === 503
      ? GRPC_UNAVAILABLE
      : httpStatus >= 500
        ? GRPC_INTERNAL
        : GRPC_INVALID_ARGUMENT;
  if (close) res.setHeader('connection', 'close');
  if (encoding === 'json') {
    send(res, httpStatus, 'application/json', JSON.stringify({ code, message }));
    return;
  }
  const status = StatusType.fromObject({ code, message });
  send(res, httpStatus, 'application/x-protobuf', StatusType.encode(status).finish());
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Uint8Array,
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
  });
  res.end(body);
}
