import type { Db } from '../../db/client';
import { enqueueNotifications } from '../../db/notifications';

export interface NotifyInput {
  /** Identifies this notification within the instance; each recipient's row is keyed `${key}:${recipientId}`. */
  key: string;
  instanceId: string;
  kind: string;
  recipients: string[];
  nodeId?: string;
  /**
   * The tasks concerned, kept in every row's payload as `taskIds`. When there is one per recipient
   * (same length, same order) each row also gets its recipient's task as `taskId`.
   */
  taskIds?: string[];
  title: string;
  payload?: Record<string, unknown>;
}

/** Writes notifications to the outbox a sender delivers from; a retried activity adds nothing twice. */
export function createNotifyActivities(db: Db) {
  return {
    async notify(input: NotifyInput): Promise<{ inserted: number }> {
      const { taskIds } = input;
      const onePerRecipient = taskIds !== undefined && taskIds.length === input.recipients.length;
      const payload = { ...(taskIds ? { taskIds } : {}), ...input.payload };
      const rows = input.recipients.map((recipientId, i) => ({
        key: `${input.key}:${recipientId}`,
        instanceId: input.instanceId,
        kind: input.kind,
        recipientId,
        nodeId: input.nodeId ?? null,
        taskId: onePerRecipient ? (taskIds[i] ?? null) : null,
        title: input.title,
        payload,
      }));
      return { inserted: await enqueueNotifications(db, rows) };
    },
  };
}
