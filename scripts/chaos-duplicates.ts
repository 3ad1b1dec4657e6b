/**
 * Duplicate external records after `npm run chaos` (scripts/chaos.ts), read from each fake's control routes.
 * A duplicate is a record carrying the same idempotency key as another (`<wf>:<first run id>:<activity id>`,
 * stored where the README's "Side effects once" says: HubSpot `wf_request_key`, Salesforce `WF_Key__c`,
 * a Jira `wf-` label, DocuSign and PandaDoc `wf_key`, the PartnerStack external key, the CXone thread id,
 * the e-mail's Message-ID) or, where the vendor has no place for the key (a Chatter post, a CXone reply in
 * a case), a record identical to another of the same step.
 */
import { fakeCall } from './chaos-walks';

/** Per system: the records that carry a key (or, keyless, belong to a step), and how many of them repeat another. */
export interface SystemDuplicates {
  records: number;
  duplicates: number;
}

/** Records grouped by key (records without one are left out): how many there are, and how many beyond the first of each group. */
function surplus<T>(records: T[], keyOf: (record: T) => string | undefined | null): SystemDuplicates {
  const counts = new Map<string, number>();
  for (const record of records) {
    const key = keyOf(record);
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const values = [...counts.values()];
  return { records: values.reduce((sum, n) => sum + n, 0), duplicates: values.reduce((sum, n) => sum + n - 1, 0) };
}

function add(...parts: SystemDuplicates[]): SystemDuplicates {
  return { records: parts.reduce((sum, p) => sum + p.records, 0), duplicates: parts.reduce((sum, p) => sum + p.duplicates, 0) };
}

const HUBSPOT_TYPES = ['tickets', 'deals', 'notes', 'companies', 'contacts'];

/** By system: how many records were made twice (or more). Every system the shipped walks write to. */
export async function duplicateRecords(controls: Record<string, string>): Promise<Record<string, SystemDuplicates>> {
  const counts: Record<string, SystemDuplicates> = {};

  const hubspot: SystemDuplicates[] = [];
  for (const type of HUBSPOT_TYPES) {
    const { results } = await fakeCall<{ results: Array<{ properties: Record<string, string> }> }>(`${controls.hubspot}/records/${type}`);
    hubspot.push(surplus(results, (r) => r.properties.wf_request_key));
  }
  counts.hubspot = add(...hubspot);

  const salesforce = await fakeCall<{ records: Array<Record<string, unknown>>; feeds: Record<string, Array<{ body: { text: string } }>> }>(`${controls.salesforce}/state`);
  counts.salesforce = add(
    surplus(salesforce.records, (r) => r.WF_Key__c as string | undefined),
    // A Chatter post has no field for the key: the same text twice on one case is the mention made twice.
    ...Object.entries(salesforce.feeds).map(([caseId, posts]) => surplus(posts, (p) => `${caseId}:${p.body.text}`)),
  );

  const { issues } = await fakeCall<{ issues: Array<{ fields: { labels: string[] } }> }>(`${controls.jira}/issues`);
  counts.jira = surplus(issues, (i) => i.fields.labels.find((l) => l.startsWith('wf-')));

  const { cases } = await fakeCall<{ cases: Array<{ threadIdOnExternalPlatform: string }> }>(`${controls.cxone}/cases`);
  const { messages } = await fakeCall<{ messages: Array<{ caseId: string; direction: string; text: string }> }>(`${controls.cxone}/messages`);
  // A reply carries no key: the same outbound text twice in one case is the reply sent twice.
  counts.cxone = add(surplus(cases, (c) => c.threadIdOnExternalPlatform), surplus(messages.filter((m) => m.direction === 'outbound'), (m) => `${m.caseId}:${m.text}`));

  const partnerstack = await fakeCall<{ deals: Array<{ external_key: string | null }>; customers: Array<{ customer_key: string }> }>(`${controls.partnerstack}/state`);
  // Only the engine's keys (`<wf>:<run>:<activity>`): a deal the integration linked carries a HubSpot deal id, a referral the company's id.
  const engineKey = (key: string | null) => (key?.includes(':') ? key : undefined);
  counts.partnerstack = add(surplus(partnerstack.deals, (d) => engineKey(d.external_key)), surplus(partnerstack.customers, (c) => engineKey(c.customer_key)));

  const pandadoc = await fakeCall<{ documents: Array<{ metadata: Record<string, unknown> }> }>(`${controls.pandadoc}/state`);
  counts.pandadoc = surplus(pandadoc.documents, (d) => d.metadata.wf_key as string | undefined);

  const docusign = await fakeCall<{ envelopes: Array<{ customFields: Array<{ name: string; value: string }> }> }>(`${controls.docusign}/state`);
  counts.docusign = surplus(docusign.envelopes, (e) => e.customFields.find((f) => f.name === 'wf_key')?.value);

  return counts;
}

/** E-mails delivered, and the Message-ID of each delivery that repeated an earlier one (the e-mail fake tracks them). */
export async function emailTotals(control: string): Promise<{ sent: number; duplicates: string[] }> {
  const { messages } = await fakeCall<{ messages: unknown[] }>(`${control}/messages`);
  const { duplicates } = await fakeCall<{ duplicates: Array<{ messageId: string }> }>(`${control}/duplicates`);
  return { sent: messages.length, duplicates: duplicates.map((d) => d.messageId) };
}
