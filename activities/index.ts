/**
 * The connectors the engine can call, as the worker and the definition compiler see them.
 *
 * - `catalogue`: every action's name, purpose and input schema; the compiler checks `call:` steps with it.
 * - `startActivities(env)`: builds each connector's client from the environment, or, when a system has no
 *   credentials configured, starts its local fake and points the client at it (the embedded default).
 *
 * Workflow code never imports this folder except as types: activities run outside the sandbox.
 */
import { catalogueOf, type Connector, type RunningFake } from './shared/action';
import { bindActions, type ActivityFunction } from './shared/bind';
import { cxoneConnector } from './cxone';
import { docusignConnector } from './docusign';
import { emailConnector } from './email';
import { hubspotConnector } from './hubspot';
import { jiraConnector } from './jira';
import { jotformConnector } from './jotform';
import { pandadocConnector } from './pandadoc';
import { partnerstackConnector } from './partnerstack';
import { salesforceConnector } from './salesforce';

export const connectors: readonly Connector<any, any>[] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
  hubspotConnector,
  partnerstackConnector,
  cxoneConnector,
  jiraConnector,
  emailConnector,
  salesforceConnector,
  pandadocConnector,
  docusignConnector,
  jotformConnector,
];

export const catalogue = catalogueOf(connectors.flatMap((connector) => connector.actions));

export interface StartedActivities {
  activities: Record<string, ActivityFunction>;
  /** The fakes started for systems without credentials; close them on shutdown. */
  fakes: RunningFake[];
}

export async function startActivities(env: NodeJS.ProcessEnv, options: { fakesOnly?: boolean } = {}): Promise<StartedActivities> {
  const activities: Record<string, ActivityFunction> = {};
  const fakes: RunningFake[] = [];
  for (const connector of connectors) {
    let config = options.fakesOnly ? undefined : connector.configFromEnv(env);
    if (config === undefined) {
      const started = await connector.startFake();
      fakes.push(started.fake);
      config = started.config;
    }
    Object.assign(activities, bindActions(connector.actions, connector.createClient(config)));
  }
  return { activities, fakes };
}
