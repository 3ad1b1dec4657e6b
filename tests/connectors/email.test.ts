/**
 * E-mail connector tests: `email.send` runs through nodemailer against the local SMTP fake over real sockets
 * (AUTH required); failures are checked as the ApplicationFailure Temporal would receive.
 */
import { emailConnector, EmailClient, type EmailConfig } from '../../activities/email';
import { configFromEnv } from '../../activities/email/config';
import { startEmailFake, type EmailFake } from '../../fakes/email/fake';
import { failureOf, runAction, sleep } from './helpers/run-action';

let fake: EmailFake;
let config: EmailConfig;
let client: EmailClient;
const run = (input: unknown, key?: string) => runAction(emailConnector, client, 'email.send', input, key);

const activation = (to: string) => ({
  to,
  cc: ['provisioning@cinnox.com'],
  template: {
    name: 'Activation email to customer from IOD (Draft)',
    variables: { customerName: 'Ada Wong', companyName: 'Acme & Sons', serviceName: 'CINNOX', loginUrl: 'https://portal.example/login', loginEmail: 'admin@acme.example' },
  },
});

beforeAll(async () => {
  fake = await startEmailFake();
  config = emailConnector.configFromEnv(fake.env) as EmailConfig;
  client = emailConnector.createClient(config);
});

afterAll(async () => {
  client.close();
  await fake.close();
});

beforeEach(() => fake.reset());

test('sends the IOD activation e-mail from its template, from iod@cinnox.com, with a Message-ID fixed by the step', async () => {
  const result = (await run(activation('ada@acme.example'), 'wf-1:send-activation')) as { messageId: string; accepted: string[] };

  expect(result.accepted).toEqual(['ada@acme.example', 'provisioning@cinnox.com']);
  expect(result.messageId).toBe(client.messageIdFor('wf-1:send-activation'));
  expect(result.messageId).toMatch(/^<wf-[0-9a-f]{40}@cinnox\.com>$/);
  const [mail] = fake.messages;
  expect(mail).toMatchObject({
    messageId: result.messageId,
    envelope: { from: 'iod@cinnox.com', to: ['ada@acme.example', 'provisioning@cinnox.com'] },
    from: 'iod@cinnox.com',
    to: 'ada@acme.example',
    cc: 'provisioning@cinnox.com',
    subject: 'Your CINNOX service for Acme & Sons is active',
    user: fake.user,
  });
  expect(mail.text).toContain('Dear Ada Wong,');
  expect(mail.text).toContain('Sign in at https://portal.example/login with the administrator login admin@acme.example.');
  expect(mail.html).toContain('<p>Your CINNOX service for Acme &amp; Sons has been provisioned and is now active.</p>');
});

test('sends given text and HTML with attachments, such as an onboarding packet', async () => {
  await run({
    to: 'reseller@partner.example',
    subject: 'Your reseller information packet',
    text: 'Reseller ID: R-1001',
    html: '<p>Reseller ID: <b>R-1001</b></p>',
    attachments: [{ filename: 'welcome.pdf', contentBase64: Buffer.from('%PDF welcome').toString('base64'), contentType: 'application/pdf' }],
  });
  const [mail] = fake.messages;
  expect(mail).toMatchObject({ subject: 'Your reseller information packet', text: 'Reseller ID: R-1001', html: '<p>Reseller ID: <b>R-1001</b></p>' });
  expect(mail.attachments).toEqual([{ filename: 'welcome.pdf', contentType: 'application/pdf', size: 12 }]);
});

test('the fake keeps every delivery: the same step sent twice is two e-mails with one Message-ID, and the repeat is visible', async () => {
  const first = (await run(activation('ada@acme.example'), 'wf-2:send-activation')) as { messageId: string };
  const second = (await run(activation('ada@acme.example'), 'wf-2:send-activation')) as { messageId: string };

  expect(second.messageId).toBe(first.messageId);
  // SMTP has no de-duplication: a real server delivers both, so the fake must too.
  expect(fake.messages.map((m) => m.messageId)).toEqual([first.messageId, first.messageId]);
  expect(fake.duplicates.map((d) => d.messageId)).toEqual([first.messageId]);
});

test('a send whose answer is lost after DATA is an unknown outcome: not retried, so the customer never gets it twice', async () => {
  const impatient = new EmailClient({ ...config, timeoutMs: 300 });
  fake.injectFault({ kind: 'delay', delayMs: 1000 });
  const failure = await failureOf(runAction(emailConnector, impatient, 'email.send', activation('ada@acme.example'), 'wf-3:send'));
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toContain('the message may have been delivered');
  await sleep(800);
  expect(fake.messages).toHaveLength(1);
  expect(fake.duplicates).toHaveLength(0);
  impatient.close();
});

test('a transient 451 reply is retryable and the next attempt is delivered', async () => {
  fake.injectFault({ kind: 'reply', code: 451, message: '4.3.0 Mail server temporarily rejected message' });
  const failure = await failureOf(run(activation('ada@acme.example'), 'wf-4:send'));
  expect(failure.nonRetryable).toBe(false);
  expect(failure.message).toBe('email.send: DATA answered 451: 451 4.3.0 Mail server temporarily rejected message');
  expect(fake.messages).toHaveLength(0);

  await run(activation('ada@acme.example'), 'wf-4:send');
  expect(fake.messages).toHaveLength(1);
});

test('a permanent 550 for the only recipient fails at once, naming the field', async () => {
  fake.injectFault({ kind: 'reply', code: 550, command: 'RCPT', message: '5.1.1 Mailbox does not exist' });
  const failure = await failureOf(run({ ...activation('nobody@acme.example'), cc: undefined }));
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toBe('email.send: RCPT TO answered 550: 550 5.1.1 Mailbox does not exist');
  expect(failure.details?.[0]).toMatchObject({ system: 'email', action: 'email.send', status: 550, field: 'to' });
  expect(fake.messages).toHaveLength(0);
});

test('a customer address refused while the cc is accepted fails without retry and says who got it', async () => {
  fake.injectFault({ kind: 'reply', code: 550, command: 'RCPT', message: '5.1.1 Mailbox does not exist' });
  const failure = await failureOf(run(activation('nobody@acme.example'), 'wf-6:send'));
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toBe(
    `email.send: RCPT TO refused nobody@acme.example (550 5.1.1 Mailbox does not exist); delivered to provisioning@cinnox.com with Message-ID ${client.messageIdFor('wf-6:send')}`,
  );
  expect(failure.details?.[0]).toMatchObject({ status: 550, field: 'to' });
  expect(fake.messages.map((m) => m.envelope.to)).toEqual([['provisioning@cinnox.com']]);
});

test('a sender the server does not accept fails at once, naming the from field', async () => {
  const failure = await failureOf(run({ ...activation('ada@acme.example'), from: 'someone@elsewhere.example' }));
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toBe(`email.send: MAIL FROM answered 553: 553 5.7.1 Sender address rejected: not owned by user ${fake.user}`);
  expect(failure.details?.[0]).toMatchObject({ field: 'from' });
});

test('a wrong SMTP password is refused without retry and the password appears nowhere', async () => {
  const wrong = new EmailClient({ ...config, password: 'not-the-password' });
  const failure = await failureOf(runAction(emailConnector, wrong, 'email.send', activation('ada@acme.example')));
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toBe('email.send: AUTH PLAIN answered 535: credentials rejected (check SMTP_USER and SMTP_PASSWORD): 535 5.7.8 Authentication credentials invalid');
  expect(JSON.stringify(failure)).not.toContain('not-the-password');
  expect(fake.messages).toHaveLength(0);
});

test('a template variable left out fails without retry and names the variable', async () => {
  const input = activation('ada@acme.example');
  const { loginEmail: _left, ...variables } = input.template.variables;
  const failure = await failureOf(run({ ...input, template: { ...input.template, variables } }));
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toBe('email.send: template "Activation email to customer from IOD (Draft)" needs "loginEmail"');
  expect(failure.details?.[0]).toMatchObject({ field: 'template.variables.loginEmail' });
});

test('an unknown template name suggests the template meant', async () => {
  const failure = await failureOf(run({ ...activation('ada@acme.example'), template: { name: 'Activation email to customer', variables: {} } }));
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toContain('unknown e-mail template "Activation email to customer". Did you mean "Activation email to customer from IOD (Draft)"?');
});

test('the HTTP control interface injects faults and shows what was delivered', async () => {
  await fetch(`${fake.controlUrl}/__control/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'reply', code: 421, command: 'MAIL' }) });
  const failure = await failureOf(run(activation('ada@acme.example'), 'wf-5:send'));
  expect([failure.nonRetryable, failure.details?.[0]]).toEqual([false, expect.objectContaining({ status: 421 })]);

  await run(activation('ada@acme.example'), 'wf-5:send');
  const { messages } = (await (await fetch(`${fake.controlUrl}/__control/messages`)).json()) as { messages: Array<{ subject: string; to: string }> };
  expect(messages.map((m) => [m.subject, m.to])).toEqual([['Your CINNOX service for Acme & Sons is active', 'ada@acme.example']]);
});

test('configuration comes from SMTP_* and EMAIL_FROM, and a bad value is named without being shown', () => {
  expect(configFromEnv({})).toBeUndefined();
  expect(configFromEnv({ SMTP_HOST: 'smtp.example', SMTP_USER: 'iod', SMTP_PASSWORD: 'pw-secret', EMAIL_FROM: 'iod@cinnox.com' })).toMatchObject({ host: 'smtp.example', port: 587, from: 'iod@cinnox.com' });
  expect(() => configFromEnv({ SMTP_HOST: 'smtp.example', SMTP_USER: 'iod', EMAIL_FROM: 'not an address' })).toThrow('invalid e-mail configuration: check EMAIL_FROM, SMTP_PASSWORD');
});
