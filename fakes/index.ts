/**
 * The local fakes of every external system, for the tests and the sandbox mode of `npm start`.
 *
 * `startFakes(env)` starts a fake for each system the environment does not configure and returns the
 * environment with the variables that point those connectors at their fakes; the worker then reads that
 * environment like any other. Nothing in activities/ or the worker imports this folder.
 */
import { startCxoneFake } from './cxone/fake';
import { startDocuSignFake } from './docusign/fake';
import { startEmailFake } from './email/fake';
import { startHubSpotFake } from './hubspot/fake';
import { startJiraFake } from './jira/fake';
import { startJotFormFake } from './jotform/fake';
import { startPandaDocFake } from './pandadoc/fake';
import { startPartnerStackFake } from './partnerstack/fake';
import { startSalesforceFake } from './salesforce/fake';
import type { RunningFake } from './shared/fake-kit';

export type { RunningFake } from './shared/fake-kit';

/** Per system: the variable whose presence means "configured", and how to start its fake. */
const SYSTEMS: ReadonlyArray<{ system: string; configuredBy: string[]; start: () => Promise<RunningFake> }> = [
  { system: 'hubspot', configuredBy: ['HUBSPOT_ACCESS_TOKEN'], start: () => startHubSpotFake() },
  { system: 'partnerstack', configuredBy: ['PARTNERSTACK_API_KEY', 'PARTNERSTACK_API_SECRET'], start: () => startPartnerStackFake() },
  { system: 'cxone', configuredBy: ['CXONE_ACCESS_KEY_ID'], start: () => startCxoneFake() },
  { system: 'jira', configuredBy: ['JIRA_HOST'], start: () => startJiraFake() },
  { system: 'email', configuredBy: ['SMTP_HOST'], start: () => startEmailFake() },
  { system: 'salesforce', configuredBy: ['SALESFORCE_CLIENT_ID'], start: () => startSalesforceFake() },
  { system: 'pandadoc', configuredBy: ['PANDADOC_API_KEY'], start: () => startPandaDocFake() },
  { system: 'docusign', configuredBy: ['DOCUSIGN_INTEGRATION_KEY'], start: () => startDocuSignFake() },
  { system: 'jotform', configuredBy: ['JOTFORM_API_KEY'], start: () => startJotFormFake() },
];

export interface Sandbox {
  fakes: RunningFake[];
  /** `env` plus the variables of every fake started. */
  env: NodeJS.ProcessEnv;
  /** The fake of one system, typed by the caller (e.g. `fake<EmailFake>('email')`). */
  fake<T extends RunningFake>(system: string): T;
  close(): Promise<void>;
}

export async function startFakes(env: NodeJS.ProcessEnv = {}): Promise<Sandbox> {
  const missing = SYSTEMS.filter((s) => !s.configuredBy.some((name) => env[name]));
  const fakes = await Promise.all(missing.map((s) => s.start()));
  return {
    fakes,
    env: Object.assign({}, env, ...fakes.map((f) => f.env)),
    fake<T extends RunningFake>(system: string): T {
      const found = fakes.find((f) => f.system === system);
      if (!found) throw new Error(`no fake started for ${system} (it is configured in the environment)`);
      return found as T;
    },
    close: async () => void (await Promise.all(fakes.map((f) => f.close()))),
  };
}
