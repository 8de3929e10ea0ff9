import type { UserBinding, UserBindingProblem } from './org';

/** What binding looks at of an existing user. */
export interface ExistingUserKeys {
  id: string;
  dingtalkUserId: string | null;
  mobile: string | null;
  email: string | null;
}

/** A user as DingTalk lists them: our id for them is their DingTalk userid unless they bind to an existing user. */
export interface DingTalkSyncedUser {
  /** The DingTalk userid (the id a brand-new person gets). */
  id: string;
  dingtalkUserId?: string;
  mobile?: string;
  email?: string;
}

export interface DingTalkBindingPlan {
  /** Listed id → the existing user of another id it is (every binding, old and new). */
  boundTo: Map<string, string>;
  /** The bindings made now, by mobile or email (the ones already carried by `dingtalk_user_id` are not news). */
  newlyBound: UserBinding[];
  problems: UserBindingProblem[];
}

function indexBy(existing: readonly ExistingUserKeys[], key: 'dingtalkUserId' | 'mobile' | 'email', only: (u: ExistingUserKeys) => boolean = () => true) {
  const index = new Map<string, string[]>();
  for (const user of existing) {
    const value = user[key];
    if (value === null || !only(user)) continue;
    index.set(value, [...(index.get(value) ?? []), user.id]);
  }
  return index;
}

/**
 * Which existing user each DingTalk user is (SPEC §8 "Users and ids"), in this order:
 * 1. the one existing user already carrying their DingTalk userid (`dingtalk_user_id`): bound
 *    before, by an earlier sync or an ERP push that named it — that user keeps its id;
 * 2. an existing user whose id is their DingTalk userid: that user;
 * 3. the one existing user not yet bound to any DingTalk user whose mobile or email is theirs
 *    (a user bound to another DingTalk account is somebody else, even with the same mobile:
 *    numbers get reassigned);
 * 4. nobody: a new user whose id is the DingTalk userid.
 * Two existing users matching (the same DingTalk userid twice, or mobile and email naming two
 * users), or one existing user claimed by two DingTalk users, is a problem: nothing is written.
 *
 * `existing` must hold every user matching one of the list's ids, DingTalk userids, mobiles or
 * emails (more is harmless).
 */
export function planDingTalkBindings(list: readonly DingTalkSyncedUser[], existing: readonly ExistingUserKeys[]): DingTalkBindingPlan {
  const existingIds = new Set(existing.map((u) => u.id));
  const byDingTalkId = indexBy(existing, 'dingtalkUserId');
  const unbound = (u: ExistingUserKeys) => u.dingtalkUserId === null;
  const byMobile = indexBy(existing, 'mobile', unbound);
  const byEmail = indexBy(existing, 'email', unbound);

  const boundTo = new Map<string, string>();
  const newlyBound: UserBinding[] = [];
  const problems: UserBindingProblem[] = [];
  const claims = new Map<string, Array<{ id: string; index: number }>>();
  const claim = (target: string, id: string, index: number) => void claims.set(target, [...(claims.get(target) ?? []), { id, index }]);
  const ambiguous = (index: number, id: string, how: string, matches: string[]) => {
    const userIds = [...matches].sort();
    problems.push({
      field: `users.${index}`,
      message: `user "${id}" matches ${userIds.length} existing users by ${how}: ${userIds.map((m) => `"${m}"`).join(', ')}`,
      pushedIds: [id],
      userIds,
    });
  };

  for (const [index, user] of list.entries()) {
    const dingtalkUserId = user.dingtalkUserId ?? user.id;
    const carrying = byDingTalkId.get(dingtalkUserId) ?? [];
    if (carrying.length > 1) {
      ambiguous(index, user.id, `DingTalk userid "${dingtalkUserId}"`, carrying);
      continue;
    }
    if (carrying.length === 1) {
      const target = carrying[0]!;
      if (target !== user.id) boundTo.set(user.id, target);
      claim(target, user.id, index);
      continue;
    }
    if (existingIds.has(user.id)) {
      claim(user.id, user.id, index);
      continue;
    }

    const mobileMatches = user.mobile ? (byMobile.get(user.mobile) ?? []) : [];
    const emailMatches = user.email ? (byEmail.get(user.email) ?? []) : [];
    const matches = [...new Set([...mobileMatches, ...emailMatches])];
    if (matches.length === 0) continue; // a new person
    if (matches.length > 1) {
      const how = [mobileMatches.length > 0 ? `mobile "${user.mobile}"` : '', emailMatches.length > 0 ? `email "${user.email}"` : '']
        .filter(Boolean)
        .join(' and ');
      ambiguous(index, user.id, how, matches);
      continue;
    }
    const target = matches[0]!;
    boundTo.set(user.id, target);
    newlyBound.push({ id: user.id, userId: target });
    claim(target, user.id, index);
  }

  for (const [target, claimants] of claims) {
    if (claimants.length < 2) continue;
    const last = claimants[claimants.length - 1]!;
    problems.push({
      field: `users.${last.index}`,
      message: `existing user "${target}" would be claimed by ${claimants.length} DingTalk users: ${claimants.map((c) => `"${c.id}"`).join(', ')}`,
      pushedIds: claimants.map((c) => c.id),
      userIds: [target],
    });
  }
  problems.sort((a, b) => Number(a.field.slice('users.'.length)) - Number(b.field.slice('users.'.length)));
  return { boundTo, newlyBound, problems };
}
