import type { RegisteredApp } from '../../db/apps';
import type { SessionUser } from '../../db/sessions';

/** Who is asking (SPEC §7): an app by its signature, or a user by their session. Visibility depends on which. */
export type Viewer = { kind: 'app'; app: RegisteredApp } | UserViewer;
export interface UserViewer {
  kind: 'user';
  user: SessionUser;
  /** The session's token, held for this request only (logout revokes it). */
  token: string;
}

/** The id an action is recorded under when an app acts on its own account (ops). */
export const appActorId = (app: RegisteredApp) => `app:${app.key}`;
