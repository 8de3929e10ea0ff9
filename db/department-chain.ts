import { sql } from 'drizzle-orm';
import type { DbOrTx } from './client';

export interface ChainDepartment {
  id: string;
  /** The department's leaders who are active users, in the pushed order. */
  activeLeaderIds: string[];
}

/**
 * `departmentId` and its active ancestors, nearest first. Deactivated departments end the chain
 * (their parent links are stale); a cycle in the data ends it too.
 */
export async function departmentChain(db: DbOrTx, departmentId: string): Promise<ChainDepartment[]> {
  const rows = await db.execute<{ id: string; activeLeaderIds: string[] }>(sql`
    with recursive chain(id, parent_id, leader_ids, depth, path) as (
      select d.id, d.parent_id, d.leader_ids, 1, array[d.id]
        from departments d
       where d.id = ${departmentId} and d.active
      union all
      select p.id, p.parent_id, p.leader_ids, chain.depth + 1, chain.path || p.id
        from chain join departments p on p.id = chain.parent_id
       where p.active and p.id <> all(chain.path)
    )
    select chain.id,
           array(select u.id
                   from unnest(chain.leader_ids) with ordinality as leader(id, position)
                   join users u on u.id = leader.id and u.active
                  order by leader.position) as "activeLeaderIds"
      from chain
     order by chain.depth`);
  return rows.map((r) => ({ id: r.id, activeLeaderIds: r.activeLeaderIds }));
}
