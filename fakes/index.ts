/**
 * The local fakes of every external system, for the tests and the sandbox mode of `npm start`.
 *
 * `startFakes(env)` starts a fake for each system the environment does not configure and returns the
 * environment with the variables that point those connectors at their fakes; the worker then reads that
 * environment like any other. Nothing in activities/ or the worker imports this folder.
 */
import path from 'node:path';
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

/**
 * Per system: the variable whose presence means "configured", its port's offset from the base port (fixed,
 * so a restarted `npm start` serves every fake where it was; e-mail takes two, SMTP and control), and how
 * to start its fake on a port (0: any free one).
 */
const SYSTEMS: ReadonlyArray<{ system: string; configuredBy: string[]; offset: number; start: (port: number, stateFile?: string) => Promise<RunningFake> }> = [
  { system: 'hubspot', configuredBy: ['HUBSPOT_ACCESS_TOKEN'], offset: 0, start: (port, stateFile) => startHubSpotFake({ port, stateFile }) },
  { system: 'partnerstack', configuredBy: ['PARTNERSTACK_API_KEY', 'PARTNERSTACK_API_SECRET'], offset: 1, start: (port, stateFile) => startPartnerStackFake({ port, stateFile }) },
  { system: 'cxone', configuredBy: ['CXONE_ACCESS_KEY_ID'], offset: 2, start: (port, stateFile) => startCxoneFake({ port, stateFile }) },
  { system: 'jira', configuredBy: ['JIRA_HOST'], offset: 3, start: (port, stateFile) => startJiraFake({ port, stateFile }) },
  { system: 'email', configuredBy: ['SMTP_HOST'], offset: 4, start: (port, stateFile) => startEmailFake({ port, controlPort: port && port + 1, stateFile }) },
  { system: 'salesforce', configuredBy: ['SALESFORCE_CLIENT_ID'], offset: 6, start: (port, stateFile) => startSalesforceFake({ port, stateFile }) },
  { system: 'pandadoc', configuredBy: ['PANDADOC_API_KEY'], offset: 7, start: (port, stateFile) => startPandaDocFake({ port, stateFile }) },
  { system: 'docusign', configuredBy: ['DOCUSIGN_INTEGRATION_KEY'], offset: 8, start: (port, stateFile) => startDocuSignFake({ port, stateFile }) },
  { system: 'jotform', configuredBy: ['JOTFORM_API_KEY'], offset: 9, start: (port, stateFile) => startJotFormFake({ port, stateFile }) },
];

/** The embedded default's first fake port (`FAKES_PORT`): HubSpot there, the others on the nine after it. */
export const DEFAULT_FAKES_PORT = 4110;

/** The origin of a system's fake on the embedded default's fixed ports (its control routes are under `/__control`). */
export function fakeOrigin(system: string, basePort = DEFAULT_FAKES_PORT): string {
  const found = SYSTEMS.find((s) => s.system === system);
  if (!found) throw new Error(`no fake for '${system}'; systems: ${SYSTEMS.map((s) => s.system).join(', ')}`);
  return `http://127.0.0.1:${basePort + found.offset + (system === 'email' ? 1 : 0)}`;
}

/** Where a fake's control routes are (`/__control` on its own origin; e-mail has a control server of its own). */
export function controlUrlOf(fake: RunningFake): string {
  const own = (fake as { controlUrl?: string }).controlUrl;
  return `${own ?? new URL(fake.url).origin}/__control`;
}

export interface Sandbox {
  fakes: RunningFake[];
  /** `env` plus the variables of every fake started. */
  env: NodeJS.ProcessEnv;
  /** The fake of one system, typed by the caller (e.g. `fake<EmailFake>('email')`). */
  fake<T extends RunningFake>(system: string): T;
  close(): Promise<void>;
}

/**
 * `basePort`: listen on fixed ports from there (see SYSTEMS); without it, on any free ports (the tests).
 * `stateDir`: keep each fake's data in `<stateDir>/<system>.json` across restarts; without it, in memory only.
 */
export async function startFakes(env: NodeJS.ProcessEnv = {}, options: { basePort?: number; stateDir?: string } = {}): Promise<Sandbox> {
  const missing = SYSTEMS.filter((s) => !s.configuredBy.some((name) => env[name]));
  const fakes = await Promise.all(missing.map((s) => s.start(options.basePort ? options.basePort + s.offset : 0, options.stateDir && path.join(options.stateDir, `${s.system}.json`))));
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
