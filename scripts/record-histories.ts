/**
 * Records workflow histories for the replay tests (tests/replay.test.ts): a few processes are run to
 * completion on the time-skipping server and their histories saved (binary protobuf) under
 * tests/fixtures/histories/<interpreter version>/. Run it (`npx tsx scripts/record-histories.ts`) when the
 * interpreter's version changes, and keep the old folders: every recorded history must keep replaying.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startProcess } from '../client/processes';
import { decideUpdate, eventSignal } from '../workflows/messages';
import { person, compile, openTask } from '../tests/support/processes';
import { startTimeSkippingWorker } from '../tests/support/worker';

export const INTERPRETER_VERSION = 'v1';

const SCENARIOS: Record<string, { yaml: string; input?: Record<string, unknown>; drive(handle: WorkflowHandle): Promise<void> }> = {
  'review-returned-then-approved': {
    yaml: `
process: kyc-review
version: 1
title: IOD reviews the KYC documents prepared by sales
roles: { sales: Sales, iod: IOD team }
stages: [kyc]
steps:
  - id: open-ticket
    stage: kyc
    call: hubspot.createTicket
    with: { subject: KYC, pipeline: PartnerStack Deal Registration and Provisioning, stage: Sales - KYC and pandadoc contract issuance }
    result: ticket
  - id: check-kyc
    review: { owner: sales, reviewer: iod, title: Check the KYC documents, max-rounds: 3, on-cap: { end: rejected } }
`,
    async drive(handle) {
      const first = await openTask(handle, (t) => t.kind === 'review');
      await handle.executeUpdate(decideUpdate, { args: [{ taskId: first.id, outcome: 'return', comment: 'BR copy missing', actor: person('ivy.chan') }] });
      const rework = await openTask(handle, (t) => t.kind === 'rework');
      await handle.executeUpdate(decideUpdate, { args: [{ taskId: rework.id, outcome: 'resubmit', actor: person('sam.lee') }] });
      const second = await openTask(handle, (t) => t.kind === 'review');
      await handle.executeUpdate(decideUpdate, { args: [{ taskId: second.id, outcome: 'approve', actor: person('ivy.chan') }] });
    },
  },
  'deadline-reminded-escalated': {
    yaml: `
process: business-day-deadline
version: 1
title: Approve within 3 Hong Kong business days
calendar: hk
roles: { iod: IOD team, management: Top management }
deadlines:
  respond-by: { from: input.receivedAt, after: 10 calendar days }
input: { type: object, properties: { receivedAt: { type: string } } }
steps:
  - id: approve
    task: { role: iod, title: Approve the deal, due: 3 business days, outcomes: { approve: {} } }
    deadline: respond-by
    remind: { every: 1 business day }
    escalate: { after: 2 business days, to: management }
  - id: cool-off
    wait: { for: next business day }
`,
    input: { receivedAt: new Date().toISOString() },
    async drive(handle) {
      await openTask(handle);
      // Left to the server's time skipping: reminders, escalation and the breach happen while awaiting the result.
      setTimeout(async () => {
        const task = await openTask(handle);
        await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'approve', actor: person('martin.cho') }] });
      }, 3000);
    },
  },
  'event-before-wait-then-parallel': {
    yaml: `
process: signature-and-setup
version: 1
title: Signature, then parallel set-up
roles: { sales: Sales, ops: Operations }
steps:
  - id: check
    task: { role: sales, title: Check the customer, outcomes: { ok: {} } }
  - id: signed
    wait-for: { event: document-signed, timeout: 14 days }
    result: signature
  - id: set-up
    parallel:
      accounts:
        - id: create-accounts
          task: { role: ops, title: Create accounts, outcomes: { done: {} } }
      welcome:
        - id: welcome
          set: { welcomed: true }
`,
    async drive(handle) {
      const task = await openTask(handle);
      await handle.signal(eventSignal, { name: 'document-signed', payload: { by: 'customer' } });
      await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'ok', actor: person('sam.lee') }] });
      const accounts = await openTask(handle, (t) => t.stepId === 'create-accounts');
      await handle.executeUpdate(decideUpdate, { args: [{ taskId: accounts.id, outcome: 'done', actor: person('pat.wong') }] });
    },
  },
};

async function main(): Promise<void> {
  const dir = path.join(__dirname, '..', 'tests', 'fixtures', 'histories', INTERPRETER_VERSION);
  mkdirSync(dir, { recursive: true });
  const { env, stop } = await startTimeSkippingWorker();
  try {
    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      const definition = await compile(scenario.yaml);
      const handle = await startProcess(env.client, definition, scenario.input ?? {}, { workflowId: name });
      await scenario.drive(handle);
      await handle.result();
      // Binary protobuf: exact, and independent of the JSON mapping's quirks across SDK versions.
      writeFileSync(path.join(dir, `${name}.binpb`), temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish());
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
