import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Worker } from '@temporalio/worker';
import type { FlowDefinition } from '../../engine/dsl';
import type { InstanceView } from '../../engine/instance-view';
import { startTracing, workflowTracingSinks, type Tracing } from '../../observability/tracing';
import { expectOk, instancePath, pollUntil, publishFlow, startBody, syncTestUsers, testForm, uid, waitForView } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * SPEC §9: with tracing on, one action over HTTP is one trace, from the API's server span through
 * the Temporal client's update and the workflow's update handler to the activities that action
 * caused — although the workflow runs those from its main loop, after the handler has queued them.
 */
const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let stack: TestStack;
let flowCode: string;

const chain = (code: string): FlowDefinition => ({
  code,
  name: `追踪 ${code}`,
  form: testForm,
  nodes: [
    { id: 'start', type: 'start', next: 'first' },
    { id: 'first', type: 'approval', name: '一审', approvers: { type: 'users', ids: ['u_a'] }, mode: 'any', next: 'second' },
    { id: 'second', type: 'approval', name: '二审', approvers: { type: 'users', ids: ['u_b'] }, mode: 'any', next: 'end' },
    { id: 'end', type: 'end' },
  ],
});

beforeAll(async () => {
  tracing = startTracing({ spanProcessor: new SimpleSpanProcessor(exporter) })!;
  stack = await startTestStack({ tracing });
  await syncTestUsers(stack.api);
  flowCode = uid('trace');
  await publishFlow(stack.api, chain(flowCode));
});
afterAll(async () => {
  await stack?.stop();
  await tracing?.shutdown();
});

const named = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const childrenOf = (spans: ReadableSpan[], parent: ReadableSpan, name: string) =>
  named(spans, name).filter((s) => s.parentSpanId === parent.spanContext().spanId && s.spanContext().traceId === parent.spanContext().traceId);

describe('tracing', () => {
  it('one approve over HTTP is one trace: server span → update → handler → the activities it caused', async () => {
    const started = await expectOk<{ instanceId: string }>(stack.api.request('POST', '/api/v1/instances', startBody(flowCode)), 201);
    const instanceId = started.instanceId;
    const first = await waitForView(stack.api, instanceId, (v) => v.tasks.some((t) => t.assigneeId === 'u_a' && t.status === 'pending'));
    exporter.reset();

    const requestId = uid('trace-req');
    const body = JSON.stringify({ type: 'approve', actionId: uid('act'), actorId: 'u_a', taskId: first.tasks[0]!.taskId });
    const answered = await stack.api.requestRaw<InstanceView>('POST', `${instancePath(instanceId)}/actions`, body, { 'X-Request-Id': requestId });
    expect(answered.status).toBe(200);
    expect(answered.body.tasks.some((t) => t.assigneeId === 'u_b' && t.status === 'pending')).toBe(true);

    // Workflow spans leave the sandbox after their activation: wait for the lookup the approve caused.
    const spans = await pollUntil(
      'the spans of the approve',
      async () => exporter.getFinishedSpans(),
      (all) =>
        named(all, 'RunActivity:resolveApprovers').length > 0 &&
        named(all, 'HandleUpdate:act').length > 0 &&
        named(all, 'RunActivity:projectInstance').length > 0,
    );

    const [server, ...otherServers] = spans.filter((s) => s.kind === SpanKind.SERVER && s.name === 'POST /api/v1/instances/{id}/actions');
    expect(otherServers).toEqual([]);
    expect(server!.attributes).toMatchObject({ 'http.route': '/api/v1/instances/{id}/actions', 'http.response.status_code': 200, requestId });
    expect(server!.parentSpanId).toBeUndefined();
    const traceId = server!.spanContext().traceId;
    const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);

    const [update] = childrenOf(inTrace, server!, 'StartWorkflowUpdate:act');
    expect(update).toBeDefined();
    const [handler] = childrenOf(inTrace, update!, 'HandleUpdate:act');
    expect(handler).toBeDefined();
    expect(handler!.resource.attributes['service.name']).toBe('approval-worker');
    expect(server!.resource.attributes['service.name']).toBe('approval-api');

    // The next node's approver lookup and the projection write, both run by the main loop, are the handler's.
    for (const activity of ['resolveApprovers', 'projectInstance']) {
      const scheduled = childrenOf(inTrace, handler!, `StartActivity:${activity}`);
      expect(scheduled.length).toBeGreaterThanOrEqual(1);
      const ran = scheduled.flatMap((s) => childrenOf(inTrace, s, `RunActivity:${activity}`));
      expect(ran.length).toBeGreaterThanOrEqual(1);
      expect(ran[0]!.attributes.temporalWorkflowId).toBe(instanceId);
    }
    // Nothing of this action landed in another trace.
    const elsewhere = spans.filter((s) => s.spanContext().traceId !== traceId && /HandleUpdate|resolveApprovers/.test(s.name));
    expect(elsewhere.map((s) => s.name)).toEqual([]);

    // A traced history (its headers hold the trace context and the request id) replays, on a worker without tracing too.
    const history = await stack.temporal.workflow.getHandle(instanceId).fetchHistory();
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, sinks: workflowTracingSinks(undefined) },
      history,
      'traced',
    );
  });
});
