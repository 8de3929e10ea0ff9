import { departmentTreeProblems } from './department-tree';

const existing = new Map<string, string | null>([
  ['root', null],
  ['sales', 'root'],
]);

describe('departmentTreeProblems', () => {
  it('accepts parents from the batch (in any order) or from the surviving departments', () => {
    expect(
      departmentTreeProblems(
        [
          { id: 'east', name: 'East', parentId: 'sales' },
          { id: 'team', name: 'Team', parentId: 'region' },
          { id: 'region', name: 'Region', parentId: 'root' },
        ],
        existing,
      ),
    ).toEqual([]);
  });

  it('names the parentId of a department whose parent is nowhere', () => {
    expect(
      departmentTreeProblems(
        [
          { id: 'a', name: 'A' },
          { id: 'b', name: 'B', parentId: 'ghost' },
        ],
        existing,
      ),
    ).toEqual([{ field: 'departments.1.parentId', message: expect.stringContaining('"ghost"') }]);
  });

  it('names every pushed department on a cycle, a self-parent included', () => {
    expect(
      departmentTreeProblems(
        [
          { id: 'x', name: 'X', parentId: 'y' },
          { id: 'y', name: 'Y', parentId: 'x' },
          { id: 'z', name: 'Z', parentId: 'z' },
          { id: 'below', name: 'Below', parentId: 'x' },
        ],
        existing,
      ).map((p) => p.field),
    ).toEqual(['departments.0.parentId', 'departments.1.parentId', 'departments.2.parentId']);
  });

  it('sees a cycle closed through a surviving department', () => {
    // root is moved under sales, whose parent (unchanged, not in the batch) is root.
    expect(departmentTreeProblems([{ id: 'root', name: 'Root', parentId: 'sales' }], existing)).toEqual([
      { field: 'departments.0.parentId', message: expect.stringContaining('cycle') },
    ]);
  });
});
