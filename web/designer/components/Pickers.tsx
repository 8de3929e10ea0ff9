import { useEffect, useState } from 'preact/hooks';
import { get } from '../../shared/api-client';
import type { UserSummary } from '../../shared/types';
import { learnNames, rememberUsers, useDepartments, useNames, useRoles } from '../org';

/** Choosing people (search, or browse a department), a role. */

export function UserIdsPicker({
  ids,
  onChange,
  multiple = true,
  label,
}: {
  ids: string[];
  onChange: (ids: string[]) => void;
  multiple?: boolean;
  label: string;
}) {
  const nameOf = useNames();
  const departments = useDepartments();
  const [q, setQ] = useState('');
  const [deptId, setDeptId] = useState('');
  const [results, setResults] = useState<UserSummary[]>([]);
  useEffect(() => learnNames(ids), [ids.join(',')]);
  useEffect(() => {
    const text = q.trim();
    if (!text && !deptId) {
      setResults([]);
      return;
    }
    let current = true;
    const query = text ? `q=${encodeURIComponent(text)}` : `deptId=${encodeURIComponent(deptId)}`;
    const timer = setTimeout(() => {
      get<{ items: UserSummary[] }>(`/users?${query}&limit=20`)
        .then((answer) => {
          rememberUsers(answer.items);
          if (current) setResults(answer.items);
        })
        .catch(() => current && setResults([]));
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [q, deptId]);
  const toggle = (id: string) => {
    if (ids.includes(id)) onChange(ids.filter((x) => x !== id));
    else onChange(multiple ? [...ids, id] : [id]);
  };
  return (
    <div class="user-picker" data-picker={label}>
      <div class="chips">
        {ids.map((id) => (
          <span class="chip" key={id} data-chip={id}>
            {nameOf(id)}
            <button type="button" aria-label={`移除 ${nameOf(id)}`} onClick={() => toggle(id)}>
              ×
            </button>
          </span>
        ))}
        {ids.length === 0 && <span class="hint">尚未选择</span>}
      </div>
      <div class="picker-search">
        <input type="search" placeholder="搜索姓名、工号或手机尾号" aria-label={`${label}：搜索人员`} value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        <select aria-label={`${label}：按部门选择`} value={deptId} onChange={(e) => (setDeptId(e.currentTarget.value), setQ(''))}>
          <option value="">按部门浏览</option>
          {departments.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </div>
      {results.length > 0 && (
        <ul class="picker-results">
          {results.map((u) => (
            <li key={u.id}>
              <button type="button" class={ids.includes(u.id) ? 'picked' : ''} data-user={u.id} onClick={() => toggle(u.id)}>
                <span class="avatar">{u.name.slice(-2)}</span>
                {u.name}
                <small>
                  {u.title ? ` · ${u.title}` : ''} · {u.id}
                </small>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function RolePicker({ role, onChange }: { role: string; onChange: (role: string) => void }) {
  const roles = useRoles();
  const known = roles.some((r) => r.role === role);
  return (
    <select aria-label="角色" value={role} onChange={(e) => onChange(e.currentTarget.value)}>
      <option value="">请选择角色</option>
      {!known && role && <option value={role}>{role}</option>}
      {roles.map((r) => (
        <option key={r.role} value={r.role}>
          {r.role}（{r.userCount} 人）
        </option>
      ))}
    </select>
  );
}
