/**
 * The recorded scenario of the shipped deal provisioning (seed 000), for scripts/record-histories.ts: an
 * individual virtual sales deal from registration to Referral, with one country's numbers reserved by the
 * number-reservation subprocess, CSR 106 and payment proof attached, and PandaDoc's events. Without the API
 * in the recorder, uploads are written to the store the worker reads, and PandaDoc's webhook deliveries are
 * sent as the event signal the webhook route sends.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Upload } from '../client/uploads';
import type { HubSpotFake } from '../fakes/hubspot/fake';
import type { PandaDocFake } from '../fakes/pandadoc/fake';
import type { PartnerStackFake } from '../fakes/partnerstack/fake';
import { decideUpdate, eventSignal } from '../workflows/messages';
import { openTask, person, waitFor } from '../tests/support/processes';
import type { RunningWorker } from '../tests/support/worker';

export const UPLOADS_DIR = path.join(mkdtempSync(path.join(tmpdir(), 'record-histories-')), 'uploads');

const decide = (handle: WorkflowHandle, taskId: string, outcome: string, who: string, extra: { comment?: string; form?: Record<string, unknown> } = {}) =>
  handle.executeUpdate(decideUpdate, { args: [{ taskId, outcome, actor: person(who), ...extra }] });

async function decideStep(handle: WorkflowHandle, stepId: string, outcome: string, who: string, extra: { comment?: string; form?: Record<string, unknown> } = {}) {
  const task = await openTask(handle, (t) => t.stepId === stepId);
  await decide(handle, task.id, outcome, who, extra);
  return task;
}

/** A file in the upload store as the API's upload route leaves it. */
function storeUpload(workflowId: string, taskId: string, name: string): string {
  mkdirSync(UPLOADS_DIR, { recursive: true });
  const id = `upl_${randomBytes(12).toString('base64url')}`;
  const data = Buffer.from(`%PDF-1.4 ${name}`);
  const upload: Upload = {
    id, workflowId, taskId, name, contentType: 'application/pdf', size: data.length,
    sha256: createHash('sha256').update(data).digest('hex'), uploadedBy: 'vera.lopez', uploadedAt: new Date().toISOString(), url: `/uploads/${id}`,
  };
  writeFileSync(path.join(UPLOADS_DIR, id), data);
  writeFileSync(path.join(UPLOADS_DIR, `${id}.json`), JSON.stringify(upload));
  return id;
}

let ids: { dealKey: string; dealId: string; companyId: string; partnerKey: string } | undefined;

export const dealProvisioningScenario = {
  shipped: 'deal-provisioning',
  async prepare(running: RunningWorker) {
    const partnerstack = running.fake<PartnerStackFake>('partnerstack');
    const hubspot = running.fake<HubSpotFake>('hubspot');
    const group = partnerstack.seedGroup('Individual Virtual Sales');
    const partner = partnerstack.seedPartner({ email: 'vs@sales.example', firstName: 'Vera', lastName: 'Lopez', groupKey: group.key });
    const deal = partnerstack.seedDeal({ partnerKey: partner.key, accountName: 'Acme Ltd', amount: 250_000 });
    const company = hubspot.seedCompany({ properties: { name: 'Acme Ltd', odb_company_id: 'ODB-1' }, files: ['BR copy.pdf'] });
    const contactId = hubspot.seedRecord('contacts', { email: 'ada@acme.example', firstname: 'Ada', lastname: 'Lam' });
    const dealId = hubspot.seedRecord('deals', { dealname: 'Acme Ltd' });
    const pipelines = (await (await fetch(`${hubspot.url}/crm/v3/pipelines/tickets`, { headers: { authorization: `Bearer ${hubspot.accessToken}` } })).json()) as {
      results: { id: string; label: string; stages: { id: string; label: string }[] }[];
    };
    const pipeline = pipelines.results.find((p) => p.label === 'PartnerStack Deal Registration and Provisioning')!;
    const ticketId = hubspot.seedRecord('tickets', { subject: 'Deal registration: Acme Ltd', hs_pipeline: pipeline.id, hs_pipeline_stage: pipeline.stages[0].id });
    const associate = (type: string, id: string) =>
      fetch(`${hubspot.url}/crm/v4/objects/deals/${dealId}/associations/default/${type}/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${hubspot.accessToken}` } });
    for (const [type, id] of [['companies', company.id], ['contacts', contactId], ['tickets', ticketId]]) await associate(type, id);
    partnerstack.linkDeal(deal.key, dealId);
    ids = { dealKey: deal.key, dealId, companyId: company.id, partnerKey: partner.key };
    return { partnerstackDealKey: deal.key };
  },
  async drive(handle: WorkflowHandle, running: RunningWorker) {
    const pandadoc = running.fake<PandaDocFake>('pandadoc');
    const partnerstack = running.fake<PartnerStackFake>('partnerstack');
    const { dealId, companyId, partnerKey } = ids!;
    await decideStep(handle, 'kyc-documents', 'uploaded', 'vera.lopez');
    await decideStep(handle, 'prepare-sof', 'ready', 'sara.ho', {
      form: { signatory: { email: 'vera.lopez@example.com', firstName: 'Vera', lastName: 'Lopez' }, salesHead: { email: 'head@example.com', firstName: 'Hugo', lastName: 'Chan' } },
    });
    const documentOf = () => pandadoc.state().documents.find((d) => d.metadata.hubspot_deal_id === dealId);
    await waitFor(() => documentOf()?.status === 'document.draft');
    await handle.signal(eventSignal, { name: 'pandadoc-document-draft', payload: { documentId: documentOf()!.id } });
    await waitFor(() => documentOf()?.status === 'document.sent');
    for (let i = 0; i < 3; i++) await pandadoc.signNext(documentOf()!.id);
    await handle.signal(eventSignal, { name: 'pandadoc-document-completed', payload: { documentId: documentOf()!.id } });

    await decideStep(handle, 'numbers-needed', 'reserve', 'vera.lopez', { form: { reservations: [{ country: 'Hong Kong', quantity: 1 }] } });
    const { raw } = await waitForChild(handle);
    const child = running.client.workflow.getHandle(raw);
    await decideStep(child, 'reserve', 'reserved', 'ivy.chan', { form: { numbers: ['+852 3000 0001'] } });

    const csr = await openTask(handle, (t) => t.stepId === 'csr-106');
    await decide(handle, csr.id, 'submitted', 'vera.lopez', { form: { csr106: storeUpload(handle.workflowId, csr.id, 'CSR106.pdf'), effectiveDate: '2027-01-04' } });
    await decideStep(handle, 'kyc-approval', 'approve', 'ivy.chan');
    await decideStep(handle, 'deposit-invoice', 'issued', 'ivy.chan', { form: { invoiceNumber: 'INV-1' } });
    const proof = await openTask(handle, (t) => t.stepId === 'payment-proof');
    await decide(handle, proof.id, 'uploaded', 'vera.lopez', { form: { paymentProof: storeUpload(handle.workflowId, proof.id, 'proof.pdf') } });
    await decideStep(handle, 'payment-confirmed', 'confirmed', 'kenji.ito');
    partnerstack.seedCustomer({ partnerKey, customerKey: companyId, email: 'ada@acme.example' });
    await decideStep(handle, 'provision', 'provisioned', 'pat.wong', { form: { activationDetails: 'admin@acme.example / first login', loginEmail: 'admin@acme.example', loginUrl: 'https://portal.example/login' } });
  },
};

/** The number reservation the for-each started (the deal's one pending child). */
async function waitForChild(handle: WorkflowHandle): Promise<{ raw: string }> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const child = (await handle.describe()).raw.pendingChildren?.[0]?.workflowId;
    if (child) return { raw: child };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no number reservation under ${handle.workflowId}`);
}
