import type { Hono } from 'hono';
import type { DingTalkUserPage } from '../../integrations/dingtalk/dingtalk-api';
import { oapiError, oapiOk, type FakeAnswer } from './answers';
import type { CallPipeline } from './call-pipeline';
import type { FakeDingTalkState } from './fake-dingtalk-state';
import { asInteger, isBlank, isRecord } from './request-fields';

const MAX_PAGE_SIZE = 100;
const NO_DEPARTMENT = () => oapiError(60003, '部门不存在');

/** A required integer field of the body, or the error that answers its absence. */
function integerField(body: unknown, name: string): { ok: true; value: number } | { ok: false; answer: FakeAnswer } {
  const raw = isRecord(body) ? body[name] : undefined;
  if (isBlank(raw)) return { ok: false, answer: oapiError(40035, `缺少参数 ${name}`) };
  const value = asInteger(raw);
  return value === undefined ? { ok: false, answer: oapiError(400002, `参数错误: ${name} is not an integer`) } : { ok: true, value };
}

/** The contacts APIs (all `POST` on oapi): departments one level at a time, users page by page. */
export function registerOrgRoutes(app: Hono, state: FakeDingTalkState, pipeline: CallPipeline): void {
  const org = state.directory;

  app.post(
    '/topapi/v2/department/listsub',
    pipeline.authed({ api: 'department.listsub', host: 'oapi' }, ({ body }) => {
      const deptId = integerField(body, 'dept_id');
      if (!deptId.ok) return deptId.answer;
      if (!org.department(deptId.value)) return NO_DEPARTMENT();
      return oapiOk({ result: org.subDepartments(deptId.value) });
    }),
  );

  app.post(
    '/topapi/v2/department/get',
    pipeline.authed({ api: 'department.get', host: 'oapi' }, ({ body }) => {
      const deptId = integerField(body, 'dept_id');
      if (!deptId.ok) return deptId.answer;
      const detail = org.departmentDetail(deptId.value);
      return detail ? oapiOk({ result: detail }) : NO_DEPARTMENT();
    }),
  );

  app.post(
    '/topapi/v2/user/list',
    pipeline.authed({ api: 'user.list', host: 'oapi' }, ({ body }) => {
      const deptId = integerField(body, 'dept_id');
      if (!deptId.ok) return deptId.answer;
      const cursor = integerField(body, 'cursor');
      if (!cursor.ok) return cursor.answer;
      const size = integerField(body, 'size');
      if (!size.ok) return size.answer;
      if (size.value < 1 || size.value > MAX_PAGE_SIZE) return oapiError(400002, `参数错误: size must be 1..${MAX_PAGE_SIZE}`);
      if (cursor.value < 0) return oapiError(400002, '参数错误: cursor must not be negative');
      if (!org.department(deptId.value)) return NO_DEPARTMENT();
      const members = org.directMembers(deptId.value);
      const end = cursor.value + size.value;
      const page: DingTalkUserPage = {
        has_more: end < members.length,
        ...(end < members.length ? { next_cursor: end } : {}),
        list: members.slice(cursor.value, end).map((user) => org.summaryOf(user, deptId.value)),
      };
      return oapiOk({ result: page });
    }),
  );

  app.post(
    '/topapi/v2/user/get',
    pipeline.authed({ api: 'user.get', host: 'oapi' }, ({ body }) => {
      const userid = isRecord(body) ? body.userid : undefined;
      if (isBlank(userid)) return oapiError(40035, '缺少参数 userid');
      const user = typeof userid === 'string' ? org.userById(userid) : undefined;
      return user ? oapiOk({ result: org.detailOf(user) }) : oapiError(60121, '找不到该用户');
    }),
  );
}
