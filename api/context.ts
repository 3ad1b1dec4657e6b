/** What every route plugin is given: the Temporal client, the definitions, the people and where uploads go. */
import type { Client } from '@temporalio/client';
import type { CompiledDefinition } from '../dsl/compile';
import type { Directory } from '../directory/model';

export interface ApiContext {
  client: Client;
  /** The definitions instances may be started from, by process name. */
  registry: ReadonlyMap<string, CompiledDefinition>;
  /** The folder the registry was loaded from (definition checks compile against its neighbours). */
  definitionsDir: string;
  directory: Directory;
  uploadsDir: string;
  /** Largest accepted upload, in bytes. */
  maxUploadBytes: number;
}

/** Applied to every route that changes something: limits count per signed-in credential. */
export const WRITE = { rateLimit: {} } as const;
