import type { DingTalkDepartment, DingTalkDepartmentDetail, DingTalkUserDetail, DingTalkUserSummary } from '../../integrations/dingtalk/dingtalk-api';

export interface FakeDepartment {
  dept_id: number;
  name: string;
  /** Omitted: directly under the root department. */
  parent_id?: number;
  managerUserIds?: string[];
}

export interface FakeUser {
  userid: string;
  unionid: string;
  name: string;
  mobile?: string;
  email?: string;
  title?: string;
  dept_id_list: number[];
  manager_userid?: string;
  /** Default true. */
  active?: boolean;
  admin?: boolean;
}

/** The company's contacts as DingTalk holds them. */
export interface FakeOrg {
  departments: FakeDepartment[];
  users: FakeUser[];
}

/** DingTalk's root department, which every org has. */
export const ROOT_DEPT_ID = 1;
const ROOT_DEPT_NAME = '全员';

/** The org behind the contact APIs, 免登 and the ids cards, todos and notices are addressed to. */
export class OrgDirectory {
  private departments = new Map<number, FakeDepartment>();
  private usersById = new Map<string, FakeUser>();

  constructor(org?: FakeOrg) {
    if (org) this.set(org);
  }

  set(org: FakeOrg): void {
    this.departments = new Map(org.departments.map((d) => [d.dept_id, structuredClone(d)]));
    this.usersById = new Map();
    for (const user of org.users) this.addUser(user);
  }

  /** Adds the user, or replaces the one with the same userid. */
  addUser(user: FakeUser): void {
    const taken = this.userByUnionId(user.unionid);
    if (taken && taken.userid !== user.userid) throw new Error(`unionid ${user.unionid} already belongs to ${taken.userid}`);
    this.usersById.set(user.userid, structuredClone(user));
  }

  snapshot(): FakeOrg {
    return { departments: structuredClone([...this.departments.values()]), users: this.users() };
  }

  users(): FakeUser[] {
    return structuredClone([...this.usersById.values()]);
  }

  userById(userid: string): FakeUser | undefined {
    return this.usersById.get(userid);
  }

  userByUnionId(unionid: string): FakeUser | undefined {
    for (const user of this.usersById.values()) if (user.unionid === unionid) return user;
    return undefined;
  }

  /** The user a card addresses: by userId (userIdType 1) or unionId (2). */
  userByCardId(id: string, userIdType: 1 | 2): FakeUser | undefined {
    return userIdType === 2 ? this.userByUnionId(id) : this.userById(id);
  }

  department(deptId: number): FakeDepartment | undefined {
    if (deptId === ROOT_DEPT_ID) return this.departments.get(ROOT_DEPT_ID) ?? { dept_id: ROOT_DEPT_ID, name: ROOT_DEPT_NAME };
    return this.departments.get(deptId);
  }

  /** One level down, in the order the org lists them. */
  subDepartments(deptId: number): DingTalkDepartment[] {
    return [...this.departments.values()]
      .filter((d) => d.dept_id !== ROOT_DEPT_ID && (d.parent_id ?? ROOT_DEPT_ID) === deptId)
      .map((d) => ({ dept_id: d.dept_id, name: d.name, parent_id: d.parent_id ?? ROOT_DEPT_ID }));
  }

  departmentDetail(deptId: number): DingTalkDepartmentDetail | undefined {
    const dept = this.department(deptId);
    if (!dept) return undefined;
    return {
      dept_id: dept.dept_id,
      name: dept.name,
      ...(dept.dept_id === ROOT_DEPT_ID ? {} : { parent_id: dept.parent_id ?? ROOT_DEPT_ID }),
      dept_manager_userid_list: [...(dept.managerUserIds ?? [])],
    };
  }

  /** Direct members only, in the order the org lists them. */
  directMembers(deptId: number): FakeUser[] {
    return [...this.usersById.values()].filter((u) => u.dept_id_list.includes(deptId));
  }

  isLeaderOf(userid: string, deptId: number): boolean {
    return this.department(deptId)?.managerUserIds?.includes(userid) ?? false;
  }

  summaryOf(user: FakeUser, deptId: number): DingTalkUserSummary {
    return {
      ...this.basicFields(user),
      leader: this.isLeaderOf(user.userid, deptId),
    };
  }

  detailOf(user: FakeUser): DingTalkUserDetail {
    return {
      ...this.basicFields(user),
      ...(user.manager_userid ? { manager_userid: user.manager_userid } : {}),
      leader_in_dept: user.dept_id_list.map((dept_id) => ({ dept_id, leader: this.isLeaderOf(user.userid, dept_id) })),
      role_list: [],
    };
  }

  private basicFields(user: FakeUser): DingTalkUserSummary {
    return {
      userid: user.userid,
      unionid: user.unionid,
      name: user.name,
      ...(user.mobile === undefined ? {} : { mobile: user.mobile }),
      ...(user.email === undefined ? {} : { email: user.email }),
      ...(user.title === undefined ? {} : { title: user.title }),
      dept_id_list: [...user.dept_id_list],
      admin: user.admin ?? false,
      active: user.active ?? true,
    };
  }
}
