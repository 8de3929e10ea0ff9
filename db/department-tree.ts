export interface DepartmentRecord {
  id: string;
  name: string;
  parentId?: string;
  leaderIds?: string[];
}

export interface DepartmentProblem {
  field: string;
  message: string;
}

/** A department push that would leave the tree broken; nothing of it is written. */
export class InvalidDepartmentsError extends Error {
  constructor(readonly problems: DepartmentProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    this.name = 'InvalidDepartmentsError';
  }
}

/**
 * What is wrong with the tree the push would produce: the batch merged over the active departments
 * that survive it (in `full` mode none survive — the batch is the whole tree). Every parent must be
 * in that tree, and following parents from a pushed department must never come back to it.
 */
export function departmentTreeProblems(batch: DepartmentRecord[], survivingParentOf: ReadonlyMap<string, string | null>): DepartmentProblem[] {
  const parentOf = new Map(survivingParentOf);
  for (const d of batch) parentOf.set(d.id, d.parentId ?? null);

  const problems: DepartmentProblem[] = [];
  batch.forEach((d, i) => {
    const field = `departments.${i}.parentId`;
    if (d.parentId === undefined) return;
    if (!parentOf.has(d.parentId)) {
      problems.push({ field, message: `parent department "${d.parentId}" is neither in this push nor an existing active department` });
      return;
    }
    const seen = new Set<string>();
    for (let at: string | null | undefined = d.parentId; at != null && !seen.has(at); at = parentOf.get(at)) {
      if (at === d.id) {
        problems.push({ field, message: `department "${d.id}" would be its own ancestor (parent links form a cycle)` });
        return;
      }
      seen.add(at);
    }
  });
  return problems;
}
