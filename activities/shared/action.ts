/**
 * The contract every connector action follows. An action is one thing the engine can do in an external
 * system (`hubspot.moveTicket`, `jira.createTask`, ...): a registered name, a zod input schema that is the
 * single source of its argument type (the definition language checks a step's `with:` against it before
 * anything runs), and an implementation that receives its system's client.
 *
 * Pure module: the definition compiler imports the catalogue built from these objects, so nothing here
 * may perform I/O at import time.
 */
import type { z } from 'zod';

export interface ActionContext {
  /**
   * Stable across retries, replays and continue-as-new of one step execution, and unique to one business run:
   * `<workflowId>:<first run id of the chain>:<activityId>`, so a later instance that reuses the workflow id
   * (the same business key) never finds the earlier run's records. Mutating actions store it in the external
   * system (unique property, label, metadata, Message-ID) so that a retried step never creates a second record.
   */
  idempotencyKey: string;
  /** Aborted when Temporal cancels the activity; pass it to HTTP requests. */
  signal: AbortSignal;
  /**
   * Which attempt of the step this is (1 on the first). A later attempt may follow one whose answer was
   * lost, so a lookup of its earlier work must allow for a vendor's read-after-write lag.
   */
  attempt: number;
  /**
   * What an earlier attempt of this step recorded with `checkpoint` before it was lost (its worker died or
   * stopped heartbeating); undefined on a first attempt. Lets an action skip work that already happened.
   */
  previous?: unknown;
  /**
   * Records progress on the Temporal server (as the activity's heartbeat details) for a later attempt to find
   * in `previous`. Absent outside a Temporal activity (connector tests call actions directly).
   */
  checkpoint?(details: unknown): void;
}

export interface Action<Client, Input extends z.ZodType = z.ZodType, Output = unknown> {
  /** `<system>.<verb><Noun>`, the name a definition's `call:` uses. */
  name: string;
  /** One line for the catalogue, the CLI and editor hints. */
  description: string;
  input: Input;
  /** Mutating actions get retried only through their idempotency key. */
  mutates: boolean;
  /** Named templates the action renders (`with: { template: { name, variables } }`), for the definition checker. */
  templates?: readonly TemplateSignature[];
  /**
   * Events the system's webhook later delivers to the instance that called this action (e.g. a PandaDoc
   * document's `pandadoc-document-completed`): a definition calling it may `wait-for` them without a warning.
   */
  sendsEvents?: readonly string[];
  run(client: Client, input: z.output<Input>, context: ActionContext): Promise<Output>;
}

/** A template as the definition checker sees it: the names it answers to and the variables it needs. */
export interface TemplateSignature {
  id: string;
  label: string;
  variables: readonly string[];
}

/** Declares one action with its input type inferred from the schema. */
export function defineAction<Client, Input extends z.ZodType, Output>(
  action: Action<Client, Input, Output>,
): Action<Client, Input, Output> {
  return action;
}

/** What the definition language needs to know about an action: its name, purpose, input schema and whether it writes. */
export interface ActionSignature {
  name: string;
  description: string;
  input: z.ZodType;
  /** Only actions that merely read may be called over and over by a `poll:` step. */
  mutates?: boolean;
  templates?: readonly TemplateSignature[];
  sendsEvents?: readonly string[];
}

/** An action catalogue keyed by name, as the definition compiler consumes it. */
export type ActionCatalogue = ReadonlyMap<string, ActionSignature>;

export function catalogueOf(actions: Iterable<ActionSignature>): ActionCatalogue {
  const catalogue = new Map<string, ActionSignature>();
  for (const action of actions) {
    if (catalogue.has(action.name)) throw new Error(`action ${action.name} is declared twice`);
    catalogue.set(action.name, { name: action.name, description: action.description, input: action.input, templates: action.templates, mutates: action.mutates, sendsEvents: action.sendsEvents });
  }
  return catalogue;
}

/**
 * Everything the worker needs from one external system: how to read its configuration from the
 * environment, how to build its client and the actions it offers. Its local fake is a program of its own
 * (fakes/<system>/) that publishes the environment variables pointing this connector at it.
 */
export interface Connector<Client, Config> {
  system: string;
  /** Reads credentials and base URLs from the environment; undefined when the system is not configured. */
  configFromEnv(env: NodeJS.ProcessEnv): Config | undefined;
  createClient(config: Config): Client;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  actions: readonly Action<Client, any, any>[];
}
