export interface OpenSpace {
  /** Upper-cased: DingTalk matches space types without regard to case. */
  spaceType: string;
  spaceId: string;
}

const PREFIX = 'dtv1.card//';
/** The space types DingTalk's card API knows; the fake delivers to IM_ROBOT only. */
const SPACE_TYPES = new Set(['IM_ROBOT', 'IM_GROUP', 'ONE_BOX', 'COOPERATION_FEED', 'DOC']);

/**
 * `dtv1.card//IM_ROBOT.u1;IM_ROBOT.u2` → its spaces: the prefix comes once, then
 * `;`-separated `TYPE.id` targets. Answers the reason when the id is not of that form.
 */
export function parseOpenSpaceId(openSpaceId: string): { ok: true; spaces: OpenSpace[] } | { ok: false; reason: string } {
  if (!openSpaceId.startsWith(PREFIX)) return { ok: false, reason: `openSpaceId must start with ${PREFIX}` };
  const targets = openSpaceId.slice(PREFIX.length).split(';');
  const spaces: OpenSpace[] = [];
  for (const target of targets) {
    if (target.includes('//')) return { ok: false, reason: `the ${PREFIX} prefix comes once, before all targets: "${target}"` };
    const dot = target.indexOf('.');
    const spaceType = (dot < 0 ? target : target.slice(0, dot)).toUpperCase();
    const spaceId = dot < 0 ? '' : target.slice(dot + 1);
    if (!SPACE_TYPES.has(spaceType)) return { ok: false, reason: `unknown space type in "${target}"` };
    if (spaceId.trim() === '') return { ok: false, reason: `no id after the space type in "${target}"` };
    spaces.push({ spaceType, spaceId });
  }
  return { ok: true, spaces };
}
