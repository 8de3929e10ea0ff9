import { randomBytes } from 'node:crypto';

export interface FakeTodo {
  id: string;
  /** The unionId in the path it was created under. */
  ownerUnionId: string;
  /** `?operatorId=` of the create call. */
  creatorId?: string;
  sourceId?: string;
  subject: string;
  description?: string;
  detailUrl: { appUrl: string; pcUrl: string };
  executorIds: string[];
  participantIds: string[];
  dueTime?: number;
  priority?: number;
  done: boolean;
  doneAt?: number;
  /** Per executor (`PUT …/executorStatus`), by unionId. */
  executorStatus: Record<string, boolean>;
  createdTime: number;
  modifiedTime: number;
}

export type NewTodo = Omit<FakeTodo, 'id' | 'done' | 'executorStatus' | 'createdTime' | 'modifiedTime'>;

export interface TodoChange {
  subject?: string;
  description?: string;
  dueTime?: number;
  done?: boolean;
  executorIds?: string[];
  participantIds?: string[];
}

/** The todos DingTalk holds; `sourceId` is unique across them (DingTalk dedupes on it). */
export class TodoBook {
  private readonly todos = new Map<string, FakeTodo>();

  create(todo: NewTodo, at: number): FakeTodo | 'task exist' {
    if (todo.sourceId !== undefined && this.bySource(todo.sourceId)) return 'task exist';
    const created: FakeTodo = { ...todo, id: `task${randomBytes(12).toString('hex')}`, done: false, executorStatus: {}, createdTime: at, modifiedTime: at };
    this.todos.set(created.id, created);
    return created;
  }

  /** A todo `unionId` may see: its owner, an executor or a participant. */
  visibleTo(unionId: string, id: string): FakeTodo | undefined {
    const todo = this.todos.get(id);
    return todo && involves(todo, unionId) ? todo : undefined;
  }

  bySourceFor(unionId: string, sourceId: string): FakeTodo | undefined {
    const todo = this.bySource(sourceId);
    return todo && involves(todo, unionId) ? todo : undefined;
  }

  update(todo: FakeTodo, change: TodoChange, at: number): void {
    if (change.subject !== undefined) todo.subject = change.subject;
    if (change.description !== undefined) todo.description = change.description;
    if (change.dueTime !== undefined) todo.dueTime = change.dueTime;
    if (change.executorIds !== undefined) todo.executorIds = [...change.executorIds];
    if (change.participantIds !== undefined) todo.participantIds = [...change.participantIds];
    if (change.done !== undefined && change.done !== todo.done) {
      todo.done = change.done;
      if (change.done) todo.doneAt = at;
      else delete todo.doneAt;
    }
    todo.modifiedTime = at;
  }

  setExecutorStatus(todo: FakeTodo, statuses: Array<{ id: string; isDone: boolean }>, at: number): void {
    for (const { id, isDone } of statuses) todo.executorStatus[id] = isDone;
    todo.modifiedTime = at;
  }

  delete(id: string): void {
    this.todos.delete(id);
  }

  /** The todos `unionId` is the owner, an executor or a participant of, oldest first. */
  of(unionId: string): FakeTodo[] {
    return structuredClone([...this.todos.values()].filter((t) => involves(t, unionId)));
  }

  all(): FakeTodo[] {
    return structuredClone([...this.todos.values()]);
  }

  private bySource(sourceId: string): FakeTodo | undefined {
    for (const todo of this.todos.values()) if (todo.sourceId === sourceId) return todo;
    return undefined;
  }
}

function involves(todo: FakeTodo, unionId: string): boolean {
  return todo.ownerUnionId === unionId || todo.executorIds.includes(unionId) || todo.participantIds.includes(unionId);
}

/** Whether `unionId` has it done: everyone's `done`, or their own executor status. */
export function isTodoDoneFor(todo: FakeTodo, unionId: string): boolean {
  return todo.done || todo.executorStatus[unionId] === true;
}
