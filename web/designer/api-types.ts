import type { z } from 'zod';
import type { definitionAnswer, definitionCheck, definitionList, draftRoutePreview, versionAnswer } from '../../api/schemas/definitions';
import type { departmentList, roleList } from '../../api/schemas/org';
import type { systemList } from '../../api/schemas/systems';

/** What the designer reads of the API: the server's own schemas (SPEC §6 definitions, org, systems), so the two cannot drift apart. */

export type FlowSummary = z.output<typeof definitionList>['items'][number];
export type DefinitionAnswer = z.output<typeof definitionAnswer>;
export type VersionAnswer = z.output<typeof versionAnswer>;
export type Validation = z.output<typeof definitionCheck>;
export type Problem = Validation['problems'][number];
export type DraftPreview = z.output<typeof draftRoutePreview>;
export type PreviewNode = DraftPreview['nodes'][number];
export type RoleItem = z.output<typeof roleList>['items'][number];
export type DepartmentItem = z.output<typeof departmentList>['items'][number];
export type SystemItem = z.output<typeof systemList>['items'][number];
