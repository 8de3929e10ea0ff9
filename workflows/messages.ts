import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ActionRequest } from '../engine/action-request';
import type { ReassignRequest, TerminateRequest } from '../engine/interventions';
import type { InstanceView, TimelineView } from '../engine/instance-view';

/** Names shared by the workflow and its clients (the API). */
export const APPROVAL_WORKFLOW_TYPE = 'approvalWorkflow';

/** A human action (approve, reject, transfer …). The update id is the request's `actionId`. */
export const actUpdate = defineUpdate<InstanceView, [ActionRequest]>('act');

/** An admin's 强制终止: open tasks cancelled, compensations run, the instance ends `terminated`. The update id is `terminate:{requestId}`. */
export const terminateUpdate = defineUpdate<InstanceView, [TerminateRequest]>('terminate');

/** An admin's 修改审批人: an open task moves to another user. The update id is `reassign:{requestId}`. */
export const reassignUpdate = defineUpdate<InstanceView, [ReassignRequest]>('reassign');

/** Ops: run the failed compensations of a `compensation_failed` instance again. The update id is the request id. */
export const retryCompensationsUpdate = defineUpdate<InstanceView, [{ actorId: string }]>('retryCompensations');

/** An org push deactivated these users: their open tasks here go where their nodes' `onEmpty` points. */
export const assigneesDepartedSignal = defineSignal<[{ userIds: string[] }]>('assigneesDeparted');

export const instanceViewQuery = defineQuery<InstanceView>('instanceView');

export const timelineQuery = defineQuery<TimelineView>('timeline');
