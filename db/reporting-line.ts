import { sql } from 'drizzle-orm';
import type { DbOrTx } from './client';

export interface LineManager {
  id: string;
  title: string | null;
  active: boolean;
}

/** How far up a reporting line is followed; a longer one is almost surely bad data. */
export const MAX_REPORTING_LEVELS = 20;

/**
 * The managers above `userId`, direct manager first, inactive ones included (callers skip them but
 * walk through them). Stops at the top, at a manager id with no user row, at a cycle (a manager
 * already on the line, the user included), or after MAX_REPORTING_LEVELS.
 */
export async function reportingLine(db: DbOrTx, userId: string): Promise<LineManager[]> {
  const rows = await db.execute<{ id: string; title: string | null; active: boolean }>(sql`
    with recursive line(id, title, active, depth, path) as (
      select m.id, m.title, m.active, 1, array[s.id, m.id]
        from users s join users m on m.id = s.manager_id
       where s.id = ${userId}
      union all
      select m.id, m.title, m.active, line.depth + 1, line.path || m.id
        from line
        join users u on u.id = line.id
        join users m on m.id = u.manager_id
       where line.depth < ${MAX_REPORTING_LEVELS} and m.id <> all(line.path)
    )
    select id, title, active from line order by depth`);
  return rows.map((r) => ({ id: r.id, title: r.title, active: r.active }));
}
