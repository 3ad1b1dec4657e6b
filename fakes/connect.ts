/**
 * What an administrator sets up once in each vendor's own screens, done for the embedded default's fakes
 * at every start (the API's address may change between starts): each vendor's webhooks pointed at the
 * API's webhook routes, with the secret URL tokens of the unsigned ones, and PartnerStack's HubSpot
 * integration connected. So a signature in PandaDoc or DocuSign, a Jira task moved to Done, a PartnerStack
 * deal registration and a JotForm submission reach the instance at once, as in production.
 */
import type { HubSpotFake } from './hubspot/fake';
import type { Sandbox } from './index';
import type { JiraFake } from './jira/fake';
import type { JotFormFake } from './jotform/fake';
import type { PandaDocFake } from './pandadoc/fake';
import type { PartnerStackFake } from './partnerstack/fake';
import type { DocuSignFake } from './docusign/fake';
import { connectHubSpotIntegration } from './partnerstack-hubspot';

export function connectFakes(sandbox: Sandbox, apiUrl: string): void {
  const started = (system: string) => sandbox.fakes.some((f) => f.system === system);
  const webhooks = `${apiUrl}/webhooks`;
  if (started('partnerstack')) {
    const partnerstack = sandbox.fake<PartnerStackFake>('partnerstack');
    partnerstack.subscribe(`${webhooks}/partnerstack/${partnerstack.webhookToken}`);
    if (started('hubspot')) connectHubSpotIntegration(partnerstack, sandbox.fake<HubSpotFake>('hubspot'));
  }
  if (started('jotform')) {
    const jotform = sandbox.fake<JotFormFake>('jotform');
    jotform.subscribe(`${webhooks}/jotform/${jotform.webhookToken}`);
  }
  if (started('jira')) sandbox.fake<JiraFake>('jira').subscribeWebhook(`${webhooks}/jira`);
  if (started('pandadoc')) sandbox.fake<PandaDocFake>('pandadoc').subscribe(`${webhooks}/pandadoc`);
  if (started('docusign')) sandbox.fake<DocuSignFake>('docusign').subscribe(`${webhooks}/docusign`);
}
