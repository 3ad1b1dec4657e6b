/** What a command is: its name, one line for the overview, its usage and options, and what it does. */
import type { ParseArgsConfig } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Extra lines for `--help`: what the options mean, an example. */
  help?: string;
  options?: Options;
  /** Resolves to the exit status: 0 done, 1 refused or failed, 2 wrong usage. */
  run(positionals: string[], values: Values): Promise<number>;
}

/** Thrown for wrong usage: printed with the command's usage line, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Thrown for something the user can fix (a missing file, an unreachable server): printed as is, exit status 1. */
export class PlainError extends Error {
  override name = 'PlainError';
}
