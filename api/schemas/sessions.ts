import { z } from 'zod';
import { cursor, key, nextCursor, pageLimit, timestamp } from './common';

/** Users' own side of the API (SPEC §6–§7): sessions, the user picker, the cc inbox. */

export const devLoginBody = z
  .strictObject({ userId: key.describe('an active user; anyone may log in as anyone, which is why only the sandbox has this') })
  .meta({ id: 'DevLogin' });

export const sessionOwner = z
  .object({
    id: z.string(),
    name: z.string(),
    title: z.string().optional(),
    flowAdmin: z.boolean().describe('holds the approval_admin role'),
  })
  .meta({ id: 'SessionOwner', description: 'the user a session belongs to' });

export const loggedOut = z.object({ revoked: z.boolean().describe('false when the session had already ended') }).meta({ id: 'LoggedOut' });

export const userParams = z.object({ id: key.describe('a user id') });
export const sessionsRevoked = z.object({ revoked: z.number().int().describe('how many live sessions ended') }).meta({ id: 'SessionsRevoked' });

export const userSearchQuery = z
  .strictObject({
    q: z.string().trim().min(1).max(64).optional().describe('part of a name, the start of a user id, or the last digits of a mobile number (3 or more)'),
    deptId: key.optional().describe('members of this department'),
    ids: z
      .string()
      .regex(/^[^,]{1,64}(,[^,]{1,64}){0,49}$/, 'must be 1–50 user ids separated by commas')
      .optional()
      .describe('these users, by id (comma-separated, up to 50): the names of the people a flow definition names'),
    limit: pageLimit(50, 20),
  })
  .superRefine((query, ctx) => {
    if (query.q === undefined && query.deptId === undefined && query.ids === undefined)
      ctx.addIssue({ code: 'custom', path: ['q'], message: 'give q, deptId or ids (or several)' });
  });

export const userSearchAnswer = z
  .object({
    items: z.array(
      z
        .object({ id: z.string(), name: z.string(), title: z.string().optional(), deptIds: z.array(z.string()).describe('the user’s departments') })
        .meta({ id: 'UserSummary' }),
    ),
  })
  .meta({ id: 'UserSearch' });

export const ccListQuery = z.strictObject({
  unread: z.enum(['true', 'false']).optional().describe('true: only the notices not opened yet'),
  limit: pageLimit(100, 20),
  cursor: cursor.optional(),
});

export const ccParams = z.object({ ccId: z.string().regex(/^[1-9]\d{0,17}$/, 'must be a cc notice id') });

const ccItem = z
  .object({
    ccId: z.string(),
    instanceId: z.string(),
    flowCode: z.string().optional(),
    nodeId: z.string().optional(),
    title: z.string(),
    status: z.string().optional().describe('the instance’s status now'),
    createdAt: timestamp,
    readAt: timestamp.optional().describe('when the recipient opened it; absent: unread'),
  })
  .meta({ id: 'CcItem' });

export const ccPage = z.object({ items: z.array(ccItem), nextCursor }).meta({ id: 'CcPage' });
export const ccRead = z.object({ ccId: z.string(), readAt: timestamp }).meta({ id: 'CcRead' });
