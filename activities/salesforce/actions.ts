/**
 * Salesforce actions used by the procedures: the channel-partner request (seed 002: the organisation's
 * account and contact, a case under it, the account manager mentioned in the case feed, the CXone e-mail
 * related to contact and case as a Task), the reseller off-boarding (seed 003: the $0-SKU licence row on
 * the account's assets suspended) and seed 004: reseller creation (the New Reseller opportunity, the
 * onboarding case) and deal registration (the opportunity in the Pending Deal Registration Queue, rejected
 * with a reason, resubmitted, Closed Won).
 *
 * Creates are upserts by External ID (`PATCH /sobjects/<type>/<field>/<value>`, REST API Developer Guide,
 * "Insert or Update (Upsert) a Record Using an External ID") with the step's idempotency key as the value,
 * so a retry after a lost answer updates the record it already made. Updates are PATCHes (idempotent).
 * Chatter posts cannot carry an External ID, so the case feed is read back before posting.
 */
import { z } from 'zod';
import { defineAction } from '../shared/action';
import { ConnectorError } from '../shared/errors';
import { SalesforceClient, SYSTEM } from './client';

/** Salesforce record ids are 15 (case-sensitive) or 18 characters (REST API Developer Guide, "Record IDs"). */
const RecordId = z.string().regex(/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/, 'a Salesforce record id (15 or 18 letters and digits)');
const Text = z.string().trim().min(1);

interface QueryResult<T> {
  totalSize: number;
  records: T[];
}

interface AccountRecord { Id: string; Name: string; OwnerId: string }
interface ContactRecord { Id: string; Name: string; Email: string | null; AccountId: string | null }
interface AssetRecord { Id: string; Name: string; Status: string | null; Price: number | null; ProductCode: string | null }
interface SaveResult { id?: string; success: boolean; created?: boolean; errors?: unknown[] }

async function query<T>(client: SalesforceClient, action: string, soql: string): Promise<T[]> {
  const result = (await client.call(action, 'GET /query', async (c) => (await c.query(soql)) as unknown as QueryResult<T>));
  return result.records;
}

/** Upserts one record by the configured External ID field, keyed by the step's idempotency key. */
async function upsertByKey(client: SalesforceClient, action: string, type: string, idempotencyKey: string, fields: Record<string, unknown>) {
  const field = client.externalIdField;
  const value = SalesforceClient.externalIdValue(idempotencyKey);
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  const result = (await client.call(action, `PATCH /sobjects/${type}/${field}/…`, (c) =>
    c.sobject(type).upsert({ ...defined, [field]: value }, field),
  )) as SaveResult;
  if (!result.success || !result.id) {
    throw new ConnectorError(SYSTEM, action, `upsert of ${type} reported no id: ${JSON.stringify(result.errors ?? [])}`, { retryable: false });
  }
  // 201 = created; 200 (API 46.0+) = an existing record matched the key, i.e. a retry of this step.
  return { id: result.id, created: result.created !== false };
}

function single<T>(action: string, what: string, field: string, records: T[]): T | null {
  if (records.length > 1) {
    throw new ConnectorError(SYSTEM, action, `${what} matches more than one record; give the record id instead`, { field, retryable: false });
  }
  return records[0] ?? null;
}

// ---- accounts and contacts -------------------------------------------------------------------------------

export const findAccount = defineAction({
  name: 'salesforce.findAccount',
  description: 'Finds an account (the organisation) by exact name; returns {found, account: {id, name, ownerId}}.',
  input: z.object({ name: Text }),
  mutates: false,
  async run(client: SalesforceClient, input) {
    const action = 'salesforce.findAccount';
    const records = await query<AccountRecord>(client, action, `SELECT Id, Name, OwnerId FROM Account WHERE Name = ${SalesforceClient.literal(input.name)} LIMIT 2`);
    const account = single(action, `account name "${input.name}"`, 'name', records);
    return account ? { found: true, account: { id: account.Id, name: account.Name, ownerId: account.OwnerId } } : { found: false, account: null };
  },
});

export const findContact = defineAction({
  name: 'salesforce.findContact',
  description: 'Finds a contact by e-mail, optionally within one account; returns {found, contact: {id, name, email, accountId}}.',
  input: z.object({ email: z.email(), accountId: RecordId.optional() }),
  mutates: false,
  async run(client: SalesforceClient, input) {
    const action = 'salesforce.findContact';
    const where = [`Email = ${SalesforceClient.literal(input.email)}`, input.accountId ? `AccountId = ${SalesforceClient.literal(input.accountId)}` : undefined];
    const records = await query<ContactRecord>(client, action, `SELECT Id, Name, Email, AccountId FROM Contact WHERE ${where.filter(Boolean).join(' AND ')} LIMIT 2`);
    const contact = single(action, `contact e-mail "${input.email}"`, 'email', records);
    return contact
      ? { found: true, contact: { id: contact.Id, name: contact.Name, email: contact.Email, accountId: contact.AccountId } }
      : { found: false, contact: null };
  },
});

// ---- cases ----------------------------------------------------------------------------------------------

const CaseFields = z.object({
  accountId: RecordId,
  contactId: RecordId.optional(),
  subject: Text.max(255),
  description: z.string().max(32_000).optional(),
  /** Picklist values as the org defines them, e.g. Email, Web, Phone. */
  origin: Text.optional(),
  status: Text.optional(),
  priority: Text.optional(),
  type: Text.optional(),
});

function caseRecord(input: Partial<z.infer<typeof CaseFields>>) {
  return {
    AccountId: input.accountId,
    ContactId: input.contactId,
    Subject: input.subject,
    Description: input.description,
    Origin: input.origin,
    Status: input.status,
    Priority: input.priority,
    Type: input.type,
  };
}

export const createCase = defineAction({
  name: 'salesforce.createCase',
  description: 'Creates a case under an account (once per step, by External ID); returns {caseId, created}.',
  input: CaseFields,
  mutates: true,
  async run(client: SalesforceClient, input, { idempotencyKey }) {
    const { id, created } = await upsertByKey(client, 'salesforce.createCase', 'Case', idempotencyKey, caseRecord(input));
    return { caseId: id, created };
  },
});

export const updateCase = defineAction({
  name: 'salesforce.updateCase',
  description: 'Updates a case\'s status, priority, subject or description; returns {caseId}.',
  input: CaseFields.omit({ accountId: true }).partial().extend({ caseId: RecordId })
    .refine((i) => Object.keys(i).length > 1, { message: 'give at least one field to change', path: ['status'] }),
  mutates: true,
  async run(client: SalesforceClient, input) {
    const { caseId, ...fields } = input;
    const record = Object.fromEntries(Object.entries(caseRecord(fields)).filter(([, v]) => v !== undefined));
    await client.call('salesforce.updateCase', 'PATCH /sobjects/Case/{id}', (c) => c.sobject('Case').update({ Id: caseId, ...record }));
    return { caseId };
  },
});

export const createOnboardingCase = defineAction({
  name: 'salesforce.createOnboardingCase',
  description: 'Opens the reseller onboarding case on the account once its opportunity is Closed Won (seed 004); returns {caseId, created}.',
  input: z.object({
    accountId: RecordId,
    opportunityId: RecordId.optional(),
    contactId: RecordId.optional(),
    origin: Text.default('Web'),
  }),
  mutates: true,
  async run(client: SalesforceClient, input, { idempotencyKey }) {
    const action = 'salesforce.createOnboardingCase';
    const account = (await client.call(action, 'GET /sobjects/Account/{id}', (c) => c.sobject('Account').retrieve(input.accountId))) as unknown as AccountRecord;
    const { id, created } = await upsertByKey(client, action, 'Case', idempotencyKey, caseRecord({
      accountId: input.accountId,
      contactId: input.contactId,
      subject: `Reseller onboarding: ${account.Name}`,
      description: `Onboarding of reseller ${account.Name}${input.opportunityId ? ` after opportunity ${input.opportunityId} was Closed Won` : ''}: reseller ID, form embed code, welcome material.`,
      origin: input.origin,
    }));
    return { caseId: id, created };
  },
});

// ---- case feed (Chatter) --------------------------------------------------------------------------------

interface FeedElement {
  id: string;
  body?: { text?: string | null; messageSegments?: Array<{ type: string; text?: string; record?: { id?: string } }> };
}

export const mentionOnCase = defineAction({
  name: 'salesforce.mentionOnCase',
  description: 'Posts to a case feed mentioning a user (by id, or the owner of an account: its account manager); returns {feedElementId, mentionedUserId, posted}.',
  input: z
    .object({ caseId: RecordId, text: Text.max(10_000), userId: RecordId.optional(), accountManagerOf: RecordId.optional() })
    .refine((i) => (i.userId === undefined) !== (i.accountManagerOf === undefined), { message: 'give either userId or accountManagerOf (an account id)', path: ['userId'] }),
  mutates: true,
  async run(client: SalesforceClient, input) {
    const action = 'salesforce.mentionOnCase';
    const userId = input.userId ?? ((await client.call(action, 'GET /sobjects/Account/{id}', (c) => c.sobject('Account').retrieve(input.accountManagerOf as string))) as unknown as AccountRecord).OwnerId;
    // A feed item has no External ID: a retried step finds its own post by the mention and the text.
    const feed = (await client.call(action, 'GET /chatter/feeds/record/{id}/feed-elements', async (c) =>
      (await c.chatter.resource(`/feeds/record/${input.caseId}/feed-elements`).retrieve()) as { elements?: FeedElement[] },
    ));
    const text = ` ${input.text}`;
    const earlier = (feed.elements ?? []).find((element) => {
      const segments = element.body?.messageSegments ?? [];
      return segments.some((s) => s.type === 'Mention' && s.record?.id === userId) && segments.filter((s) => s.type === 'Text').map((s) => s.text).join('') === text;
    });
    if (earlier) return { feedElementId: earlier.id, mentionedUserId: userId, posted: false };
    const posted = (await client.call(action, 'POST /chatter/feed-elements', async (c) =>
      (await c.chatter.resource('/feed-elements').create({
        feedElementType: 'FeedItem',
        subjectId: input.caseId,
        body: { messageSegments: [{ type: 'Mention', id: userId }, { type: 'Text', text }] },
      })) as FeedElement,
    ));
    return { feedElementId: posted.id, mentionedUserId: userId, posted: true };
  },
});

// ---- tasks (activities) ---------------------------------------------------------------------------------

export const createTask = defineAction({
  name: 'salesforce.createTask',
  description: 'Creates a task (an activity) for a person (whoId: contact or lead) and a record (whatId, e.g. a case); returns {taskId, created}.',
  input: z.object({
    subject: Text.max(255),
    whoId: RecordId.optional(),
    whatId: RecordId.optional(),
    ownerId: RecordId.optional(),
    status: Text.default('Not Started'),
    priority: Text.optional(),
    /** YYYY-MM-DD. */
    dueDate: z.iso.date().optional(),
    description: z.string().max(32_000).optional(),
  }),
  mutates: true,
  async run(client: SalesforceClient, input, { idempotencyKey }) {
    const { id, created } = await upsertByKey(client, 'salesforce.createTask', 'Task', idempotencyKey, {
      Subject: input.subject,
      WhoId: input.whoId,
      WhatId: input.whatId,
      OwnerId: input.ownerId,
      Status: input.status,
      Priority: input.priority,
      ActivityDate: input.dueDate,
      Description: input.description,
    });
    return { taskId: id, created };
  },
});

export const relateInteraction = defineAction({
  name: 'salesforce.relateInteraction',
  description: 'Logs a sent e-mail (e.g. the CXone reply) as a completed e-mail task, Name = the contact, Related To = the case (seed 002); returns {taskId, created}.',
  input: z.object({
    contactId: RecordId,
    caseId: RecordId,
    subject: Text.max(255),
    /** The CXone contact (case) and message the e-mail was sent as, kept in the description. */
    interactionRef: Text.optional(),
    description: z.string().max(30_000).optional(),
  }),
  mutates: true,
  async run(client: SalesforceClient, input, { idempotencyKey }) {
    const description = [input.description, input.interactionRef ? `Interaction: ${input.interactionRef}` : undefined].filter(Boolean).join('\n');
    // WhoId and WhatId are the "Name" and "Related To" of the activity; TaskSubtype Email shows it as an e-mail.
    const { id, created } = await upsertByKey(client, 'salesforce.relateInteraction', 'Task', idempotencyKey, {
      Subject: input.subject,
      WhoId: input.contactId,
      WhatId: input.caseId,
      Status: 'Completed',
      TaskSubtype: 'Email',
      Description: description || undefined,
    });
    return { taskId: id, created };
  },
});

// ---- opportunities (seed 004) ---------------------------------------------------------------------------

interface OpportunityRecord { Id: string; Name: string; StageName: string; OwnerId: string; Description: string | null }

/** The org's custom field for seed 004's "Reseller Rejected Reason" (Long Text Area on Opportunity). */
const REJECTED_REASON_FIELD = 'Reseller_Rejected_Reason__c';

/**
 * A user by id, or by exact name. Opportunities cannot be owned by queues (Salesforce Help, "Create Queues",
 * lists the objects that can), so a "Pending Deal Registration Queue" is a user of that name.
 */
async function userIdOf(client: SalesforceClient, action: string, ref: string, field: string): Promise<string> {
  if (/^005[a-zA-Z0-9]{12}([a-zA-Z0-9]{3})?$/.test(ref)) return ref;
  const users = await query<{ Id: string }>(client, action, `SELECT Id FROM User WHERE Name = ${SalesforceClient.literal(ref)} LIMIT 2`);
  const user = single(action, `user name "${ref}"`, field, users);
  if (!user) throw new ConnectorError(SYSTEM, action, `no Salesforce user named "${ref}"; give a user's exact name or id`, { field, retryable: false });
  return user.Id;
}

export const createOpportunity = defineAction({
  name: 'salesforce.createOpportunity',
  description: 'Creates an opportunity (once per step, by External ID): name, stage, close date, type, account, owner (a user\'s name or id); returns {opportunityId, created}.',
  input: z.object({
    name: Text.max(120),
    /** A stage of the org's sales process, e.g. Prospecting. */
    stage: Text,
    closeDate: z.iso.date(),
    /** e.g. "New Reseller", "New Customer - Reseller". */
    type: Text.optional(),
    accountId: RecordId.optional(),
    /** A user's exact name ("Pending Deal Registration Queue") or id. */
    owner: Text.optional(),
    amount: z.number().nonnegative().optional(),
    description: z.string().max(32_000).optional(),
  }),
  mutates: true,
  async run(client: SalesforceClient, input, { idempotencyKey }) {
    const action = 'salesforce.createOpportunity';
    const ownerId = input.owner ? await userIdOf(client, action, input.owner, 'owner') : undefined;
    const { id, created } = await upsertByKey(client, action, 'Opportunity', idempotencyKey, {
      Name: input.name,
      StageName: input.stage,
      CloseDate: input.closeDate,
      Type: input.type,
      AccountId: input.accountId,
      OwnerId: ownerId,
      Amount: input.amount,
      Description: input.description,
    });
    return { opportunityId: id, created };
  },
});

export const updateOpportunity = defineAction({
  name: 'salesforce.updateOpportunity',
  description: 'Changes an opportunity\'s stage, owner (a user\'s name or id), account, reseller rejected reason or close date, and adds a line to its notes (Description); returns {opportunityId, stage, ownerId}.',
  input: z
    .object({
      opportunityId: RecordId,
      stage: Text.optional(),
      owner: Text.optional(),
      rejectedReason: z.string().max(32_000).optional(),
      closeDate: z.iso.date().optional(),
      /** The account it is for, e.g. the new customer's once Sales Operations created it. */
      accountId: RecordId.optional(),
      /** A line added to the notes; a retry that finds it already there adds nothing. */
      notes: Text.max(4_000).optional(),
    })
    .refine((i) => Object.keys(i).length > 1, { message: 'give at least one field to change', path: ['stage'] }),
  mutates: true,
  async run(client: SalesforceClient, input) {
    const action = 'salesforce.updateOpportunity';
    const current = (await client.call(action, 'GET /sobjects/Opportunity/{id}', (c) => c.sobject('Opportunity').retrieve(input.opportunityId))) as unknown as OpportunityRecord;
    const ownerId = input.owner ? await userIdOf(client, action, input.owner, 'owner') : undefined;
    const notes = current.Description ?? '';
    const fields = Object.fromEntries(Object.entries({
      StageName: input.stage,
      OwnerId: ownerId,
      CloseDate: input.closeDate,
      AccountId: input.accountId,
      [REJECTED_REASON_FIELD]: input.rejectedReason,
      Description: input.notes && !notes.split('\n').includes(input.notes) ? [notes, input.notes].filter(Boolean).join('\n') : undefined,
    }).filter(([, v]) => v !== undefined));
    if (Object.keys(fields).length) {
      await client.call(action, 'PATCH /sobjects/Opportunity/{id}', (c) => c.sobject('Opportunity').update({ Id: input.opportunityId, ...fields }));
    }
    return { opportunityId: input.opportunityId, stage: input.stage ?? current.StageName, ownerId: ownerId ?? current.OwnerId };
  },
});

// ---- assets (off-boarding) ------------------------------------------------------------------------------

export const suspendResellerLicence = defineAction({
  name: 'salesforce.suspendResellerLicence',
  description: 'Sets the reseller licence row (the $0 SKU) on the account\'s assets to suspended, leaving every other row untouched; returns {assetId, name, previousStatus, changed}.',
  input: z.object({
    accountId: RecordId,
    /** Narrows the $0 rows by product name when an account has several. */
    productName: Text.optional(),
    /** The org's value for a suspended licence ([unverified]: seed 003 shows the UI only). */
    status: Text.default('Suspended'),
  }),
  mutates: true,
  async run(client: SalesforceClient, input) {
    const action = 'salesforce.suspendResellerLicence';
    const assets = await query<AssetRecord>(client, action, `SELECT Id, Name, Status, Price, ProductCode FROM Asset WHERE AccountId = ${SalesforceClient.literal(input.accountId)}`);
    const free = assets.filter((a) => a.Price === 0 && (!input.productName || a.Name.toLowerCase() === input.productName.toLowerCase()));
    const rows = assets.map((a) => `"${a.Name}" (${a.Status ?? 'no status'}, ${a.Price ?? '?'})`).join(', ') || 'none';
    if (free.length !== 1) {
      const why = free.length === 0 ? 'has no $0 licence row' : `has ${free.length} $0 licence rows; name the product with productName`;
      throw new ConnectorError(SYSTEM, action, `account ${input.accountId} ${why}. Its assets: ${rows}`, { field: free.length ? 'productName' : 'accountId', retryable: false });
    }
    const licence = free[0];
    // Reading first makes a retried step, or a row suspended by hand, a success without a write.
    if (licence.Status === input.status) return { assetId: licence.Id, name: licence.Name, previousStatus: licence.Status, changed: false };
    await client.call(action, 'PATCH /sobjects/Asset/{id}', (c) => c.sobject('Asset').update({ Id: licence.Id, Status: input.status }));
    return { assetId: licence.Id, name: licence.Name, previousStatus: licence.Status, changed: true };
  },
});

export const salesforceActions = [
  findAccount,
  findContact,
  createCase,
  updateCase,
  createOnboardingCase,
  createOpportunity,
  updateOpportunity,
  mentionOnCase,
  createTask,
  relateInteraction,
  suspendResellerLicence,
] as const;
