import type { InMemoryOrg } from './in-memory-dingtalk';

/**
 * A three-level DingTalk org for the sync's tests:
 *
 *   1 示例公司 (managers: boss)
 *   ├── 2 销售部 (s_head)
 *   │   └── 4 华东销售 (no manager)
 *   └── 3 研发部 (r_head)
 *       └── 5 平台组 (p_lead)
 *
 * Whose manager is whom: boss — nobody (the root's only manager is boss); s_head → boss (own
 * department's manager is self: one up); e_east → s_head (department 4 has none: one up);
 * e_both (in 4 and 5) → r_head by `manager_userid`; p_lead → r_head; e_platform → p_lead
 * (its `manager_userid` left the company); r_head → boss.
 */
export function dingTalkTestOrg(): InMemoryOrg {
  return {
    departments: [
      { dept_id: 1, name: '示例公司', managerUserIds: ['boss'] },
      { dept_id: 2, name: '销售部', parent_id: 1, managerUserIds: ['s_head'] },
      { dept_id: 3, name: '研发部', parent_id: 1, managerUserIds: ['r_head'] },
      { dept_id: 4, name: '华东销售', parent_id: 2 },
      { dept_id: 5, name: '平台组', parent_id: 3, managerUserIds: ['p_lead'] },
    ],
    users: [
      { userid: 'boss', unionid: 'union_boss', name: '老板', dept_id_list: [1], title: '总经理' },
      { userid: 's_head', unionid: 'union_s_head', name: '销售总监', dept_id_list: [2], mobile: '13800000001' },
      { userid: 'e_east', unionid: 'union_e_east', name: '华东销售员', dept_id_list: [4], email: 'east@example.com' },
      { userid: 'e_both', unionid: 'union_e_both', name: '两栖员工', dept_id_list: [4, 5], manager_userid: 'r_head' },
      { userid: 'p_lead', unionid: 'union_p_lead', name: '平台组长', dept_id_list: [5] },
      { userid: 'e_platform', unionid: 'union_e_platform', name: '平台工程师', dept_id_list: [5], manager_userid: 'gone' },
      { userid: 'r_head', unionid: 'union_r_head', name: '研发总监', dept_id_list: [3] },
    ],
  };
}

/** Each DingTalk user's manager in `dingTalkTestOrg` (DingTalk userids). */
export const TEST_ORG_MANAGERS: Record<string, string | undefined> = {
  boss: undefined,
  s_head: 'boss',
  e_east: 's_head',
  e_both: 'r_head',
  p_lead: 'r_head',
  e_platform: 'p_lead',
  r_head: 'boss',
};
