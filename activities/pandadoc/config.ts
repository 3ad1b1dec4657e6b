/**
 * PandaDoc configuration read from the environment. PandaDoc authenticates with `Authorization: API-Key
 * <key>` (PandaDoc API reference, "Authentication: API Key"); webhooks are signed with the subscription's
 * shared key (see webhook.ts).
 */
import { z } from 'zod';

export const PandaDocConfigSchema = z.object({
  apiKey: z.string().min(1),
  /** `https://api.pandadoc.com`; paths such as `/public/v1/documents` are appended to it. */
  baseUrl: z.string().url().default('https://api.pandadoc.com'),
  /** The webhook subscription's shared key (Developer Dashboard); verifies `?signature=`. */
  webhookKey: z.string().min(1).optional(),
  timeoutMs: z.coerce.number().int().positive().default(15_000),
});
export type PandaDocConfig = z.infer<typeof PandaDocConfigSchema>;

const VARIABLES: Record<keyof PandaDocConfig, string> = {
  apiKey: 'PANDADOC_API_KEY',
  baseUrl: 'PANDADOC_BASE_URL',
  webhookKey: 'PANDADOC_WEBHOOK_KEY',
  timeoutMs: 'PANDADOC_TIMEOUT_MS',
};

/** Reads the PANDADOC_* variables above; undefined when PANDADOC_API_KEY is not set. */
export function configFromEnv(env: NodeJS.ProcessEnv): PandaDocConfig | undefined {
  if (!env.PANDADOC_API_KEY) return undefined;
  const parsed = PandaDocConfigSchema.safeParse(Object.fromEntries(Object.entries(VARIABLES).map(([key, name]) => [key, env[name] || undefined])));
  // Name the bad variable, never its value: the value may be a credential.
  if (!parsed.success) throw new Error(`invalid PandaDoc configuration: check ${parsed.error.issues.map((i) => VARIABLES[i.path[0] as keyof PandaDocConfig]).join(', ')}`);
  return parsed.data;
}
