import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { FakeDingTalkState } from './fake-dingtalk-state';
import { describeIssues } from './request-fields';
import { renderStatePage } from './state-page';

const clickForm = z.object({
  outTrackId: z.string().min(1),
  userId: z.string().min(1),
  action: z.enum(['approve', 'reject']),
  userIdType: z.coerce
    .number()
    .pipe(z.union([z.literal(1), z.literal(2)]))
    .optional(),
});
const authCodeForm = z.object({ userid: z.string().min(1) });
const openForm = z.object({ userid: z.string().min(1), url: z.url({ protocol: /^https?$/ }) });

function isJson(c: Context): boolean {
  return (c.req.header('content-type') ?? '').includes('application/json');
}

/** A JSON or form body as plain fields. */
async function fieldsOf(c: Context): Promise<unknown> {
  if (isJson(c)) return c.req.json().catch(() => undefined);
  const form = await c.req.parseBody();
  return Object.fromEntries(Object.entries(form).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** The sandbox's own routes (never down, never in the call log): the page, its button presses, the state, 免登 codes. */
export function registerSandboxRoutes(app: Hono, state: FakeDingTalkState): void {
  app.get('/', (c) => {
    c.header('cache-control', 'no-store');
    const clicked = Number(c.req.query('clicked'));
    return c.html(renderStatePage(state, Number.isInteger(clicked) ? state.clicks[clicked] : undefined));
  });

  app.get('/_sandbox/state.json', (c) => c.json(state.snapshot()));

  app.post('/_sandbox/click', async (c) => {
    const input = clickForm.safeParse(await fieldsOf(c));
    if (!input.success) return c.json({ error: describeIssues(input.error) }, 400);
    const { outTrackId, userId, action, userIdType } = input.data;
    try {
      const result = await state.click({ outTrackId, userId, action, ...(userIdType ? { userIdType } : {}) });
      if (isJson(c)) return c.json(result);
      return c.redirect(`/?clicked=${state.clicks.length - 1}#u-${encodeURIComponent(userId)}`, 303);
    } catch (err) {
      return c.json({ error: err instanceof Error ? err.message : String(err) }, 404);
    }
  });

  // The link a DingTalk user opens, as DingTalk's container would (see openHref in state-page.ts).
  app.get('/_sandbox/open', (c) => {
    const input = openForm.safeParse(c.req.query());
    if (!input.success) return c.json({ error: describeIssues(input.error) }, 400);
    if (!state.directory.userById(input.data.userid)) return c.json({ error: `no user ${input.data.userid} in the org` }, 404);
    const target = new URL(input.data.url);
    target.hash = `dd_auth_code=${encodeURIComponent(state.issueAuthCode(input.data.userid))}`;
    return c.redirect(target.toString(), 302);
  });

  app.post('/_sandbox/auth-code', async (c) => {
    const input = authCodeForm.safeParse(await fieldsOf(c));
    if (!input.success) return c.json({ error: describeIssues(input.error) }, 400);
    if (!state.directory.userById(input.data.userid)) return c.json({ error: `no user ${input.data.userid} in the org` }, 404);
    return c.json({ code: state.issueAuthCode(input.data.userid) });
  });
}
