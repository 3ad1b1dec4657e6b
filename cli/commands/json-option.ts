/** Options such as --input and --form carry JSON; a typo gets a sentence naming the option. */
import { UsageError, type Values } from '../command';

export function jsonOption(value: Values[string], option: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(String(value));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('expected a JSON object');
    return parsed;
  } catch (error) {
    throw new UsageError(`--${option} is not a JSON object: ${(error as Error).message}`);
  }
}
