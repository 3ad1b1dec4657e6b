/**
 * Jira Cloud configuration read from the environment: the site URL and the basic-auth pair (account e-mail
 * plus API token). The token never leaves this object except inside jira.js's Authorization header.
 */
import { z } from 'zod';

export const JiraConfigSchema = z.object({
  /** Site URL, e.g. `https://everbright.atlassian.net`; jira.js sends every request relative to it. */
  host: z.string().url(),
  email: z.string().min(1),
  apiToken: z.string().min(1),
  /** How long one API call may take before the activity attempt gives up on it. */
  timeoutMs: z.coerce.number().int().positive().default(15_000),
  /** Secret of the admin webhook; Jira signs deliveries with it (X-Hub-Signature). */
  webhookSecret: z.string().min(1).optional(),
  /**
   * How long JQL search may lag behind a create (Jira's search is eventually consistent). A retried create
   * keeps looking for its earlier issue this long before creating one.
   */
  searchLagMs: z.coerce.number().int().nonnegative().default(5_000),
});
export type JiraConfig = z.infer<typeof JiraConfigSchema>;

/** Reads JIRA_HOST, JIRA_EMAIL, JIRA_API_TOKEN, JIRA_TIMEOUT_MS, JIRA_WEBHOOK_SECRET, JIRA_SEARCH_LAG_MS; undefined without JIRA_HOST. */
export function configFromEnv(env: NodeJS.ProcessEnv): JiraConfig | undefined {
  if (!env.JIRA_HOST) return undefined;
  const parsed = JiraConfigSchema.safeParse({
    host: env.JIRA_HOST,
    email: env.JIRA_EMAIL,
    apiToken: env.JIRA_API_TOKEN,
    timeoutMs: env.JIRA_TIMEOUT_MS || undefined,
    webhookSecret: env.JIRA_WEBHOOK_SECRET || undefined,
    searchLagMs: env.JIRA_SEARCH_LAG_MS || undefined,
  });
  // Name the bad variable, never its value: the value may be a credential.
  if (!parsed.success) {
    const names: Record<string, string> = { host: 'JIRA_HOST', email: 'JIRA_EMAIL', apiToken: 'JIRA_API_TOKEN', timeoutMs: 'JIRA_TIMEOUT_MS', webhookSecret: 'JIRA_WEBHOOK_SECRET', searchLagMs: 'JIRA_SEARCH_LAG_MS' };
    throw new Error(`invalid Jira configuration: check ${parsed.error.issues.map((i) => names[String(i.path[0])] ?? i.path.join('.')).join(', ')}`);
  }
  return parsed.data;
}
