/** SPEC §6: an instance id is its Temporal workflow id, `approval:{flowCode}:{businessKey}`. */
export function instanceIdOf(flowCode: string, businessKey: string): string {
  return `approval:${flowCode}:${businessKey}`;
}

/** The flow code and business key of an instance id, or undefined when it is not one (a flow code holds no ':', a business key may). */
export function parseInstanceId(instanceId: string): { flowCode: string; businessKey: string } | undefined {
  const match = /^approval:([a-z][a-z0-9_]{0,63}):(.+)$/.exec(instanceId);
  return match ? { flowCode: match[1]!, businessKey: match[2]! } : undefined;
}
