/**
 * SageMaker data-capture records (one JSON object per line: captureData.endpointInput and
 * endpointOutput with `data` in JSON, BASE64 or CSV encoding, plus eventMetadata.eventId and
 * inferenceTime) turned into pairs.
 */

/** A capture record read into request and response, or a reason to skip it. */
export type CaptureRead =
  | {
      request: unknown;
      responseText: string;
      eventId: string | null;
      inferenceTimeMs: number | null;
    }
  | { skip: string }
  | { error: string };

/** Standard or URL-safe base64, padding optional. */
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function decodeData(
  side: Record<string, unknown>,
  name: string,
): { value: unknown } | { error: string } {
  const { data, encoding } = side;
  if (typeof data !== 'string') return { error: `captureData.${name}.data must be a string` };
  let text = data;
  const enc = typeof encoding === 'string' ? encoding.toUpperCase() : 'JSON';
  if (enc === 'BASE64') {
    // Buffer.from skips characters that are not base64; refuse them instead of scoring garbage.
    const compact = data.replace(/\s+/g, '');
    if (!BASE64.test(compact) || compact.length % 4 === 1) {
      return {
        error:
          `captureData.${name}.data is not valid base64 although its encoding is BASE64; ` +
          'send the base64 of the payload, or set encoding to JSON',
      };
    }
    text = Buffer.from(compact, 'base64').toString('utf8');
  } else if (enc !== 'JSON' && enc !== 'CSV') {
    return {
      error: `captureData.${name}.encoding ${JSON.stringify(encoding)} is not JSON, BASE64 or CSV`,
    };
  }
  const type = typeof side.observedContentType === 'string' ? side.observedContentType : '';
  if (enc === 'CSV' || (!type.includes('json') && enc !== 'JSON')) return { value: text };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return { value: text }; // declared JSON but is not: keep the text as it is
  }
}

/** The answer text in a model server's output: TGI/LMI, OpenAI, or plain text. */
export function outputText(output: unknown): string | null {
  if (typeof output === 'string') return output;
  const first = Array.isArray(output) ? output[0] : output;
  if (typeof first !== 'object' || first === null) return null;
  const o = first as Record<string, unknown>;
  if (typeof o.generated_text === 'string') return o.generated_text;
  if (typeof o.text === 'string') return o.text;
  if (Array.isArray(o.choices)) {
    const choice = o.choices[0] as { message?: { content?: unknown }; text?: unknown } | undefined;
    if (typeof choice?.message?.content === 'string') return choice.message.content;
    if (typeof choice?.text === 'string') return choice.text;
  }
  return null;
}

/** True when a parsed line looks like a data-capture record. */
export function isCaptureRecord(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'captureData' in value;
}

/**
 * Reads one capture record. Error captures (an output with a `code` field, or a null
 * observedContentType) are skipped with a reason; a malformed record gives an error naming
 * the field.
 */
export function readCaptureRecord(value: Record<string, unknown>): CaptureRead {
  const capture = value.captureData;
  if (typeof capture !== 'object' || capture === null)
    return { error: 'captureData must be an object' };
  const { endpointInput: input, endpointOutput: output } = capture as Record<string, unknown>;
  if (typeof input !== 'object' || input === null)
    return { error: 'captureData.endpointInput is missing' };
  if (typeof output !== 'object' || output === null)
    return { error: 'captureData.endpointOutput is missing' };
  const out = output as Record<string, unknown>;
  if (out.observedContentType === null || 'code' in out) return { skip: 'error_capture' };

  const request = decodeData(input as Record<string, unknown>, 'endpointInput');
  if ('error' in request) return request;
  const response = decodeData(out, 'endpointOutput');
  if ('error' in response) return response;
  const responseText = outputText(response.value);
  if (responseText === null) {
    return { error: 'captureData.endpointOutput.data holds no generated_text, choices or text' };
  }

  const meta = (typeof value.eventMetadata === 'object' && value.eventMetadata) || {};
  const { eventId, inferenceTime } = meta as Record<string, unknown>;
  const timeMs = typeof inferenceTime === 'string' ? Date.parse(inferenceTime) : NaN;
  return {
    request: request.value,
    responseText,
    eventId: typeof eventId === 'string' && eventId !== '' ? eventId : null,
    inferenceTimeMs: Number.isFinite(timeMs) ? timeMs : null,
  };
}
