import type { FakeOrg } from './fake-org';

/** A small company for running the fake on its own: two departments under the root, a reporting line. */
export function demoOrg(): FakeOrg {
  return {
    departments: [
      { dept_id: 2, name: '财务部', parent_id: 1, managerUserIds: ['dt_finance_head'] },
      { dept_id: 3, name: '研发部', parent_id: 1, managerUserIds: ['dt_rd_head'] },
      { dept_id: 4, name: '平台组', parent_id: 3, managerUserIds: ['dt_platform_lead'] },
    ],
    users: [
      { userid: 'dt_boss', unionid: 'union_dt_boss', name: '王总', title: '总经理', dept_id_list: [1], admin: true },
      { userid: 'dt_finance_head', unionid: 'union_dt_finance_head', name: '李财务', title: '财务经理', dept_id_list: [2], manager_userid: 'dt_boss' },
      { userid: 'dt_rd_head', unionid: 'union_dt_rd_head', name: '张研发', title: '研发总监', dept_id_list: [3], manager_userid: 'dt_boss' },
      { userid: 'dt_platform_lead', unionid: 'union_dt_platform_lead', name: '赵组长', title: '平台组长', dept_id_list: [4], manager_userid: 'dt_rd_head' },
      { userid: 'dt_engineer', unionid: 'union_dt_engineer', name: '陈工程师', title: '工程师', dept_id_list: [4] },
    ],
  };
}
