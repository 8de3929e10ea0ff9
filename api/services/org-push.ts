import { InvalidDepartmentsError } from '../../db/department-tree';
import { AmbiguousUserBindingError, syncDepartments, syncUsers, type SyncUsersAnswer } from '../../db/org';
import type { ApiDependencies } from '../context';
import { ApiError } from '../errors';
import type { SyncDepartmentsBody, SyncUsersBody } from '../schemas/org';
import { handOverDepartedTasks, type HandoverAnswer } from './departed-handover';

/** The org push (SPEC §6). A push that cannot be applied whole writes nothing. */

/** Users; a `full` push deactivates whom it leaves out, and their open tasks go where their nodes' onEmpty points. */
export async function pushUsers(deps: ApiDependencies, body: SyncUsersBody): Promise<SyncUsersAnswer & { handedOver?: HandoverAnswer }> {
  let answer: SyncUsersAnswer;
  try {
    answer = await syncUsers(deps.db, body.mode, body.users);
  } catch (err) {
    if (err instanceof AmbiguousUserBindingError) throw new ApiError('AMBIGUOUS_USER_BINDING', err.message, err.problems);
    throw err;
  }
  return body.mode === 'full' ? { ...answer, handedOver: await handOverDepartedTasks(deps) } : answer;
}

/** Departments; the tree must stay a tree (parents known, no cycle). */
export async function pushDepartments(deps: ApiDependencies, body: SyncDepartmentsBody): Promise<{ upserted: number; deactivated: number }> {
  try {
    return await syncDepartments(deps.db, body.mode, body.departments);
  } catch (err) {
    if (err instanceof InvalidDepartmentsError) throw new ApiError('INVALID_DEPARTMENTS', err.message, err.problems);
    throw err;
  }
}
