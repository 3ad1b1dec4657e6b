/**
 * A local SMTP server (smtp-server on 127.0.0.1, port 0) for tests and the embedded default. It requires
 * AUTH (PLAIN or LOGIN) with the configured user and password, accepts only senders it knows (the IOD
 * mailbox by default) and keeps every message it accepts, as a real mail server does: SMTP has no
 * de-duplication, and a repeated Message-ID (RFC 5322 §3.6.4) is a second e-mail in the recipient's inbox.
 * `duplicates` lists the deliveries whose Message-ID had been seen before, so a test can see a duplicate.
 *
 * Control, in process (methods on the returned object) or over HTTP on `controlUrl` under `/__control`:
 *   messages / GET /__control/messages        what was delivered (headers, text, HTML, attachments)
 *   duplicates / GET /__control/duplicates    deliveries that repeated an earlier Message-ID
 *   injectFault / POST /__control/faults      next N MAIL/RCPT/DATA commands answer e.g. 451 or 550, or DATA answers late
 *   allowSender / POST /__control/senders     accept another sender address
 *   reset / POST /__control/reset             forget messages, faults and extra senders
 */
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import type { RunningFake } from '../shared/fake-kit';
import { constantTimeEqual } from '../shared/compare';
import { readSaved, saveStore } from '../shared/persist';
import { parseMail } from './mime';

export const DEFAULT_SENDER = 'iod@cinnox.com';

export type SmtpFault =
  /** The next `times` (default 1) commands of that kind (default DATA) answer `code`. */
  | { kind: 'reply'; code: number; message?: string; command?: 'MAIL' | 'RCPT' | 'DATA'; times?: number }
  /** The next `times` messages are accepted but the final 250 is held back for `delayMs` (a lost answer). */
  | { kind: 'delay'; delayMs: number; times?: number };

export interface ReceivedMail {
  messageId: string;
  envelope: { from: string; to: string[] };
  from: string;
  to: string;
  cc?: string;
  subject: string;
  text?: string;
  html?: string;
  attachments: Array<{ filename: string; contentType: string; size: number }>;
  headers: Record<string, string>;
  raw: string;
  /** The SMTP account that sent it. */
  user: string;
  receivedAt: string;
}

export interface EmailFakeOptions {
  user?: string;
  password?: string;
  allowedSenders?: string[];
  /** SMTP and control ports (default 0: any free port). */
  port?: number;
  controlPort?: number;
  /** Keep the messages received there across restarts (the embedded default). */
  stateFile?: string;
}

export interface EmailFake extends RunningFake {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The sender the fake accepts by default; use it as EMAIL_FROM. */
  from: string;
  /** Base URL of the HTTP control interface. */
  controlUrl: string;
  messages: ReceivedMail[];
  duplicates: Array<{ messageId: string; receivedAt: string }>;
  injectFault(fault: SmtpFault): void;
  allowSender(address: string): void;
  reset(): void;
}

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

export async function startEmailFake(options: EmailFakeOptions = {}): Promise<EmailFake> {
  const user = options.user ?? 'engine';
  const password = options.password ?? randomBytes(12).toString('hex');
  const defaultSenders = (options.allowedSenders ?? [DEFAULT_SENDER]).map((s) => s.toLowerCase());
  const senders = new Set(defaultSenders);
  const messages: ReceivedMail[] = [];
  const duplicates: EmailFake['duplicates'] = [];
  const faults: Array<SmtpFault & { remaining: number }> = [];
  const saved = options.stateFile ? readSaved(options.stateFile) : undefined;
  if (saved) {
    messages.push(...(saved.messages as ReceivedMail[]));
    duplicates.push(...(saved.duplicates as EmailFake['duplicates']));
  }
  /** Saved before the 250 (or the control answer) goes out: a message acknowledged survives a kill -9. */
  const save = () => options.stateFile && saveStore(options.stateFile, { messages, duplicates });

  /** Takes the first queued fault that applies to this command, if any. */
  const takeFault = (command: 'MAIL' | 'RCPT' | 'DATA', kind: SmtpFault['kind']) => {
    const index = faults.findIndex((f) => f.kind === kind && (f.kind === 'delay' ? command === 'DATA' : (f.command ?? 'DATA') === command));
    if (index === -1) return undefined;
    const fault = faults[index];
    if (--fault.remaining <= 0) faults.splice(index, 1);
    return fault;
  };
  const replyFault = (command: 'MAIL' | 'RCPT' | 'DATA') => {
    const fault = takeFault(command, 'reply');
    return fault?.kind === 'reply' ? smtpError(fault.code, fault.message ?? `injected fault ${fault.code}`) : undefined;
  };

  const server = new SMTPServer({
    logger: false,
    banner: 'fake SMTP for the process engine',
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true, // loopback only: no TLS to set up
    disabledCommands: ['STARTTLS'],
    closeTimeout: 200,
    onAuth(auth, _session, callback) {
      const ok = auth.username === user && constantTimeEqual(auth.password ?? '', password);
      if (!ok) return callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
      callback(null, { user: auth.username });
    },
    onMailFrom(address, _session, callback) {
      const fault = replyFault('MAIL');
      if (fault) return callback(fault);
      if (!senders.has(address.address.toLowerCase())) return callback(smtpError(553, `5.7.1 Sender address rejected: not owned by user ${user}`));
      callback();
    },
    onRcptTo(_address, _session, callback) {
      callback(replyFault('RCPT'));
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const fault = replyFault('DATA');
        if (fault) return callback(fault);
        const raw = Buffer.concat(chunks).toString('utf8');
        const mail = parseMail(raw);
        const messageId = mail.headers['message-id'] ?? '';
        const receivedAt = new Date().toISOString();
        if (messageId && messages.some((m) => m.messageId === messageId)) duplicates.push({ messageId, receivedAt });
        messages.push({
            messageId,
            envelope: {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            from: mail.headers.from ?? '',
            to: mail.headers.to ?? '',
            cc: mail.headers.cc,
            subject: mail.headers.subject ?? '',
            text: mail.text,
            html: mail.html,
            attachments: mail.attachments,
            headers: mail.headers,
            raw,
            user: String(session.user ?? ''),
            receivedAt,
          });
        save();
        const delay = takeFault('DATA', 'delay');
        const answer = () => callback(null, 'OK: message queued');
        if (delay?.kind === 'delay') setTimeout(answer, delay.delayMs);
        else answer();
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('fake SMTP server has no TCP address');

  const control = Fastify({ logger: false });
  const fake: EmailFake = {
    system: 'email',
    url: `smtp://127.0.0.1:${address.port}`,
    env: {
      SMTP_HOST: '127.0.0.1', SMTP_PORT: String(address.port), SMTP_SECURE: 'false', SMTP_USER: user, SMTP_PASSWORD: password,
      EMAIL_FROM: defaultSenders[0] ?? DEFAULT_SENDER, SMTP_TIMEOUT_MS: '10000',
    },
    host: '127.0.0.1',
    port: address.port,
    user,
    password,
    from: defaultSenders[0] ?? DEFAULT_SENDER,
    controlUrl: '',
    messages,
    duplicates,
    injectFault: (fault) => void faults.push({ ...fault, remaining: fault.times ?? 1 }),
    allowSender: (sender) => void senders.add(sender.toLowerCase()),
    reset() {
      messages.length = 0;
      duplicates.length = 0;
      faults.length = 0;
      senders.clear();
      for (const s of defaultSenders) senders.add(s);
    },
    async close() {
      await control.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  control.get('/__control/messages', async () => ({ messages: messages.map(({ raw: _raw, ...m }) => m) }));
  control.get('/__control/duplicates', async () => ({ duplicates }));
  control.post('/__control/faults', async (request: FastifyRequest<{ Body: SmtpFault }>, reply: FastifyReply) => {
    fake.injectFault(request.body);
    return reply.code(204).send();
  });
  control.post('/__control/senders', async (request: FastifyRequest<{ Body: { address: string } }>, reply: FastifyReply) => {
    fake.allowSender(request.body.address);
    return reply.code(204).send();
  });
  control.post('/__control/reset', async (_request, reply: FastifyReply) => {
    fake.reset();
    save();
    return reply.code(204).send();
  });
  await control.listen({ host: '127.0.0.1', port: options.controlPort ?? 0 });
  const controlAddress = control.server.address();
  fake.controlUrl = typeof controlAddress === 'object' && controlAddress ? `http://127.0.0.1:${controlAddress.port}` : '';
  return fake;
}
