import type { z } from 'zod';
import type { instanceForm, instancePage, instanceRoute, instanceView, timelineView } from '../../api/schemas/instances';
import type { ccPage } from '../../api/schemas/sessions';
import type { taskPage } from '../../api/schemas/tasks';

/** The API's answers as the page reads them: the server's own schemas, so the two cannot drift apart. */
export type InstanceView = z.output<typeof instanceView>;
export type Task = InstanceView['tasks'][number];
export type InstanceRoute = z.output<typeof instanceRoute>;
export type RouteNode = InstanceRoute['nodes'][number];
export type InstanceForm = z.output<typeof instanceForm>;
export type FormFieldValue = InstanceForm['fields'][number];
export type Timeline = z.output<typeof timelineView>;
export type TimelineEvent = Timeline['events'][number];
export type TodoPage = z.output<typeof taskPage>;
export type TodoItem = TodoPage['items'][number];
export type InstancePage = z.output<typeof instancePage>;
export type InstanceSummary = InstancePage['items'][number];
export type CcPage = z.output<typeof ccPage>;
export type CcItem = CcPage['items'][number];

export type { PageConfig, SessionOwner, UserSession, UserSummary } from '../shared/types';
