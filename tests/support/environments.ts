/**
 * Real Temporal servers for the test suites, obtained the way the product obtains them
 * (client/temporal-servers.ts): the Java time-skipping server for deadline-heavy scenarios, and the
 * CLI's dev server for visibility, restarts and durability.
 */
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerExecutable, testServerExecutable } from '../../client/temporal-servers';
import { searchAttributes } from '../../workflows/messages';

const { IndexedValueType } = temporal.api.enums.v1;
const INDEXED_TYPE: Partial<Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType>> = {
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.KEYWORD_LIST]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  [SearchAttributeType.DATETIME]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

/** The time-skipping server has none of the project's search attributes until they are added. */
export async function timeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const env = await startingAgain(() => TestWorkflowEnvironment.createTimeSkipping({ server: { executable: testServerExecutable() } }));
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(Object.values(searchAttributes).map((key) => [key.name, INDEXED_TYPE[key.type]!])),
  });
  return env;
}

export async function devServerEnvironment(options: { dbFilename?: string; extraArgs?: string[] } = {}): Promise<TestWorkflowEnvironment> {
  return startingAgain(() => TestWorkflowEnvironment.createLocal({
    server: {
      executable: devServerExecutable(),
      searchAttributes: Object.values(searchAttributes),
      dbFilename: options.dbFilename,
      extraArgs: options.extraArgs,
    },
  }));
}

/**
 * The SDK gives a server five seconds to answer (and its client ten to connect), which a busy two-core
 * machine (a JVM starting, another suite's server) can miss; such a start is tried again, twice at most.
 * Any other failure is thrown as is.
 */
async function startingAgain(start: () => Promise<TestWorkflowEnvironment>): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt === 3 || !/did not start within|Failed to connect before the deadline/.test(String(err))) throw err;
    }
  }
}
