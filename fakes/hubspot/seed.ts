/**
 * What the HubSpot fake starts with: the pipelines and stages the procedures name (seeds 000 and 001) and
 * the properties the actions use, so the embedded default works without any setup. Pure data.
 */
export interface SeedPipeline {
  label: string;
  stages: string[];
}

export interface SeedProperty {
  name: string;
  label: string;
  type?: 'string' | 'number' | 'date' | 'datetime' | 'enumeration';
  hasUniqueValue?: boolean;
}

export const SEED_PIPELINES: { tickets: SeedPipeline[]; deals: SeedPipeline[] } = {
  tickets: [
    {
      // Seed 000 also calls it "...Registration and Processing"; definitions must use one label (vendors.md §0).
      label: 'PartnerStack Deal Registration and Provisioning',
      stages: [
        'Sales - KYC and pandadoc contract issuance',
        'IOD - KYC approval and deposit invoice issuance',
        'Provisioning Team - Provisioning and approval',
        'Completed - Approved and customer email sent',
        'Rejected - due diligence failed',
      ],
    },
    {
      label: 'CINNOX service addition / amendment / termination',
      stages: [
        'Sales - Draft / Returned',
        'IOD Team - Check and approval',
        'Provisioning Team - provisioning and approval',
        'R&D/Product Team - Bug Fix/Improvement',
        'Completed - Approved and customer email sent',
        'Rejected - due diligence failed',
      ],
    },
    {
      // The procedure names the pipeline but not its stages: these are placeholders until the portal is checked.
      label: 'Number reservation',
      stages: ['New request', 'IOD - Reservation in progress', 'Reserved - result replied', 'Closed'],
    },
  ],
  deals: [
    {
      label: 'PartnerStack Deal Pipeline',
      stages: ['Deal registered', 'Contract sent', 'Close won', 'Closed won (Approved)', 'Closed lost'],
    },
  ],
};

const COMMON: SeedProperty[] = [
  { name: 'hs_object_id', label: 'Record ID', type: 'number' },
  { name: 'createdate', label: 'Create date', type: 'datetime' },
  { name: 'hs_lastmodifieddate', label: 'Last modified date', type: 'datetime' },
];
// The project's marker property `wf_request_key` is not seeded: the connector creates it on first use,
// as it must in a real portal.

export const SEED_PROPERTIES: Record<'companies' | 'contacts' | 'deals' | 'tickets' | 'notes', SeedProperty[]> = {
  companies: [
    ...COMMON,
    { name: 'name', label: 'Company name' },
    { name: 'domain', label: 'Company domain name' },
    { name: 'industry', label: 'Industry' },
    { name: 'country', label: 'Country/Region' },
    { name: 'city', label: 'City' },
    { name: 'address', label: 'Street address' },
    { name: 'phone', label: 'Phone number' },
    { name: 'odb_company_id', label: 'ODB company ID' },
    { name: 'business_registration_number', label: 'Business registration number' },
    { name: 'registered_address', label: 'Registered address' },
    { name: 'billing_contact_email', label: 'Billing contact email' },
  ],
  contacts: [
    ...COMMON,
    { name: 'email', label: 'Email' },
    { name: 'firstname', label: 'First name' },
    { name: 'lastname', label: 'Last name' },
    { name: 'phone', label: 'Phone number' },
    { name: 'jobtitle', label: 'Job title' },
  ],
  deals: [
    ...COMMON,
    { name: 'dealname', label: 'Deal name' },
    { name: 'pipeline', label: 'Pipeline', type: 'enumeration' },
    { name: 'dealstage', label: 'Deal stage', type: 'enumeration' },
    { name: 'amount', label: 'Amount', type: 'number' },
    { name: 'closedate', label: 'Close date', type: 'date' },
    { name: 'service_plan', label: 'Service Plan' },
  ],
  tickets: [
    ...COMMON,
    { name: 'subject', label: 'Ticket name' },
    { name: 'content', label: 'Ticket description' },
    { name: 'hs_pipeline', label: 'Pipeline', type: 'enumeration' },
    { name: 'hs_pipeline_stage', label: 'Ticket status', type: 'enumeration' },
    { name: 'hs_ticket_priority', label: 'Priority', type: 'enumeration' },
    { name: 'virtual_number_details', label: 'Virtual number details' },
    { name: 'virtual_number_country', label: 'Virtual number country' },
    { name: 'virtual_number_quantity', label: 'Number of virtual numbers', type: 'number' },
    { name: 'effective_date', label: 'Effective date', type: 'date' },
  ],
  notes: [
    ...COMMON,
    { name: 'hs_note_body', label: 'Note body' },
    { name: 'hs_timestamp', label: 'Activity date', type: 'datetime' },
    { name: 'hs_attachment_ids', label: 'Attachment IDs' },
  ],
};
