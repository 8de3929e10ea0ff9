import {
  DingTalkError,
  type DingTalkApi,
  type DingTalkDepartment,
  type DingTalkDepartmentDetail,
  type DingTalkUserDetail,
  type DingTalkUserPage,
} from '../../integrations/dingtalk/dingtalk-api';

/** A department as the in-memory DingTalk holds it (DingTalk's field names); dept 1 is the root. */
export interface InMemoryDepartment {
  dept_id: number;
  name: string;
  parent_id?: number;
  managerUserIds?: string[];
}

export interface InMemoryUser {
  userid: string;
  unionid?: string;
  name: string;
  mobile?: string;
  email?: string;
  title?: string;
  dept_id_list: number[];
  manager_userid?: string;
}

export interface InMemoryOrg {
  departments: InMemoryDepartment[];
  users: InMemoryUser[];
}

/**
 * The org half of DingTalk in memory (DINGTALK.md "Org"): departments one level at a time, users
 * by pages of at most `pageSize` (so a small org still has several pages), every call logged, and
 * failures injected per call. The card, todo and notice APIs are not here: they refuse.
 */
export class InMemoryDingTalk implements DingTalkApi {
  /** Every org call, as `listDepartmentUsers(2,0)`, in order. */
  readonly calls: string[] = [];
  private readonly failures: Array<{ call: string; error: DingTalkError; times: number }> = [];

  constructor(
    public org: InMemoryOrg,
    private readonly pageSize = 100,
  ) {}

  /** The next `times` calls named `call` (e.g. `listDepartmentUsers(2,0)`) fail with `error` (default: DingTalk answering 502). */
  failNext(call: string, times = 1, error = new DingTalkError(call.replace(/\(.*$/, ''), 'server', 'http_502', 'Bad Gateway', 502)): void {
    this.failures.push({ call, error, times });
  }

  private record(call: string): void {
    this.calls.push(call);
    const failure = this.failures.find((f) => f.call === call && f.times > 0);
    if (failure) {
      failure.times--;
      throw failure.error;
    }
  }

  private department(deptId: number, api: string): InMemoryDepartment {
    const found =
      deptId === 1
        ? (this.org.departments.find((d) => d.dept_id === 1) ?? { dept_id: 1, name: '根部门' })
        : this.org.departments.find((d) => d.dept_id === deptId);
    if (!found) throw new DingTalkError(api, 'not_found', '60003', '部门不存在');
    return found;
  }

  async listSubDepartments(deptId: number): Promise<DingTalkDepartment[]> {
    this.record(`listSubDepartments(${deptId})`);
    this.department(deptId, 'topapi/v2/department/listsub');
    return this.org.departments.filter((d) => d.parent_id === deptId).map((d) => ({ dept_id: d.dept_id, name: d.name, parent_id: deptId }));
  }

  async getDepartment(deptId: number): Promise<DingTalkDepartmentDetail> {
    this.record(`getDepartment(${deptId})`);
    const d = this.department(deptId, 'topapi/v2/department/get');
    return {
      dept_id: d.dept_id,
      name: d.name,
      ...(d.parent_id !== undefined ? { parent_id: d.parent_id } : {}),
      dept_manager_userid_list: d.managerUserIds ?? [],
    };
  }

  async listDepartmentUsers(deptId: number, cursor: number, size: number): Promise<DingTalkUserPage> {
    this.record(`listDepartmentUsers(${deptId},${cursor})`);
    this.department(deptId, 'topapi/v2/user/list');
    const members = this.org.users.filter((u) => u.dept_id_list.includes(deptId));
    const page = members.slice(cursor, cursor + Math.min(size, this.pageSize));
    const next = cursor + page.length;
    return {
      has_more: next < members.length,
      ...(next < members.length ? { next_cursor: next } : {}),
      list: page.map(({ manager_userid: _manager, ...summary }) => ({ ...summary, active: true })),
    };
  }

  async getUser(userId: string): Promise<DingTalkUserDetail> {
    this.record(`getUser(${userId})`);
    const user = this.org.users.find((u) => u.userid === userId);
    if (!user) throw new DingTalkError('topapi/v2/user/get', 'not_found', '60121', '找不到该用户');
    return { ...user, active: true };
  }

  private refuse(api: string): never {
    throw new DingTalkError(api, 'permission', '60011', 'the in-memory DingTalk has only the org');
  }

  createAndDeliverCard(): never {
    return this.refuse('card.createAndDeliver');
  }
  updateCard(): never {
    return this.refuse('card.update');
  }
  registerCardCallback(): never {
    return this.refuse('card.registerCallback');
  }
  createTodo(): never {
    return this.refuse('todo.create');
  }
  completeTodo(): never {
    return this.refuse('todo.complete');
  }
  findTodoBySource(): never {
    return this.refuse('todo.findBySource');
  }
  sendWorkNotification(): never {
    return this.refuse('workNotification.send');
  }
  getUserInfoByAuthCode(): never {
    return this.refuse('topapi/v2/user/getuserinfo');
  }
  openStreamConnection(): never {
    return this.refuse('gateway/connections/open');
  }
}
