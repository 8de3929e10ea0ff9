import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { FlowDefinition, FlowNode } from '../../engine/dsl';
import { testForm, uid } from './fixtures';

/**
 * Real runs are recorded, with RECORD_HISTORIES=1 (`npm run record:histories`), into
 * test/fixtures/histories/<generation>; replay.int.test.ts replays every generation against the
 * current workflow code, so a change that would break running instances fails the build. Histories
 * of earlier generations stay as they were recorded.
 */
export const GENERATION = 'engine-v2.8-local-lookups';
const RECORD_DIR = path.resolve(__dirname, '../fixtures/histories', GENERATION);

/** Waits for the run to close (the latest run unless `runId` names one), then records its history. */
export async function recordHistory(temporal: Client, name: string, instanceId: string, runId?: string): Promise<void> {
  const handle = temporal.workflow.getHandle(instanceId, runId);
  if (!runId) await handle.result();
  if (process.env.RECORD_HISTORIES !== '1') return;
  mkdirSync(RECORD_DIR, { recursive: true });
  writeFileSync(path.join(RECORD_DIR, `${name}.json`), `${historyToJSON(await handle.fetchHistory())}\n`);
}

/** The org the recorded scenarios run in. */
export const recordingOrg = [
  { id: 'r_initiator', name: '发起人', deptIds: ['rd'], managerId: 'r_mgr' },
  { id: 'r_a', name: '甲', deptIds: ['rd'], managerId: 'r_boss' },
  { id: 'r_b', name: '乙', deptIds: ['rd'] },
  { id: 'r_c', name: '丙', deptIds: ['rd'] },
  { id: 'r_d', name: '丁', deptIds: ['rd'] },
  { id: 'r_mgr', name: '主管', deptIds: ['rd'], managerId: 'r_boss', title: '经理' },
  { id: 'r_boss', name: '总监', deptIds: ['rd'], title: '总监' },
  { id: 'r_fin', name: '财务', deptIds: ['rd'], roles: ['finance'] },
  { id: 'r_admin', name: '管理员', deptIds: ['rd'], roles: ['approval_admin'] },
];

/** `start → nodes… → end`, each node naming its own `next`. */
export function recordedFlow(prefix: string, nodes: FlowNode[], extra: Partial<FlowDefinition> = {}): FlowDefinition {
  return {
    code: uid(prefix),
    name: `录制 ${prefix}`,
    form: testForm,
    nodes: [{ id: 'start', type: 'start', next: nodes[0]!.id }, ...nodes, { id: 'end', type: 'end' }],
    ...extra,
  };
}

export const recordedApproval = (
  id: string,
  ids: string[],
  mode: 'all' | 'any' | 'sequential' | 'vote',
  next: string,
  extra: Record<string, unknown> = {},
): FlowNode => ({ id, type: 'approval', name: id, approvers: { type: 'users', ids }, mode, next, ...extra }) as FlowNode;
