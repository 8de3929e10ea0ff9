import type { InstanceState } from './state';

/** What `{{…}}` templates in ERP paths and bodies (SPEC §8) can refer to: the instance as it is when the call goes out. */
export interface TemplateContext {
  form: Record<string, unknown>;
  instance: { id: string };
  businessKey: string;
  source?: { system: string; type: string; id: string };
  status: string;
}

export function templateContextOf(state: InstanceState): TemplateContext {
  return {
    form: state.form,
    instance: { id: state.instanceId },
    businessKey: state.businessKey,
    ...(state.source ? { source: state.source } : {}),
    status: state.status,
  };
}
