import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createTransport, type Transporter } from 'nodemailer';
import type { AppConfig } from '@app/common';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/**
 * A failed result says whether trying again is useless: `permanent` when the
 * SMTP server refused this recipient or this message for good (a 5xx reply to
 * RCPT TO or DATA). A server away, a timeout, a 4xx reply, a refused login or
 * sender are not permanent (see domain/email-delivery.ts).
 */
export type MailResult = { ok: true; messageId: string | null; response: string } | { ok: false; error: string; permanent: boolean };

/**
 * Sends notification e-mail through the SMTP server of `SMTP_URL` (nodemailer),
 * from `MAIL_FROM`, as UTF-8 plain text. Without SMTP_URL it is disabled and
 * notifications stay in the inbox. `send` never throws: a refused recipient, a
 * server that is away or a timeout is a failed result with the reason (the
 * password of the URL never appears in it).
 */
@Injectable()
export class NotificationMailer implements OnModuleDestroy {
  private readonly logger = new Logger(NotificationMailer.name);
  private readonly transporter: Transporter | null;
  private readonly from: string | null;

  constructor(@Inject(ConfigService) config: ConfigService<AppConfig, true>) {
    const url = config.get('SMTP_URL', { infer: true }) as string | undefined;
    this.from = (config.get('MAIL_FROM', { infer: true }) as string | undefined) ?? null;
    this.transporter = url
      ? // A reminder job must not hang on a mail server that does not answer.
        createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as Parameters<
          typeof createTransport
        >[0])
      : null;
  }

  get enabled(): boolean {
    return this.transporter !== null && this.from !== null;
  }

  async send(message: MailMessage): Promise<MailResult> {
    if (!this.transporter || !this.from) return { ok: false, error: 'e-mail is not configured (SMTP_URL)', permanent: false };
    try {
      const info = (await this.transporter.sendMail({
        from: this.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        textEncoding: 'base64',
        headers: { 'Auto-Submitted': 'auto-generated' },
      })) as {
        messageId?: string;
        response?: string;
        rejected?: unknown[];
        rejectedErrors?: { command?: string; responseCode?: number }[];
      };
      if (Array.isArray(info.rejected) && info.rejected.length > 0) {
        const permanent = (info.rejectedErrors ?? []).length > 0 && info.rejectedErrors!.every(isPermanentRefusal);
        return { ok: false, error: `recipient refused: ${info.response ?? ''}`.trim(), permanent };
      }
      return { ok: true, messageId: info.messageId ?? null, response: info.response ?? '' };
    } catch (err) {
      const e = err as Error & { response?: string; code?: string; command?: string; responseCode?: number };
      const error = redact([e.code, e.response ?? e.message].filter(Boolean).join(': ')).slice(0, 1000);
      this.logger.warn(`notification e-mail to ${message.to} failed: ${error}`);
      return { ok: false, error, permanent: isPermanentRefusal(e) };
    }
  }

  onModuleDestroy(): void {
    this.transporter?.close();
  }
}

/** The recipient or the message refused for good (5xx to RCPT TO or DATA; 503 is "bad sequence", not a verdict on the message). */
function isPermanentRefusal(e: { command?: string; responseCode?: number }): boolean {
  const code = e.responseCode;
  return (e.command === 'RCPT TO' || e.command === 'DATA') && typeof code === 'number' && code >= 500 && code < 600 && code !== 503;
}

/** Never let credentials of a URL into a stored error or a log line. */
function redact(text: string): string {
  return text.replace(/(smtps?:\/\/)[^@\s/]+@/gi, '$1***@');
}
