/**
 * The e-mail client the actions receive: one nodemailer SMTP transport built from the configuration, with
 * every failure turned into a classified ConnectorError. SMTP's own classes decide: a 4xx reply (421, 450,
 * 451, 452) is transient and retried, a 5xx reply is permanent, and a connection that fails or times out is
 * retried. Nodemailer never retries by itself; Temporal's activity retry is the only layer.
 */
import { createHash } from 'node:crypto';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { ConnectorError } from '../shared/errors';
import { redact } from '../shared/http';
import type { EmailConfig } from './config';

export const SYSTEM = 'email';

export interface SentEmail {
  messageId: string;
  accepted: string[];
  rejected: string[];
  /** The server's final reply, e.g. `250 OK: queued`. */
  response: string;
}

type SmtpFailure = Error & { code?: string; responseCode?: number; response?: string; command?: string };

/** Which input field an SMTP command's rejection is about. */
const FIELD_OF_COMMAND: Array<[RegExp, string]> = [[/^MAIL/i, 'from'], [/^RCPT/i, 'to'], [/^DATA/i, 'message'], [/^AUTH/i, 'credentials']];

export class EmailClient {
  readonly transport: Transporter<SMTPTransport.SentMessageInfo>;

  constructor(readonly config: EmailConfig) {
    this.transport = nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure ?? config.port === 465,
      auth: config.user && config.password ? { user: config.user, pass: config.password } : undefined,
      connectionTimeout: config.timeoutMs,
      greetingTimeout: config.timeoutMs,
      socketTimeout: config.timeoutMs,
    });
  }

  /**
   * The Message-ID of one workflow step: the same key always gives the same id, so a retried send carries
   * the id of the first attempt and a duplicate is recognisable by the recipient (SMTP servers deliver it all the same).
   */
  messageIdFor(idempotencyKey: string): string {
    const domain = this.config.from.split('@')[1] ?? 'engine.local';
    return `<wf-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40)}@${domain}>`;
  }

  async send(action: string, message: SendMailOptions): Promise<SentEmail> {
    try {
      const info = await this.transport.sendMail({ ...message, from: message.from ?? this.config.from });
      const sent = { messageId: info.messageId, accepted: info.accepted.map(String), rejected: info.rejected.map(String), response: info.response };
      if (sent.rejected.length > 0) throw this.partlyRejected(action, message, sent, (info as { rejectedErrors?: SmtpFailure[] }).rejectedErrors ?? []);
      return sent;
    } catch (err) {
      throw err instanceof ConnectorError ? err : this.classify(action, err as SmtpFailure);
    }
  }

  close(): void {
    this.transport.close();
  }

  /**
   * Some recipients were refused while others got the e-mail. That is a failure a person must see (the
   * customer may be the one missing it); a retry resends with the same Message-ID, so those who already
   * have it can recognise the repeat.
   */
  private partlyRejected(action: string, message: SendMailOptions, sent: SentEmail, errors: SmtpFailure[]): ConnectorError {
    const listed = (value: SendMailOptions['to']) => (Array.isArray(value) ? value : value ? [value] : []).map((a) => String(typeof a === 'string' ? a : a.address).toLowerCase());
    const first = sent.rejected[0].toLowerCase();
    const field = (['to', 'cc', 'bcc'] as const).find((name) => listed(message[name]).includes(first)) ?? 'to';
    const status = errors[0]?.responseCode;
    const reply = (errors[0]?.response ?? '').replace(/\s+/g, ' ').trim();
    const delivered = sent.accepted.length ? `; delivered to ${sent.accepted.join(', ')} with Message-ID ${sent.messageId}` : '';
    return new ConnectorError(SYSTEM, action, `RCPT TO refused ${sent.rejected.join(', ')}${status ? ` (${reply || status})` : ''}${delivered}`, {
      status,
      field,
      retryable: errors.length > 0 && errors.every((e) => (e.responseCode ?? 0) >= 400 && (e.responseCode ?? 0) < 500),
      // Some have it: a retry sends them the same e-mail again (send-once.ts).
      cause: { deliveredTo: sent.accepted },
    });
  }

  private classify(action: string, err: SmtpFailure): ConnectorError {
    const secrets = this.config.password ? [this.config.password] : [];
    const status = err.responseCode;
    const field = FIELD_OF_COMMAND.find(([pattern]) => pattern.test(err.command ?? ''))?.[1];
    if (status === undefined && !['ECONNREFUSED', 'EDNS'].includes(err.code ?? '')) {
      // No answer after the connection was open: nodemailer does not say whether the message had gone out
      // (a timeout reports command CONN at any stage), so the server may have accepted it. SMTP has no
      // de-duplication (a repeated Message-ID is a second e-mail), so a retry could mail the customer twice:
      // at most once, and a person decides (vendors.md §10).
      return new ConnectorError(SYSTEM, action, redact(`SMTP ${this.config.host}:${this.config.port} stopped answering once connected (${err.code ?? err.message}): the message may have been delivered; check the recipient's inbox or the server's log before sending again`, secrets), {
        retryable: false,
      });
    }
    if (status === undefined) {
      // Never connected (refused, name not resolved): nothing was delivered, a retry is safe.
      return new ConnectorError(SYSTEM, action, redact(`SMTP ${this.config.host}:${this.config.port} failed: ${err.code ?? ''} ${err.message}`.trim(), secrets), {
        field,
        retryable: true,
      });
    }
    const hint = err.code === 'EAUTH' ? ': credentials rejected (check SMTP_USER and SMTP_PASSWORD)' : '';
    const reply = (err.response ?? err.message).replace(/\s+/g, ' ').trim();
    return new ConnectorError(SYSTEM, action, redact(`${err.command ?? 'SMTP'} answered ${status}${hint}: ${reply}`, secrets), {
      status,
      field,
      // SMTP's reply classes: 4xx is "try again later", 5xx is "do not repeat this".
      retryable: status >= 400 && status < 500,
    });
  }
}
