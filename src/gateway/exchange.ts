/**
 * One proxied request: sends it to a copy through undici's dispatcher, relays the reply to the
 * client as it arrives, and records the request's metrics once both sides are done.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Logger } from '../core/log.js';
import { sendOpenAiError } from './errors.js';
import {
  countRequest,
  type GatewayFamilies,
  type ModelSeries,
  type StatusClass,
} from './metrics.js';
import type { ComponentRoute, CopyRoute } from './routing.js';
import { findEventEnd, inspectEvent, readUsage, type Usage } from './sse.js';
import type { CaptureBuffer, CapturedPair } from './capture.js';
import { classifyUpstreamError } from './upstream-errors.js';
import { appendTail, usageFromTail } from './usage-tail.js';

/**
 * Largest non-streaming reply body kept whole to read `usage` from; of bigger ones only the
 * tail is kept and `usage` read from it (usage-tail.ts). The reply is relayed in full either way.
 */
const MAX_USAGE_BODY_BYTES = 8 * 1024 * 1024;

/** Hop-by-hop headers never forwarded in either direction (RFC 9110 section 7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
]);

/** Shared, per-gateway context an exchange needs. */
export interface ExchangeContext {
  families: GatewayFamilies;
  logger: Logger;
  nowMs: () => number;
  onRequest?: (facts: RequestFacts) => void;
  onCapture?: (pair: CapturedPair) => void;
}

/** What the gateway knows about one finished request, handed to `onRequest` listeners. */
export interface RequestFacts {
  component: string;
  copy: string;
  model: string;
  /** "2xx", "4xx", "5xx" or "error" (no upstream reply). */
  statusClass: string;
  /** End-to-end duration in seconds, exactly as observed into the histogram. */
  durationSeconds: number;
  /** Time to the first content chunk in seconds; null when not streamed or no content. */
  timeToFirstTokenSeconds: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
}

/**
 * Copies the client's request headers for the upstream, minus hop-by-hop, host and length.
 * `accept-encoding` becomes `identity`: the gateway reads token usage and SSE events from the
 * reply, which it cannot do in a compressed body (clients get the reply uncompressed).
 */
export function upstreamHeaders(headers: IncomingHttpHeaders, sizeBytes: number) {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || name === 'host' || name === 'content-length') continue;
    if (name === 'expect' || name === 'accept-encoding') continue;
    const value = headers[name];
    if (value !== undefined) out[name] = value;
  }
  out['content-length'] = String(sizeBytes);
  out['accept-encoding'] = 'identity';
  return out;
}

/** Per-request state and the undici handler callbacks. */
export class Exchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private statusClass: StatusClass = 'error';
  private upstreamDone = false;
  private clientGone = false;
  private upstreamFailed = false;
  private sse = false;
  private pending: Buffer | null = null;
  private bodyChunks: Buffer[] | null = null;
  private bodyBytes = 0;
  private bodyTail: Buffer | null = null;
  private lastContentMs = -1;
  private firstContentSeconds: number | null = null;
  private usage: Usage | null = null;

  constructor(
    private readonly ctx: ExchangeContext,
    private readonly res: ServerResponse,
    private readonly component: ComponentRoute,
    private readonly copy: CopyRoute,
    private readonly series: ModelSeries,
    private readonly startMs: number,
    private readonly usageInjected: boolean,
    private capture: CaptureBuffer | null = null,
  ) {
    copy.outstanding++;
    copy.outstandingGauge.set(copy.outstanding);
    res.once('close', () => this.onClientClose());
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.clientGone) controller.abort(new Error('client disconnected'));
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (statusCode < 200) return; // informational replies are not relayed
    this.statusClass = `${Math.floor(statusCode / 100)}xx` as StatusClass;
    const type = headers['content-type'];
    const ok = statusCode >= 200 && statusCode < 300;
    this.sse = ok && typeof type === 'string' && type.startsWith('text/event-stream');
    if (ok && !this.sse && typeof type === 'string' && type.includes('json')) this.bodyChunks = [];
    if (!ok) this.capture = null;
    const out: Record<string, string | string[]> = {};
    for (const name in headers) {
      if (HOP_BY_HOP.has(name)) continue;
      if (this.sse && this.usageInjected && name === 'content-length') continue;
      const value = headers[name];
      if (value !== undefined) out[name] = value;
    }
    if (this.clientGone) return;
    this.res.writeHead(statusCode, out);
    if (this.sse) this.res.flushHeaders();
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.clientGone) return;
    if (this.sse) {
      this.relayEvents(chunk, false);
    } else {
      this.write(chunk);
      if (this.bodyChunks !== null) {
        this.bodyBytes += chunk.length;
        if (this.bodyBytes <= MAX_USAGE_BODY_BYTES) this.bodyChunks.push(chunk);
        else {
          // Too big to parse whole (and to capture): keep the tail, where `usage` sits.
          this.bodyTail = appendTail(Buffer.concat(this.bodyChunks), chunk);
          this.bodyChunks = null;
          this.capture = null;
        }
      } else if (this.bodyTail !== null) this.bodyTail = appendTail(this.bodyTail, chunk);
    }
  }

  onResponseEnd(): void {
    this.finishUpstream();
    if (this.clientGone) return;
    if (this.sse && this.pending !== null) this.relayEvents(Buffer.alloc(0), true);
    if (this.bodyChunks !== null) this.readBodyUsage();
    else if (this.bodyTail !== null) this.usage = usageFromTail(this.bodyTail);
    this.res.end();
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.finishUpstream();
    if (this.clientGone) return; // our own abort after the client left
    const failure = classifyUpstreamError(error);
    this.statusClass = 'error';
    this.ctx.families.upstreamErrors
      .series({ component: this.component.name, copy: this.copy.name, kind: failure.kind })
      .inc();
    this.ctx.logger.warn(
      {
        component: this.component.name,
        copy: this.copy.name,
        kind: failure.kind,
        err: error.message,
      },
      'upstream request failed',
    );
    if (this.res.headersSent) {
      this.upstreamFailed = true;
      this.res.destroy(); // mid-reply failure: the client sees a cut connection
      return;
    }
    sendOpenAiError(this.res, failure.reply);
  }

  /** Writes to the client, pausing the upstream while the client's socket is full. */
  private write(data: Buffer): void {
    if (this.res.write(data)) return;
    const controller = this.controller;
    if (controller === null) return;
    controller.pause();
    this.res.once('drain', () => controller.resume());
  }

  /**
   * Relays complete SSE events. Without an injected usage request, bytes are written as they
   * arrive and events are only inspected; with one, complete events are written and the
   * usage-only chunk is dropped. `atEnd` flushes an unterminated last event.
   */
  private relayEvents(chunk: Buffer, atEnd: boolean): void {
    const data = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    if (!this.usageInjected && chunk.length > 0) this.write(chunk);
    const now = this.ctx.nowMs();
    let start = 0;
    let writeFrom = 0;
    for (;;) {
      let end = findEventEnd(data, start);
      if (end < 0 && atEnd && start < data.length) end = data.length;
      if (end < 0) break;
      const event = data.toString('utf8', start, end);
      const facts = inspectEvent(event);
      if (this.capture !== null) this.capture.addEvent(event);
      if (facts.usage !== null) this.usage = facts.usage;
      if (facts.hasContent) this.recordContent(now);
      if (this.usageInjected && facts.usageOnly) {
        if (start > writeFrom) this.write(data.subarray(writeFrom, start));
        writeFrom = end;
      }
      start = end;
      if (start >= data.length) break;
    }
    if (this.usageInjected && start > writeFrom) this.write(data.subarray(writeFrom, start));
    this.pending = start < data.length ? Buffer.from(data.subarray(start)) : null;
  }

  private recordContent(now: number): void {
    const s = this.series;
    if (this.lastContentMs < 0) {
      this.firstContentSeconds = (now - this.startMs) / 1000;
      s.timeToFirstToken.observe(this.firstContentSeconds);
    } else s.interTokenLatency.observe((now - this.lastContentMs) / 1000);
    this.lastContentMs = now;
  }

  private readBodyUsage(): void {
    try {
      const body: unknown = JSON.parse(Buffer.concat(this.bodyChunks as Buffer[]).toString('utf8'));
      this.usage = readUsage(body);
      if (this.capture !== null) this.capture.addBody(body);
    } catch {
      // Not JSON after all: the reply is relayed unchanged, only its token counts are unknown.
    }
  }

  private finishUpstream(): void {
    if (this.upstreamDone) return;
    this.upstreamDone = true;
    this.copy.outstanding--;
    this.copy.outstandingGauge.set(this.copy.outstanding);
  }

  /**
   * Runs once when the client response closes, finished or not; records the request.
   * Limitation: a client that leaves before the upstream answered is counted with
   * status_class "error" (no upstream reply), without an `llm_upstream_errors_total` increment.
   */
  private onClientClose(): void {
    const families = this.ctx.families;
    const s = this.series;
    if (!this.res.writableFinished && !this.upstreamFailed) {
      this.clientGone = true;
      families.clientAborts.series({ component: this.component.name, copy: this.copy.name }).inc();
      if (!this.upstreamDone && this.controller !== null) {
        this.controller.abort(new Error('client disconnected'));
      }
    }
    countRequest(families, s, this.statusClass);
    const durationSeconds = (this.ctx.nowMs() - this.startMs) / 1000;
    s.duration.observe(durationSeconds);
    if (this.usage !== null) {
      s.inputTokens.inc(this.usage.inputTokens);
      s.outputTokens.inc(this.usage.outputTokens);
    }
    this.reportFacts(durationSeconds);
    this.reportCapture();
  }

  /** Hands a captured pair over when a 2xx answer reached the client in full. */
  private reportCapture(): void {
    const capture = this.capture;
    const listener = this.ctx.onCapture;
    if (capture === null || listener === undefined) return;
    this.capture = null;
    if (this.clientGone || this.upstreamFailed || this.statusClass !== '2xx') return;
    if (!capture.seen) return; // not a JSON answer (or too big to read): nothing to judge
    try {
      listener(capture.pair());
    } catch (err) {
      this.ctx.logger.warn({ err, component: this.component.name }, 'capture listener failed');
    }
  }

  private reportFacts(durationSeconds: number): void {
    const listener = this.ctx.onRequest;
    if (listener === undefined) return;
    try {
      listener({
        component: this.component.name,
        copy: this.copy.name,
        model: this.series.labels.model ?? '',
        statusClass: this.statusClass,
        durationSeconds,
        timeToFirstTokenSeconds: this.firstContentSeconds,
        inputTokens: this.usage?.inputTokens ?? null,
        outputTokens: this.usage?.outputTokens ?? null,
      });
    } catch (err) {
      this.ctx.logger.warn({ err, component: this.component.name }, 'request listener failed');
    }
  }
}
