import type { Db } from '../../db/client';
import { findFormFields, findPeople, type DingTalkPerson } from '../../db/dingtalk-channel';
import type { InstanceView } from '../../engine/instance-view';
import type { CardContext } from './approval-card';

/** What a card of this instance needs besides the instance: the form's labels and everyone's names (and DingTalk ids). */
export async function loadCardContext(
  db: Db,
  view: InstanceView,
  publicBaseUrl: string,
): Promise<{ context: CardContext; people: Map<string, DingTalkPerson> }> {
  const [formFields, people] = await Promise.all([
    findFormFields(db, view.flowCode, view.flowVersion),
    findPeople(db, [view.initiatorId, ...view.tasks.map((t) => t.assigneeId)]),
  ]);
  return { context: { view, formFields, names: new Map([...people].map(([id, p]) => [id, p.name])), publicBaseUrl }, people };
}
