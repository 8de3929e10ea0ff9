import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../../db/client';
import { findErpSystem, type ErpSystem } from '../../db/erp-systems';
import type { ErpHttpOperation } from '../../db/schema';
import type { SecretBox } from '../../db/secret-box';
import type { ServiceCall } from '../../engine/dsl';
import { classifyErpStatus, ErpUnreachableError, sendErpRequest } from '../../integrations/erp/erp-request';
import type { TemplateContext } from '../../engine/template-context';
import { compensations, erpCallDuration, erpCalls, type ErpCallKind, type ErpCallOutcome } from '../../observability/metrics';
import { isLastAttempt } from '../last-attempt';

export interface ErpCallInput {
  call: ServiceCall;
  /** `{instanceId}:{nodeId}:{call|compensate}` (SPEC §8), so the ERP can dedupe retries. */
  idempotencyKey: string;
  context: TemplateContext;
}

export interface WriteBackInput {
  system: string;
  idempotencyKey: string;
  context: TemplateContext;
}

export interface ErpCallResult {
  status: number;
  response?: unknown;
}

/**
 * Calls to the ERP systems registered with `POST /systems`: service node operations, their
 * compensations and the write-back. 2xx is success; a 4xx other than 408/429 fails for good
 * (`ErpRejected`); everything else is retried by Temporal with backoff.
 */
export function createErpActivities(db: Db, secretBox: SecretBox) {
  const systemNamed = async (code: string): Promise<ErpSystem> => {
    const system = await findErpSystem(db, secretBox, code);
    if (!system) throw ApplicationFailure.create({ type: 'ErpNotConfigured', message: `no ERP system "${code}" is registered`, nonRetryable: true });
    return system;
  };
  return {
    /** A service node's call, or (its idempotency key ending in `:compensate`) the compensation of one. */
    async callErpOperation(input: ErpCallInput): Promise<ErpCallResult> {
      const kind: ErpCallKind = input.idempotencyKey.endsWith(':compensate') ? 'compensate' : 'service';
      const answer = counted(kind, async () => {
        const system = await systemNamed(input.call.system);
        const operation = system.operations[input.call.operation];
        if (!operation) {
          throw ApplicationFailure.create({
            type: 'ErpNotConfigured',
            message: `ERP system "${system.code}" has no operation "${input.call.operation}"`,
            nonRetryable: true,
          });
        }
        return send(kind, system, operation, input.context, input.idempotencyKey, `${system.code}.${input.call.operation}`);
      });
      if (kind === 'compensate') countCompensation(answer);
      return answer;
    },

    /** The source document's update when the instance ends; a system without `writeBack` (any more) is skipped. */
    async writeBackToErp(input: WriteBackInput): Promise<ErpCallResult | { skipped: string }> {
      return counted('write_back', async () => {
        const system = await systemNamed(input.system);
        if (!system.writeBack) return { skipped: `ERP system "${system.code}" has no writeBack configured` };
        return send('write_back', system, system.writeBack, input.context, input.idempotencyKey, `${system.code} write-back`);
      });
    },
  };
}

const OUTCOME_OF_FAILURE: Readonly<Record<string, ErpCallOutcome>> = {
  ErpRejected: 'rejected',
  ErpUnavailable: 'unavailable',
  ErpUnreachable: 'unreachable',
  ErpNotConfigured: 'not_configured',
};

/** One call attempt, counted by its outcome (a skipped write-back calls nothing and counts nothing). */
async function counted<T>(kind: ErpCallKind, call: () => Promise<T>): Promise<T> {
  try {
    const answer = await call();
    if (!(typeof answer === 'object' && answer !== null && 'skipped' in answer)) erpCalls.inc({ kind, result: 'ok' });
    return answer;
  } catch (err) {
    const outcome = err instanceof ApplicationFailure && err.type && Object.hasOwn(OUTCOME_OF_FAILURE, err.type) ? OUTCOME_OF_FAILURE[err.type] : undefined;
    erpCalls.inc({ kind, result: outcome ?? 'error' });
    throw err;
  }
}

/** A compensation is done when it succeeds, or failed for good when no retry is left (the instance then waits for ops). */
function countCompensation(answer: Promise<unknown>): void {
  answer.then(
    () => compensations.inc({ result: 'compensated' }),
    (err: unknown) => {
      if ((err instanceof ApplicationFailure && err.nonRetryable) || isLastAttempt()) compensations.inc({ result: 'failed' });
    },
  );
}

async function send(
  kind: ErpCallKind,
  system: ErpSystem,
  operation: ErpHttpOperation,
  context: TemplateContext,
  idempotencyKey: string,
  what: string,
): Promise<ErpCallResult> {
  let response;
  const started = performance.now();
  try {
    response = await sendErpRequest(system, operation, context, idempotencyKey);
  } catch (err) {
    if (err instanceof ErpUnreachableError) throw ApplicationFailure.create({ type: 'ErpUnreachable', message: `${what}: ${err.message}` });
    throw err;
  } finally {
    erpCallDuration.observe({ kind }, (performance.now() - started) / 1000);
  }
  const verdict = classifyErpStatus(response.status);
  if (verdict === 'ok') return { status: response.status, ...(response.body !== undefined && response.body !== '' ? { response: response.body } : {}) };
  const excerpt = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  throw ApplicationFailure.create({
    type: verdict === 'final' ? 'ErpRejected' : 'ErpUnavailable',
    message: `${what} answered ${response.status}${excerpt ? `: ${excerpt.slice(0, 300)}` : ''}`,
    nonRetryable: verdict === 'final',
    details: [{ status: response.status }],
  });
}
