/** One problem in a flow definition, naming where it is (SPEC §4: "Errors name the node and the field"). */
export interface DefinitionProblem {
  /** The node's id, or null for a problem of the definition as a whole. */
  nodeId: string | null;
  field: string;
  message: string;
}
