import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../../db/client';
import { findErpSystem, type ErpSystem } from '../../db/erp-systems';
import type { ErpHttpOperation } from '../../db/schema';
import type { SecretBox } from '../../db/secret-box';
import type { ServiceCall } from '../../engine/dsl';
import { classifyErpStatus, ErpUnreachableError, sendErpRequest } from '../../integrations/erp/erp-request';
import type { TemplateContext } from '../../engine/template-context';

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
    async callErpOperation(input: ErpCallInput): Promise<ErpCallResult> {
      const system = await systemNamed(input.call.system);
      const operation = system.operations[input.call.operation];
      if (!operation) {
        throw ApplicationFailure.create({
          type: 'ErpNotConfigured',
          message: `ERP system "${system.code}" has no operation "${input.call.operation}"`,
          nonRetryable: true,
        });
      }
      return send(system, operation, input.context, input.idempotencyKey, `${system.code}.${input.call.operation}`);
    },

    /** The source document's update when the instance ends; a system without `writeBack` (any more) is skipped. */
    async writeBackToErp(input: WriteBackInput): Promise<ErpCallResult | { skipped: string }> {
      const system = await systemNamed(input.system);
      if (!system.writeBack) return { skipped: `ERP system "${system.code}" has no writeBack configured` };
      return send(system, system.writeBack, input.context, input.idempotencyKey, `${system.code} write-back`);
    },
  };
}

async function send(system: ErpSystem, operation: ErpHttpOperation, context: TemplateContext, idempotencyKey: string, what: string): Promise<ErpCallResult> {
  let response;
  try {
    response = await sendErpRequest(system, operation, context, idempotencyKey);
  } catch (err) {
    if (err instanceof ErpUnreachableError) throw ApplicationFailure.create({ type: 'ErpUnreachable', message: `${what}: ${err.message}` });
    throw err;
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
