/**
 * The API's definition problems (SPEC §4: English, naming the node and the field) in the words of
 * the designer's Chinese UI; a message it does not know is shown as the API wrote it.
 */

const TRANSLATIONS: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^needs at least one user id$/, () => '请至少选择一位成员'],
  [/^needs at least one branch$/, () => '至少需要一个条件分支'],
  [/^a fork needs at least two branches$/, () => '并行分支至少需要两个分支'],
  [/^must be a registered system code$/, () => '请选择已注册的业务系统'],
  [/^must be an operation name of the system$/, () => '请选择系统的接口'],
  [/^must be an identifier$/, () => '字段标识须以字母或下划线开头，只含字母、数字、下划线'],
  [/^must be lower-case letters, digits and "_", starting with a letter$/, () => '编码须以小写字母开头，只含小写字母、数字、下划线'],
  [/^must be an ISO 8601 duration/, () => '请填写有效的时长'],
  [/^"actAfter" and "action" go together$/, () => '自动处理需同时设置时长和动作'],
  [/^"remindEvery" needs "remindAfter"$/, () => '设置重复提醒前，请先设置首次提醒时间'],
  [/^a vote needs exactly one of "passRatio" or "passCount"$/, () => '票签需设置通过比例或通过票数（二选一）'],
  [/^give "levels" or "untilTitle", not both$/, () => '主管层级与终止职位只能设置一个'],
  [/^a condition needs a "default" branch/, () => '条件分支需要「其他情况」默认分支'],
  [/^form has no field "(.*)"$/, (m) => `表单中没有字段「${m[1]}」`],
  [/^"is_empty" takes no value$/, () => '「为空」不需要取值'],
  [/^"(in|not_in)" needs a list of values$/, () => '请填写一个或多个取值'],
  [/^every value must be a (number|string|boolean)/, (m) => `每个取值都须为${typeName(m[1]!)}`],
  [/^must be a (number|string|boolean), like field/, (m) => `取值须为${typeName(m[1]!)}`],
  [/^"(.*)" does not apply to boolean field/, () => '是/否字段不能比较大小'],
  [/^"(.*)" applies to string fields only$/, () => '只适用于文本字段'],
  [/^unreachable from the start node$/, () => '从发起人无法到达此节点'],
  [/^no end node is reachable from here$/, () => '此节点无法到达流程结束'],
  [/^names unknown node "(.*)"$/, (m) => `指向不存在的节点「${m[1]}」`],
  [/^duplicate node id "(.*)"$/, (m) => `节点 ID「${m[1]}」重复`],
  [/^duplicate form field key "(.*)"$/, (m) => `字段标识「${m[1]}」重复`],
  [/^leads back to "(.*)": cycles/, (m) => `回到了节点「${m[1]}」：流程不能有环（退回请用审批动作）`],
  [/^no ERP system "(.*)" is registered/, (m) => `业务系统「${m[1]}」未注册`],
  [/^ERP system "(.*)" has no operation "(.*)" \(it has: (.*)\)$/, (m) => `业务系统「${m[1]}」没有接口「${m[2]}」（可用：${m[3]}）`],
  [/^needs (\d+) approvals but names only (\d+) approvers$/, (m) => `需要 ${m[1]} 票通过，但只指定了 ${m[2]} 位审批人`],
  [/^only a string field may have options/, () => '只有文本字段可以设置可选项'],
  [/^must not repeat an option: (.*)$/, (m) => `可选项重复：${m[1]}`],
  [/^Invalid input/, () => '请完善此项设置'],
];

const typeName = (type: string) => ({ number: '数字', string: '文本', boolean: '是/否' })[type] ?? type;

export function problemText(message: string): string {
  for (const [pattern, text] of TRANSLATIONS) {
    const m = pattern.exec(message);
    if (m) return text(m);
  }
  return message;
}
