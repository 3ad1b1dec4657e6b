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
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: testServerExecutable() } });
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(Object.values(searchAttributes).map((key) => [key.name, INDEXED_TYPE[key.type]!])),
  });
  return env;
}

export async function devServerEnvironment(options: { dbFilename?: string; extraArgs?: string[] } = {}): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: devServerExecutable(),
      searchAttributes: Object.values(searchAttributes),
      dbFilename: options.dbFilename,
      extraArgs: options.extraArgs,
    },
  });
}
