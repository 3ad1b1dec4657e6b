/**
 * PartnerStack's HubSpot integration between the embedded default's two fakes (seed 000, step 1): for a deal
 * a partner registers it creates the HubSpot deal in "PartnerStack Deal Pipeline" on the company Sales named
 * (associated with it and its contacts) and the deal's ticket in the deal registration pipeline; for an
 * approved deal it gives the customer PartnerStack lists under "Referral". It talks to HubSpot through its
 * public API, as the integration does, so the HubSpot fake saves what it made.
 */
import type { HubSpotFake } from './hubspot/fake';
import type { HubSpotIntegration, PartnerStackFake } from './partnerstack/fake';
import { CallError, callJson } from './shared/http';
import { FakeError } from './shared/fake-kit';

const DEAL_PIPELINE = 'PartnerStack Deal Pipeline';
const TICKET_PIPELINE = 'PartnerStack Deal Registration and Provisioning';

export function connectHubSpotIntegration(partnerstack: PartnerStackFake, hubspot: HubSpotFake): void {
  partnerstack.integration = hubspotIntegration(hubspot);
}

function hubspotIntegration(hubspot: HubSpotFake): HubSpotIntegration {
  const api = <T>(method: string, route: string, body?: unknown) => callJson<T>(`${hubspot.url}${route}`, { method, body, headers: { authorization: `Bearer ${hubspot.accessToken}` } });
  const associated = async (from: string, id: string, to: string) =>
    (await api<{ results: Array<{ toObjectId: string }> }>('GET', `/crm/v4/objects/${from}/${id}/associations/${to}`)).results.map((r) => r.toObjectId);
  const firstStage = async (type: 'deals' | 'tickets', label: string) => {
    const { results } = await api<{ results: Array<{ id: string; label: string; stages: Array<{ id: string; displayOrder?: number }> }> }>('GET', `/crm/v3/pipelines/${type}`);
    const pipeline = results.find((p) => p.label === label);
    if (!pipeline?.stages.length) throw new FakeError(409, `HubSpot has no ${type} pipeline "${label}" for the integration to use`);
    return { pipeline: pipeline.id, stage: pipeline.stages[0].id };
  };
  const company = async (companyId: string) => {
    try {
      return await api<{ id: string; properties: Record<string, string> }>('GET', `/crm/v3/objects/companies/${encodeURIComponent(companyId)}?properties=name`);
    } catch (error) {
      if (error instanceof CallError && error.status === 404) throw new FakeError(404, `HubSpot has no company ${companyId}: give the id of the company Sales created in HubSpot`, 'hubspotCompanyId');
      throw error;
    }
  };

  return {
    companyName: async (hubspotCompanyId) => (await company(hubspotCompanyId)).properties.name ?? hubspotCompanyId,
    async dealRegistered({ accountName, amount }, hubspotCompanyId) {
      const { id: companyId } = await company(hubspotCompanyId);
      const deals = await firstStage('deals', DEAL_PIPELINE);
      const tickets = await firstStage('tickets', TICKET_PIPELINE);
      const deal = await api<{ id: string }>('POST', '/crm/v3/objects/deals', {
        properties: { dealname: accountName, pipeline: deals.pipeline, dealstage: deals.stage, ...(amount === null ? {} : { amount: String(amount / 100) }) },
      });
      await api('PUT', `/crm/v4/objects/deals/${deal.id}/associations/default/companies/${companyId}`);
      for (const contactId of await associated('companies', companyId, 'contacts')) await api('PUT', `/crm/v4/objects/deals/${deal.id}/associations/default/contacts/${contactId}`);
      const ticket = await api<{ id: string }>('POST', '/crm/v3/objects/tickets', {
        properties: { subject: `Deal registration: ${accountName}`, hs_pipeline: tickets.pipeline, hs_pipeline_stage: tickets.stage },
      });
      await api('PUT', `/crm/v4/objects/deals/${deal.id}/associations/default/tickets/${ticket.id}`);
      return deal.id;
    },
    async referralOf(deal) {
      if (!deal.external_key) throw new FakeError(409, `deal ${deal.key} is not linked to a HubSpot deal`);
      const [companyId] = await associated('deals', deal.external_key, 'companies');
      if (!companyId) throw new FakeError(409, `HubSpot deal ${deal.external_key} has no company to list under Referral`);
      const [contactId] = await associated('deals', deal.external_key, 'contacts');
      const contact = contactId ? await api<{ properties: Record<string, string> }>('GET', `/crm/v3/objects/contacts/${contactId}?properties=email`) : undefined;
      const { properties } = await company(companyId);
      return { customerKey: companyId, email: contact?.properties.email ?? '', name: properties.name };
    },
  };
}
