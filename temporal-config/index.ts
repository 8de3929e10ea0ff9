import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { RetryPolicy } from '@temporalio/common';

/** The task queue every approval workflow and its activities run on. */
export const TASK_QUEUE = 'approvals';

export const DEFAULT_NAMESPACE = 'default';

/**
 * Search attributes of SPEC §9, registered by the dev-server launcher and by compose.
 * The CLI spells the types `Keyword`/`KeywordList`; the SDK spells them KEYWORD/KEYWORD_LIST.
 */
export const searchAttributes = {
  flowCode: defineSearchAttributeKey('ApprovalFlowCode', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('ApprovalStatus', SearchAttributeType.KEYWORD),
  businessKey: defineSearchAttributeKey('ApprovalBusinessKey', SearchAttributeType.KEYWORD),
  initiator: defineSearchAttributeKey('ApprovalInitiator', SearchAttributeType.KEYWORD),
  assignees: defineSearchAttributeKey('ApprovalAssignees', SearchAttributeType.KEYWORD_LIST),
  sourceSystem: defineSearchAttributeKey('ApprovalSourceSystem', SearchAttributeType.KEYWORD),
} as const;

const cliTypeNames: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/** `NAME=Type` pairs as `temporal server start-dev --search-attribute` and `temporal operator` take them. */
export function searchAttributeCliPairs(): string[] {
  return Object.values(searchAttributes).map((key) => {
    const cliType = cliTypeNames[key.type];
    if (!cliType) throw new Error(`no CLI name for search attribute type ${key.type}`);
    return `${key.name}=${cliType}`;
  });
}

/** Activity failure types that no retry can fix (the retry policies name them non-retryable). */
export const finalFailureTypes = {
  /** The ERP refused (a 4xx other than 408/429), or the system / operation is not registered. */
  erp: ['ErpRejected', 'ErpNotConfigured'],
  /** The receiver refused (a 4xx other than 408/429), or the app that signs is gone. */
  webhook: ['WebhookRejected', 'WebhookAppUnknown'],
};

/** Retry policies, by what the activity talks to. */
export const retryPolicies = {
  /** Postgres reads and projection writes: short outages heal fast. */
  database: {
    initialInterval: '200ms',
    backoffCoefficient: 2,
    maximumInterval: '10s',
  },
  /** Calls to systems we do not own (ERP, DingTalk): back off longer, give up after a day. */
  external: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '5m',
  },
} satisfies Record<string, RetryPolicy>;
