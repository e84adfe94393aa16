/**
 * Capture of sampled request/response pairs for the quality pipeline. Only requests the
 * `shouldCapture` callback selects keep their parsed request and accumulate their answer text;
 * every other request pays for one callback and nothing more.
 */
import { randomUUID } from 'node:crypto';
import { eventData } from './sse.js';

/** Most characters kept of a captured answer; longer answers are cut and flagged. */
export const MAX_CAPTURE_TEXT_CHARS = 256 * 1024;

/** Largest request body (bytes) kept with a captured pair; bigger requests keep `request: null`. */
export const MAX_CAPTURE_REQUEST_BYTES = 256 * 1024;

/** A sampled request and its answer, handed to `onCapture` once the request has finished. */
export interface CapturedPair {
  /** The request id (the client's `x-request-id` when sane, else a random UUID). */
  requestId: string;
  component: string;
  /** The `model` the client asked for. */
  model: string;
  copy: string;
  endpoint: string;
  /** The parsed JSON request body; null when it was larger than MAX_CAPTURE_REQUEST_BYTES. */
  request: unknown;
  /** Answer text (non-stream: first choice's message content or text; stream: all deltas). */
  responseText: string;
  /** `finish_reason` of the first choice; null when none was seen. */
  finishReason: string | null;
  /** True when the request asked for a stream. */
  stream: boolean;
  /** True when responseText was cut at MAX_CAPTURE_TEXT_CHARS or the request was dropped. */
  truncated: boolean;
  /** When the gateway received the request, Unix ms. */
  startedAtMs: number;
}

/**
 * Capture hook of the gateway. Both callbacks run on the request path: they must be fast and
 * must not throw (a throwing callback is logged and the request goes on uncaptured).
 */
export interface CaptureOptions {
  /** Whether to capture this request; called once per routed completion request. */
  shouldCapture(component: string, requestId: string): boolean;
  /** Receives each captured pair once, after a 2xx answer was relayed to the client in full. */
  onCapture(pair: CapturedPair): void;
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id for a request: the client's `x-request-id` when it is 1-128 characters of
 * letters, digits and `._:-`, otherwise (absent, repeated, odd characters) a random UUID.
 */
export function requestIdOf(header: string | string[] | undefined): string {
  if (typeof header === 'string' && SANE_REQUEST_ID.test(header)) return header;
  return randomUUID();
}

/** Accumulates the answer of one captured request. */
export class CaptureBuffer {
  private text = '';
  private cut = false;
  /** `finish_reason` of the first choice, null until seen. */
  finishReason: string | null = null;
  /** True once a JSON answer (body or event) was read; a pair without one is not reported. */
  seen = false;

  constructor(
    readonly base: Omit<CapturedPair, 'responseText' | 'finishReason' | 'truncated'>,
    private readonly requestCut: boolean,
  ) {}

  private append(piece: string): void {
    if (this.cut) return;
    const room = MAX_CAPTURE_TEXT_CHARS - this.text.length;
    if (piece.length > room) {
      this.text += piece.slice(0, room);
      this.cut = true;
    } else this.text += piece;
  }

  private readChoice(choice: unknown, streamed: boolean): void {
    this.seen = true;
    if (typeof choice !== 'object' || choice === null) return;
    const c = choice as {
      delta?: unknown;
      message?: unknown;
      text?: unknown;
      finish_reason?: unknown;
    };
    if (typeof c.finish_reason === 'string') this.finishReason = c.finish_reason;
    if (typeof c.text === 'string') this.append(c.text);
    const holder = streamed ? c.delta : c.message;
    if (typeof holder === 'object' && holder !== null) {
      const content = (holder as { content?: unknown }).content;
      if (typeof content === 'string') this.append(content);
    }
  }

  private firstChoice(body: unknown): unknown {
    if (typeof body !== 'object' || body === null) return undefined;
    const choices = (body as { choices?: unknown }).choices;
    if (!Array.isArray(choices)) return undefined;
    // Only the first choice (index 0, or no index) is captured when `n` > 1.
    return choices.find((c) => {
      const index = (c as { index?: unknown } | null)?.index;
      return index === 0 || index === undefined;
    });
  }

  /** Reads one complete SSE event of a streamed answer; non-JSON events are ignored. */
  addEvent(event: string): void {
    const data = eventData(event);
    if (data === null || data === '[DONE]') return;
    try {
      this.readChoice(this.firstChoice(JSON.parse(data)), true);
    } catch {
      // Not JSON: nothing to capture from this event.
    }
  }

  /** Reads a whole non-streamed JSON answer (already parsed). */
  addBody(body: unknown): void {
    this.readChoice(this.firstChoice(body), false);
  }

  /** The finished pair. */
  pair(): CapturedPair {
    return {
      ...this.base,
      responseText: this.text,
      finishReason: this.finishReason,
      truncated: this.cut || this.requestCut,
    };
  }
}
