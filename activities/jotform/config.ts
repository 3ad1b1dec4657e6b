/**
 * JotForm configuration read from the environment. JotForm serves each account from one region: the US API
 * `https://api.jotform.com`, the EU API `https://eu-api.jotform.com` (EverBright's Channel Partner Form is
 * on eu.jotform.com, seed 002) or the HIPAA API `https://hipaa-api.jotform.com` (JotForm API docs,
 * "Overview"). The key goes in the `APIKEY` header ("Authentication").
 */
import { z } from 'zod';

const REGION_URLS = { us: 'https://api.jotform.com', eu: 'https://eu-api.jotform.com', hipaa: 'https://hipaa-api.jotform.com' } as const;

export const JotFormConfigSchema = z
  .object({
    apiKey: z.string().min(1),
    region: z.enum(['us', 'eu', 'hipaa']).default('eu'),
    /** Overrides the region's URL (the local fake). */
    baseUrl: z.string().url().optional(),
    /** The forms whose submissions may start a process; a delivery for another form is ignored. */
    formIds: z.array(z.string().regex(/^\d+$/, 'a numeric JotForm form id')).default([]),
    /** Unguessable token in the webhook URL path: JotForm signs nothing. */
    webhookToken: z.string().min(16).optional(),
    timeoutMs: z.coerce.number().int().positive().default(15_000),
  })
  .transform((c) => ({ ...c, baseUrl: c.baseUrl ?? REGION_URLS[c.region] }));
export type JotFormConfig = z.output<typeof JotFormConfigSchema>;

const VARIABLES = {
  apiKey: 'JOTFORM_API_KEY',
  region: 'JOTFORM_REGION',
  baseUrl: 'JOTFORM_BASE_URL',
  formIds: 'JOTFORM_FORM_IDS',
  webhookToken: 'JOTFORM_WEBHOOK_TOKEN',
  timeoutMs: 'JOTFORM_TIMEOUT_MS',
} as const;

/** Reads the JOTFORM_* variables above (JOTFORM_FORM_IDS comma-separated); undefined without JOTFORM_API_KEY. */
export function configFromEnv(env: NodeJS.ProcessEnv): JotFormConfig | undefined {
  if (!env.JOTFORM_API_KEY) return undefined;
  const values: Record<string, unknown> = Object.fromEntries(Object.entries(VARIABLES).map(([key, name]) => [key, env[name] || undefined]));
  values.formIds = typeof values.formIds === 'string' ? values.formIds.split(',').map((id) => id.trim()).filter(Boolean) : undefined;
  const parsed = JotFormConfigSchema.safeParse(values);
  // Name the bad variable, never its value: the value may be a credential.
  if (!parsed.success) throw new Error(`invalid JotForm configuration: check ${parsed.error.issues.map((i) => VARIABLES[i.path[0] as keyof typeof VARIABLES]).join(', ')}`);
  return parsed.data;
}
