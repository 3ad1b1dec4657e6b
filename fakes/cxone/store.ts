/**
 * The in-memory CXone tenant behind the fake: organisations, customers (contacts), channels, quick responses,
 * cases (DFO "contacts") and their messages, seeded with what the channel-partner process needs: the email
 * channel and the quick replies "New Channel Req 1" and "New Channel Req 2". Validation failures carry the
 * field at fault, in a `{message, errors: [{field, message}]}` body [unverified shape].
 */

export class FakeCxoneError extends Error {
  constructor(readonly status: number, readonly body: { message: string; errors: Array<{ field: string; message: string }> }) {
    super(body.message);
  }
}

export const cxoneError = (message: string, field?: string) => ({ message, errors: field ? [{ field, message }] : [] });
const invalid = (field: string, message: string) => new FakeCxoneError(400, cxoneError(message, field));
const notFound = (message: string) => new FakeCxoneError(404, cxoneError(message));

export interface FakeOrganisation { id: string; name: string }
export interface FakeCustomer { id: string; fullName: string; firstName: string; email: string; organizationId: string | null }
export interface FakeChannel { id: string; name: string; integrationBoxIdent: string }
export interface FakeQuickResponse { id: string; title: string; content: string }
export interface FakeCase {
  id: string;
  status: 'new' | 'open' | 'resolved' | 'closed';
  channelId: string;
  threadIdOnExternalPlatform: string;
  threadName: string;
  organizationId: string | null;
  customerId: string;
  createdAt: string;
}
export interface FakeMessage {
  id: string;
  caseId: string;
  idOnExternalPlatform: string | null;
  direction: 'outbound' | 'inbound';
  subject: string;
  text: string;
  recipients: Array<{ idOnExternalPlatform: string; name: string; isPrimary: boolean; isPrivate: boolean }>;
  createdAt: string;
}

export const DEFAULT_QUICK_REPLIES: Array<Omit<FakeQuickResponse, 'id'>> = [
  {
    title: 'New Channel Req 1',
    content:
      'Hello {{name}},\n\nThank you for your request to add a new channel partner for {{organisation}}. ' +
      'Our configuration team is working on it. We will write again once it is complete.\n\nEverBright Support',
  },
  {
    title: 'New Channel Req 2',
    content:
      'Hello {{customer.firstName}},\n\nThe channel partner configuration for {{organisation}} is complete. ' +
      'The partner now has access to the financing options its channel manager offers.\n\nEverBright Support',
  },
];

export const DEFAULT_ORGANISATIONS = ['HW Solar', 'Green Light Solar'];
export const DEFAULT_CUSTOMERS = [{ fullName: 'Partner Admin', email: 'admin@hwsolar.example', organisation: 'HW Solar' }];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class CxoneFakeStore {
  organisations: FakeOrganisation[] = [];
  customers: FakeCustomer[] = [];
  channels: FakeChannel[] = [
    { id: 'email_everbright_support', name: 'EverBright Support (email)', integrationBoxIdent: 'email' },
    { id: 'chat_everbright_web', name: 'EverBright web chat', integrationBoxIdent: 'chat' },
  ];
  quickResponses: FakeQuickResponse[] = [];
  cases = new Map<string, FakeCase>();
  messages: FakeMessage[] = [];
  private nextId = 1000;

  constructor() {
    for (const name of DEFAULT_ORGANISATIONS) this.addOrganisation(name);
    for (const c of DEFAULT_CUSTOMERS) this.addCustomer(c);
    for (const q of DEFAULT_QUICK_REPLIES) this.addQuickResponse(q);
  }

  private id(prefix: string): string {
    return `${prefix}${this.nextId++}`;
  }

  // ---- seeding -------------------------------------------------------------------------------------------

  addOrganisation(name: string): FakeOrganisation {
    const organisation = { id: this.id('org-'), name };
    this.organisations.push(organisation);
    return organisation;
  }

  addCustomer(input: { fullName: string; email: string; organisation?: string }): FakeCustomer {
    const organizationId = input.organisation ? (this.organisations.find((o) => o.name === input.organisation)?.id ?? this.addOrganisation(input.organisation).id) : null;
    const customer = { id: this.id('cust-'), fullName: input.fullName, firstName: input.fullName.split(' ')[0], email: input.email.toLowerCase(), organizationId };
    this.customers.push(customer);
    return customer;
  }

  addQuickResponse(input: Omit<FakeQuickResponse, 'id'>): FakeQuickResponse {
    const quickResponse = { id: this.id('qr-'), ...input };
    this.quickResponses.push(quickResponse);
    return quickResponse;
  }

  addChannel(input: Omit<FakeChannel, 'id'> & { id?: string }): FakeChannel {
    const channel = { id: input.id ?? this.id(`${input.integrationBoxIdent}_`), name: input.name, integrationBoxIdent: input.integrationBoxIdent };
    this.channels.push(channel);
    return channel;
  }

  // ---- API behaviour -------------------------------------------------------------------------------------

  searchOrganisations(search: string | undefined): FakeOrganisation[] {
    const q = (search ?? '').toLowerCase();
    return this.organisations.filter((o) => o.name.toLowerCase().includes(q));
  }

  getCase(id: string): FakeCase {
    const found = this.cases.get(id);
    if (!found) throw notFound(`Contact ${id} not found`);
    return found;
  }

  /** POST /contacts: opens a case on an email thread for a customer (found or created by e-mail). */
  createCase(body: unknown): FakeCase {
    const b = (body ?? {}) as { channelId?: string; organizationId?: string; thread?: { idOnExternalPlatform?: string; threadName?: string }; customer?: { idOnExternalPlatform?: string; fullName?: string } };
    const channel = this.channels.find((c) => c.id === b.channelId);
    if (!channel) throw invalid('channelId', `Channel ${String(b.channelId)} does not exist`);
    if (b.organizationId !== undefined && !this.organisations.some((o) => o.id === b.organizationId)) throw invalid('organizationId', `Organization ${b.organizationId} does not exist`);
    const threadId = b.thread?.idOnExternalPlatform;
    if (!threadId) throw invalid('thread.idOnExternalPlatform', 'Thread idOnExternalPlatform is required');
    if ([...this.cases.values()].some((c) => c.threadIdOnExternalPlatform === threadId)) throw new FakeCxoneError(409, cxoneError(`Thread ${threadId} already exists`, 'thread.idOnExternalPlatform'));
    const email = b.customer?.idOnExternalPlatform?.toLowerCase() ?? '';
    if (channel.integrationBoxIdent === 'email' && !EMAIL.test(email)) throw invalid('customer.idOnExternalPlatform', `"${email}" is not an e-mail address`);
    const customer = this.customers.find((c) => c.email === email) ?? this.addCustomer({ fullName: b.customer?.fullName ?? email, email });
    customer.organizationId ??= b.organizationId ?? null;
    const created: FakeCase = {
      id: this.id('case-'), status: 'new', channelId: channel.id, threadIdOnExternalPlatform: threadId, threadName: b.thread?.threadName ?? '',
      organizationId: b.organizationId ?? customer.organizationId, customerId: customer.id, createdAt: new Date().toISOString(),
    };
    this.cases.set(created.id, created);
    return created;
  }

  /** POST /quick-responses/{id}/replace-variables: fills `{{customer.*}}`, `{{organization.name}}`, `{{contact.id}}` and given variables. */
  renderQuickResponse(id: string, body: unknown): string {
    const quickResponse = this.quickResponses.find((q) => q.id === id);
    if (!quickResponse) throw notFound(`Quick response ${id} not found`);
    const b = (body ?? {}) as { contactId?: string; variables?: Record<string, string> };
    const found = b.contactId ? this.getCase(b.contactId) : undefined;
    const customer = found ? this.customers.find((c) => c.id === found.customerId) : undefined;
    const organisation = this.organisations.find((o) => o.id === found?.organizationId);
    const values: Record<string, string | undefined> = {
      'customer.firstName': customer?.firstName, 'customer.fullName': customer?.fullName, 'organization.name': organisation?.name, 'contact.id': found?.id,
      ...(b.variables ?? {}),
    };
    return quickResponse.content.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (placeholder, name: string) => values[name] ?? placeholder);
  }

  /** POST /channels/{id}/outbound: records the e-mail in the given case (or a new one) and returns both. */
  sendOutbound(channelId: string, body: unknown): { consumerContact: FakeCase; message: FakeMessage } {
    const channel = this.channels.find((c) => c.id === channelId);
    if (!channel) throw notFound(`Channel ${channelId} not found`);
    const b = (body ?? {}) as {
      idOnExternalPlatform?: string; thread?: { idOnExternalPlatform?: string; threadName?: string }; contact?: { id?: string };
      messageContent?: { type?: string; payload?: { text?: string } }; recipients?: FakeMessage['recipients'];
    };
    if ((b.thread?.threadName ?? '').length > 250) throw invalid('thread.threadName', 'Thread name (e-mail subject) must be at most 250 characters');
    const text = b.messageContent?.payload?.text;
    if (b.messageContent?.type !== 'TEXT' || !text) throw invalid('messageContent.payload.text', 'Message text is required');
    const recipients = b.recipients ?? [];
    if (recipients.length === 0) throw invalid('recipients', 'At least one recipient is required');
    const bad = recipients.findIndex((r) => !EMAIL.test(r.idOnExternalPlatform ?? ''));
    if (bad !== -1) throw invalid(`recipients[${bad}].idOnExternalPlatform`, `"${recipients[bad].idOnExternalPlatform}" is not an e-mail address`);
    const consumerContact = b.contact?.id
      ? this.getCase(b.contact.id)
      : this.createCase({ channelId, thread: b.thread, customer: { idOnExternalPlatform: recipients[0].idOnExternalPlatform, fullName: recipients[0].name } });
    if (consumerContact.channelId !== channelId) throw invalid('contact.id', `Contact ${consumerContact.id} belongs to another channel`);
    consumerContact.status = 'open';
    const message: FakeMessage = {
      id: this.id('msg-'), caseId: consumerContact.id, idOnExternalPlatform: b.idOnExternalPlatform ?? null, direction: 'outbound',
      subject: b.thread?.threadName ?? consumerContact.threadName, text, recipients, createdAt: new Date().toISOString(),
    };
    this.messages.push(message);
    return { consumerContact, message };
  }
}
