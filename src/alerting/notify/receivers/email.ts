/**
 * E-mail receiver over SMTP (nodemailer): subject like `[FIRING:2] HighLatency component=chat`
 * and a plain-text body listing each alert. STARTTLS is required unless `requireTls` is false.
 * SMTP 4xx answers and connection failures are retried; 5xx answers are not.
 */
import nodemailer from 'nodemailer';
import type { z } from 'zod';
import type { emailConfigSchema } from '../config.js';
import { subjectOf, textOf } from './text.js';
import { DeliveryError, type Integration } from './types.js';

interface SmtpError {
  code?: string;
  responseCode?: number;
  message?: string;
}

/** Creates an e-mail integration; `id` like "email/0". */
export function createEmailIntegration(
  id: string,
  cfg: z.infer<typeof emailConfigSchema>,
): Integration {
  const timeoutMs = cfg.timeoutSeconds * 1000;
  const transport = nodemailer.createTransport({
    host: cfg.host,
    port: cfg.port,
    secure: cfg.secure,
    requireTLS: cfg.requireTls,
    ignoreTLS: !cfg.requireTls && !cfg.secure,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    ...(cfg.username ? { auth: { user: cfg.username, pass: cfg.password ?? '' } } : {}),
  });
  return {
    id,
    sendResolved: cfg.sendResolved,
    timeoutMs,
    async notify(data, signal) {
      const sending = transport.sendMail({
        from: cfg.from,
        to: cfg.to,
        subject: subjectOf(data, 200),
        text: textOf(data),
      });
      const aborted = new Promise<never>((_, reject) => {
        const fail = () => reject(new DeliveryError('email: timed out', { retryable: true }));
        if (signal.aborted) fail();
        signal.addEventListener('abort', fail, { once: true });
      });
      try {
        await Promise.race([sending, aborted]);
      } catch (err) {
        if (err instanceof DeliveryError) throw err;
        const e = err as SmtpError;
        const retryable = e.responseCode === undefined || e.responseCode < 500;
        throw new DeliveryError(
          `email: sending via ${cfg.host}:${cfg.port} failed (${e.responseCode ?? e.code ?? ''} ${e.message ?? ''})`,
          { retryable, cause: err },
        );
      }
    },
  };
}
