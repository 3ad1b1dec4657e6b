/**
 * Records workflow histories for the replay tests (tests/replay.test.ts): a few processes are run to
 * completion on the time-skipping server and their histories saved (binary protobuf) under
 * tests/fixtures/histories/<interpreter version>/. Run it (`npx tsx scripts/record-histories.ts`) when the
 * interpreter's version changes, and keep the old folders: every recorded history must keep replaying.
 * Names given as arguments (`npx tsx scripts/record-histories.ts review-reviewers-on-return`) record only
 * those scenarios, leaving the other files as they are.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadRegistry } from '../client/definitions';
import { startProcess } from '../client/processes';
import { decideUpdate, eventSignal, stateQuery } from '../workflows/messages';
import { person, compile, openTask } from '../tests/support/processes';
import { startTimeSkippingWorker, type RunningWorker } from '../tests/support/worker';
import { dealProvisioningScenario, UPLOADS_DIR } from './record-histories-deal-provisioning';
import type { DocuSignFake } from '../fakes/docusign/fake';
import type { JiraFake } from '../fakes/jira/fake';
import type { SalesforceFake } from '../fakes/salesforce/fake';
import { channelPartnerAnswers } from '../fakes/jotform/fake';

/**
 * The version whose scenarios this script records. The v1 histories (tests/fixtures/histories/v1) were
 * recorded by the first interpreter and are kept as they are; v2 adds checklists that must pass, review caps
 * that never reject, task e-mails, `notify:` steps, HubSpot stage mirroring, four eyes and incident deadlines,
 * and reviews with several reviewers, worded verdicts and `on-return:` steps (and, recorded later, `on-resubmit:`).
 * v3 was recorded by the interpreter that evaluated plain paths and literals without JSONata (patch
 * `synchronous-expressions`), with a scenario of parallel branches computing between their commands; v4 by the
 * one that evaluates operators and function calls so too (patch `synchronous-operators`); v5 by the one that
 * enters and runs steps without a promise where nothing waits (patch `eager-steps`). The v4 folder's
 * `parallel-steps-before-a-call` was recorded afterwards by the v4 interpreter: it fails to replay without
 * that patch's gate.
 */
export const INTERPRETER_VERSION = 'v5';

/**
 * A scenario runs a definition given as `yaml`, or a shipped one by process name (`shipped`, compiled with
 * the definitions/ folder, subprocesses included); `prepare` seeds the fakes and gives the start input.
 */
type Scenario = {
  yaml?: string;
  shipped?: string;
  input?: Record<string, unknown>;
  prepare?(running: RunningWorker): Promise<Record<string, unknown>>;
  startedBy?: { id: string };
  drive(handle: WorkflowHandle, running: RunningWorker): Promise<void>;
};

const decide = (handle: WorkflowHandle, taskId: string, outcome: string, who: string, extra: { comment?: string; form?: Record<string, unknown> } = {}) =>
  handle.executeUpdate(decideUpdate, { args: [{ taskId, outcome, actor: person(who), ...extra }] });

const SCENARIOS: Record<string, Scenario> = {
  'parallel-operators-and-dates': {
    // Two branches side by side, one evaluating operators before its first command, the other only plain
    // paths: which command comes first depends on how many promises each evaluation makes.
    yaml: `
process: parallel-operators
version: 1
title: Price and schedule an order side by side
calendar: us
roles: { iod: IOD team }
input:
  type: object
  properties: { amount: { type: number }, region: { type: string }, startOn: { type: string, format: date }, contact: { type: string } }
steps:
  - id: both
    parallel:
      pricing:
        - id: tell-large
          when: input.amount > 50 and input.region in ['emea', 'apac'] and $not($exists(input.missing))
          notify:
            address: "{{ input.contact }}"
            subject: "{{ 'Order for ' & input.region }}"
            text: "A {{ input.amount > 50 ? 'large' : 'small' }} order of {{ input.amount / 2 }}"
        - id: price
          set: { total: "=input.amount * 2 + 1", band: "=input.amount > 50 ? 'large' : 'small'" }
      schedule:
        - id: contact
          set: { contact: =input.contact }
        - id: tell-ops
          notify: { address: "{{ contact }}", subject: "Order {{ input.region }}", text: "Starts {{ input.startOn }}" }
        - id: due
          set: { dueOn: "=$addBusinessDays(input.startOn, 3)", urgent: "=input.region = 'emea' or input.amount >= 1000" }
        - id: approve
          task: { role: iod, title: "Approve the {{ input.region }} order by {{ $formatDate(dueOn, 'long') }}", outcomes: { ok: {}, hold: {} } }
          result: approval
  - id: route
    branch:
      - when: approval.outcome = 'ok' and urgent
        next: done
      - end: cancelled
        reason: "held: {{ band & ' order' }}"
  - id: done
    end: completed
    reason: "{{ band }} order of {{ total }} due {{ dueOn }}"
`,
    input: { amount: 60, region: 'emea', startOn: '2026-12-23', contact: 'ops@example.com' },
    async drive(handle) {
      const task = await openTask(handle, (t) => t.stepId === 'approve');
      await decide(handle, task.id, 'ok', 'ivy.chan');
    },
  },
  'parallel-steps-before-a-call': {
    // Two branches side by side: one sets, skips and branches before its call, the other calls at once. Which
    // call is scheduled first depends on how many promises those steps make (patch `eager-steps`).
    yaml: `
process: parallel-steps
version: 1
title: Tell two people side by side
roles: { ops: Operations }
input: { type: object, properties: { contact: { type: string } } }
steps:
  - id: both
    parallel:
      computing:
        - id: who
          set: { to: =input.contact, subject: "Computed for {{ input.contact }}" }
        - id: never
          when: input.contact = 'nobody'
          set: { to: nobody }
        - id: check
          branch:
            - when: to = input.contact
              next: tell
        - id: tell
          call: email.send
          with: { to: =to, subject: =subject, text: computed first }
      direct:
        - id: tell-now
          call: email.send
          with: { to: =input.contact, subject: Direct, text: called at once }
`,
    input: { contact: 'ops@example.com' },
    async drive() {},
  },
  'checklist-failed-item-reopened': {
    yaml: `
process: partner-checklist
version: 1
title: Check a new partner
roles: { iod: IOD team }
input: { type: object, properties: { termsChanged: { type: boolean } } }
steps:
  - id: checks
    checklist:
      title: Partner checks
      items:
        - { id: contract, label: Signed contract attached, verifier: iod }
        - { id: legal, label: Legal approval of the changed terms, verifier: iod, when: input.termsChanged }
        - { id: deposit, label: Deposit received, verifier: iod, not-applicable: allowed }
    result: checklist
`,
    input: { termsChanged: false },
    async drive(handle) {
      const first = await openTask(handle, (t) => t.kind === 'checklist');
      await decide(handle, first.id, 'confirm', 'ivy.chan', { form: { contract: { ok: false, reason: 'unsigned copy' }, deposit: { notApplicable: true, reason: 'prepaid' } } });
      const again = await openTask(handle, (t) => t.kind === 'checklist' && t.id !== first.id);
      await decide(handle, again.id, 'confirm', 'kenji.ito', { form: { contract: { ok: true } } });
    },
  },
  'review-capped-escalated-ticket-returned': {
    yaml: `
process: kyc-review
version: 2
title: IOD reviews the KYC documents prepared by sales
roles: { sales: Sales, iod: IOD team, management: Top management }
stages: [draft, review]
hubspot-pipeline:
  pipeline: CINNOX service addition / amendment / termination
  ticket: ticket.id
  stages: { draft: Sales - Draft / Returned, review: IOD Team - Check and approval }
steps:
  - id: open-ticket
    call: hubspot.createTicket
    with: { subject: KYC, pipeline: CINNOX service addition / amendment / termination, stage: Sales - Draft / Returned }
    result: ticket
  - id: check-kyc
    stage: review
    review: { owner: sales, reviewer: iod, title: Check the KYC documents, max-rounds: 1, on-cap: { escalate: management }, returned-stage: draft }
`,
    async drive(handle) {
      const first = await openTask(handle, (t) => t.kind === 'review');
      await decide(handle, first.id, 'return', 'ivy.chan', { comment: 'BR copy missing' });
      const rework = await openTask(handle, (t) => t.kind === 'rework');
      await decide(handle, rework.id, 'resubmit', 'sam.lee');
      const final = await openTask(handle, (t) => t.kind === 'review' && t.id !== first.id);
      await decide(handle, final.id, 'approve', 'martin.cho');
    },
  },
  'review-reviewers-on-return': {
    yaml: `
process: ticket-review
version: 1
title: IOD, then provisioning, check the ticket sales prepared
roles: { sales: Sales, iod: IOD team, provisioning: Provisioning team }
stages: [draft, iod-check, provisioning]
steps:
  - id: open-ticket
    call: hubspot.createTicket
    with: { subject: Add seats, pipeline: CINNOX service addition / amendment / termination, stage: IOD Team - Check and approval }
    result: ticket
  - id: check-ticket
    stage: iod-check
    review:
      owner: sales
      reviewers: [iod, { reviewer: provisioning, stage: provisioning }]
      title: Check the ticket
      form: { type: object, properties: { reason: { type: string } } }
      outcomes:
        approve: { label: Approved }
        return: { name: rejected-returned, label: Rejected - returned to Sales, requires: [reason], comment: optional }
      returned-stage: draft
      on-return:
        - id: ticket-back
          call: hubspot.moveTicket
          with: { ticketId: =ticket.id, pipeline: CINNOX service addition / amendment / termination, stage: Sales - Draft / Returned }
    result: review
`,
    async drive(handle) {
      await decide(handle, (await openTask(handle, (t) => t.id.endsWith('review-1'))).id, 'approve', 'ivy.chan');
      await decide(handle, (await openTask(handle, (t) => t.id.endsWith('review-1.reviewer-2'))).id, 'rejected-returned', 'pat.wong', { form: { reason: 'package differs' } });
      await decide(handle, (await openTask(handle, (t) => t.kind === 'rework')).id, 'resubmit', 'sam.lee');
      await decide(handle, (await openTask(handle, (t) => t.id.endsWith('review-2'))).id, 'approve', 'kenji.ito');
      await decide(handle, (await openTask(handle, (t) => t.id.endsWith('review-2.reviewer-2'))).id, 'approve', 'pat.wong');
    },
  },
  'incident-deadline-notify-four-eyes': {
    yaml: `
process: move-then-approve
version: 1
title: Move a ticket, tell provisioning, approve with four eyes
roles: { iod: IOD team, provisioning: Provisioning team }
deadlines:
  move-by: { from: input.receivedAt, after: 2 days }
steps:
  - id: move
    call: hubspot.moveTicket
    with: { ticketId: "999999", pipeline: CINNOX service addition / amendment / termination, stage: IOD Team - Check and approval }
    deadline: move-by
  - id: tell
    notify: { role: provisioning, subject: Ticket moved, text: "Received {{ input.receivedAt }}." }
  - id: approve
    task: { role: iod, title: Approve, four-eyes: { starter: true }, outcomes: { approve: {} } }
`,
    input: { receivedAt: new Date().toISOString() },
    startedBy: { id: 'kenji.ito' },
    async drive(handle) {
      const incident = await openTask(handle, (t) => t.kind === 'incident');
      await decide(handle, incident.id, 'skip', 'alex.admin', { comment: 'ticket deleted' });
      const approve = await openTask(handle, (t) => t.stepId === 'approve');
      await decide(handle, approve.id, 'approve', 'ivy.chan');
    },
  },
  'deal-provisioning-virtual-sales': dealProvisioningScenario,
  // The shipped channel-partner request (seed 002): Salesforce, CXone, Jira (a poll ended by its webhook's
  // event), a failed double check that reopens the task, and the second reply.
  'channel-partner-request-reopened': {
    shipped: 'channel-partner-request',
    input: {
      submissionId: '5000000000000000001',
      answers: Object.fromEntries(channelPartnerAnswers('Replay Solar', 'ada@replay-solar.example').map((a) => [a.name, { label: a.text, value: a.answer, text: a.prettyFormat ?? a.answer }])),
    },
    async drive(handle, running) {
      const salesforce = running.fake<SalesforceFake>('salesforce');
      const jira = running.fake<JiraFake>('jira');
      const manager = salesforce.seed('User', { Name: 'Replay Manager', Email: 'manager@replay-solar.example' });
      const account = salesforce.seed('Account', { Name: 'Replay Solar', OwnerId: manager.Id });
      salesforce.seed('Contact', { FirstName: 'Ada', LastName: 'Admin', Email: 'ada@replay-solar.example', AccountId: account.Id });
      const assignees = { assignee: 'config.specialist@everbright.example', qaAssignee: 'qa.reviewer@everbright.example' };
      await decide(handle, (await openTask(handle, (t) => t.stepId === 'choose-assignees')).id, 'chosen', 'sofia.reyes', { form: assignees });
      const done = { 'request-complete': { ok: true }, 'financing-options': { ok: true }, 'nothing-outstanding': { ok: true } };
      // Once Jira was asked, the task is closed and Jira's webhook event ends the wait.
      while (!(await handle.query(stateQuery)).waiting.some((w) => w.stepId === 'wait-until-done' && (w.checks ?? 0) >= 1)) await new Promise((r) => setTimeout(r, 50));
      const issue = jira.issues().find((i) => i.labels.includes('channel-partner-request-5000000000000000001'))!;
      jira.closeIssue(issue.key);
      await handle.signal(eventSignal, { name: 'jira-issue-updated', payload: { issue: { key: issue.key, fields: { status: { statusCategory: { key: 'done' } } } } } });
      const first = await openTask(handle, (t) => t.stepId === 'double-check');
      await decide(handle, first.id, 'confirm', 'sofia.reyes', { form: { ...done, 'nothing-outstanding': { ok: false, reason: 'QA comment open' } } });
      // Reopened by hand and done again: this time the first status check finds it Done.
      await decide(handle, (await openTask(handle, (t) => t.stepId === 'outstanding-issues')).id, 'reopened', 'sofia.reyes');
      await decide(handle, (await openTask(handle, (t) => t.stepId === 'double-check' && t.id !== first.id)).id, 'confirm', 'sofia.reyes', { form: done });
    },
  },
  // The shipped deal registration (seed 004): a review returned once, its on-return and on-resubmit steps
  // (Salesforce updates, notify), then approved.
  'reseller-deal-registration-resubmitted': {
    shipped: 'reseller-deal-registration',
    input: {
      registrationId: 'DR-REPLAY', resellerId: 'RS-1', resellerName: 'Replay Resellers', customerName: 'Replay Dental',
      contactName: 'Dana Cole', contactEmail: 'dana@replay-dental.example', products: 'OpDocs Pro x 2', amount: 2400, closeDate: '2028-01-31',
    },
    async drive(handle, running) {
      const salesforce = running.fake<SalesforceFake>('salesforce');
      salesforce.seed('User', { Name: 'Pending Deal Registration Queue', Email: 'queue@replay.example' });
      salesforce.seed('User', { Name: 'Partnership Team', Email: 'team@replay.example' });
      const customer = salesforce.seed('Account', { Name: 'Replay Dental' });
      const first = await openTask(handle, (t) => t.kind === 'review');
      await decide(handle, first.id, 'rejected', 'omar.haddad', { form: { reason: 'Pricing missing' } });
      await decide(handle, (await openTask(handle, (t) => t.kind === 'rework')).id, 'resubmit', 'nina.park');
      await decide(handle, (await openTask(handle, (t) => t.kind === 'review' && t.id !== first.id)).id, 'approve', 'omar.haddad', { form: { customerAccountId: customer.Id } });
    },
  },
  // The shipped reseller creation (seed 004): qualified, the DocuSign envelope signed (the poll ended by its
  // Connect event), Closed Won, the onboarding case and the packet checklist.
  'reseller-creation-signed': {
    shipped: 'reseller-creation',
    input: { inquiryId: 'INQ-REPLAY', resellerName: 'Replay Partners', contactName: 'Riley Chen', contactEmail: 'riley@replay-partners.example', owner: 'Replay Owner', inquiry: 'We resell practice software.' },
    async drive(handle, running) {
      const salesforce = running.fake<SalesforceFake>('salesforce');
      const docusign = running.fake<DocuSignFake>('docusign');
      salesforce.seed('User', { Name: 'Replay Owner', Email: 'owner@replay.example' });
      salesforce.seed('Account', { Name: 'Replay Partners' });
      await decide(handle, (await openTask(handle, (t) => t.stepId === 'qualify')).id, 'qualified', 'nina.park');
      while (!(await handle.query(stateQuery)).waiting.some((w) => w.stepId === 'wait-signed' && (w.checks ?? 0) >= 1)) await new Promise((r) => setTimeout(r, 50));
      const envelope = docusign.state().envelopes.find((e) => e.recipients.some((r) => r.email === 'riley@replay-partners.example'))!;
      await docusign.complete(envelope.envelopeId);
      await handle.signal(eventSignal, { name: 'docusign-envelope-completed', payload: { envelopeId: envelope.envelopeId } });
      const packet = await openTask(handle, (t) => t.stepId === 'packet-delivered');
      await decide(handle, packet.id, 'confirm', 'nina.park', { form: { 'reseller-id': { ok: true }, 'form-embed-code': { ok: true }, 'welcome-material': { ok: true } } });
    },
  },
};

/**
 * Failures carry the stack of the machine that recorded them (its folders, its user): replay never reads
 * them, and they have no place in the repository.
 */
function withoutStackTraces(history: temporal.api.history.v1.IHistory): temporal.api.history.v1.IHistory {
  const strip = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if ('stackTrace' in value && typeof value.stackTrace === 'string') value.stackTrace = '';
    Object.values(value).forEach(strip);
  };
  strip(history.events);
  return history;
}

async function main(): Promise<void> {
  const dir = path.join(__dirname, '..', 'tests', 'fixtures', 'histories', INTERPRETER_VERSION);
  mkdirSync(dir, { recursive: true });
  const running = await startTimeSkippingWorker({ OPS_UPLOADS_DIR: UPLOADS_DIR });
  const { client, stop } = running;
  try {
    const only = process.argv.slice(2);
    const shipped = await loadRegistry();
    for (const [name, scenario] of Object.entries(SCENARIOS).filter(([name]) => only.length === 0 || only.includes(name))) {
      const definition = scenario.shipped ? shipped.get(scenario.shipped)! : await compile(scenario.yaml!);
      const input = scenario.prepare ? await scenario.prepare(running) : scenario.input ?? {};
      const handle = await startProcess(client, definition, input, { workflowId: name, startedBy: scenario.startedBy });
      await scenario.drive(handle, running);
      await handle.result();
      // Binary protobuf: exact, and independent of the JSON mapping's quirks across SDK versions.
      const history = withoutStackTraces(await handle.fetchHistory());
      writeFileSync(path.join(dir, `${name}.binpb`), temporal.api.history.v1.History.encode(history).finish());
      console.log(`recorded ${name}`);
    }
  } finally {
    await stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
