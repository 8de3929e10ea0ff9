import { useEffect, useState } from 'preact/hooks';
import { get } from '../../shared/api-client';
import type { UserSummary } from '../types';

/** The user picker: search the org by name, id or mobile tail (`GET /users?q=`), pick one or several. */
export function UserPicker({
  multiple,
  picked,
  onChange,
  exclude = [],
}: {
  multiple: boolean;
  picked: UserSummary[];
  onChange: (users: UserSummary[]) => void;
  exclude?: string[];
}) {
  const [q, setQ] = useState('');
  const [results, setResults] = useState<UserSummary[]>([]);
  const [searching, setSearching] = useState(false);

  useEffect(() => {
    const text = q.trim();
    if (!text) {
      setResults([]);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      setSearching(true);
      get<{ items: UserSummary[] }>(`/users?q=${encodeURIComponent(text)}&limit=10`)
        .then((answer) => current && setResults(answer.items.filter((u) => !exclude.includes(u.id))))
        .catch(() => current && setResults([]))
        .finally(() => current && setSearching(false));
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [q]);

  const toggle = (user: UserSummary) => {
    const chosen = picked.some((p) => p.id === user.id);
    if (!multiple) onChange(chosen ? [] : [user]);
    else onChange(chosen ? picked.filter((p) => p.id !== user.id) : [...picked, user]);
  };

  return (
    <div class="picker">
      {picked.length > 0 && (
        <div class="chips">
          {picked.map((u) => (
            <button type="button" class="chip" key={u.id} onClick={() => toggle(u)} aria-label={`移除 ${u.name}`}>
              {u.name} ×
            </button>
          ))}
        </div>
      )}
      <input type="search" placeholder="搜索姓名、工号或手机尾号" value={q} onInput={(e) => setQ(e.currentTarget.value)} aria-label="搜索人员" />
      {searching && <p class="hint">搜索中…</p>}
      <ul class="picker-results">
        {results.map((u) => (
          <li key={u.id}>
            <button type="button" class={picked.some((p) => p.id === u.id) ? 'picked' : ''} onClick={() => toggle(u)} data-user={u.id}>
              <span class="avatar">{u.name.slice(-2)}</span>
              <span>
                {u.name}
                {u.title && <small> · {u.title}</small>}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
