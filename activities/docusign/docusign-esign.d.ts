/**
 * The part of `docusign-esign` 10.0.0 the connector uses, typed from the SDK's own JSDoc (src/ApiClient.js,
 * src/api/EnvelopesApi.js, src/api/TemplatesApi.js). The package ships no types, and @types/docusign-esign
 * describes version 5, so the few calls we make are declared here.
 */
declare module 'docusign-esign' {
  export class ApiClient {
    constructor(options?: { basePath?: string; oAuthBasePath?: string });
    setBasePath(basePath: string): void;
    addDefaultHeader(name: string, value: string): void;
    timeout: number;
  }

  export interface TextCustomField { name: string; value: string; show?: string; required?: string }
  export interface TemplateRole { roleName: string; name: string; email: string; routingOrder?: string }
  export interface EnvelopeDefinition {
    templateId?: string;
    templateRoles?: TemplateRole[];
    emailSubject?: string;
    emailBlurb?: string;
    status?: 'created' | 'sent';
    customFields?: { textCustomFields?: TextCustomField[] };
  }
  export interface EnvelopeSummary { envelopeId?: string; status?: string; statusDateTime?: string; uri?: string }
  export interface Envelope {
    envelopeId?: string;
    status?: string;
    emailSubject?: string;
    sentDateTime?: string;
    completedDateTime?: string;
    customFields?: { textCustomFields?: TextCustomField[] };
  }
  export interface EnvelopesInformation { envelopes?: Envelope[]; resultSetSize?: string; totalSetSize?: string; continuationToken?: string }
  export interface EnvelopeTemplateResults { envelopeTemplates?: Array<{ templateId?: string; name?: string }>; resultSetSize?: string }

  export class EnvelopesApi {
    constructor(apiClient: ApiClient);
    createEnvelope(accountId: string, options: { envelopeDefinition: EnvelopeDefinition }): Promise<EnvelopeSummary>;
    getEnvelope(accountId: string, envelopeId: string, options?: { include?: string }): Promise<Envelope>;
    listStatusChanges(accountId: string, options: { customField?: string; fromDate?: string; count?: string; include?: string }): Promise<EnvelopesInformation>;
    update(accountId: string, envelopeId: string, options: { envelope: { status: 'sent' } }): Promise<{ envelopeId?: string }>;
  }

  export class TemplatesApi {
    constructor(apiClient: ApiClient);
    listTemplates(accountId: string, options?: { searchText?: string; count?: string }): Promise<EnvelopeTemplateResults>;
  }
}
