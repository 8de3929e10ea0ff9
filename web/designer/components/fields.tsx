import type { ComponentChildren } from 'preact';
import type { Problem } from '../api-types';
import { useState } from 'preact/hooks';
import { parseIsoDuration } from '../../../engine/duration';
import { DURATION_UNITS, friendlyDuration, isoDuration, type DurationUnit } from '../durations';
import { problemText } from '../problem-text';

/** The side panel's building blocks: a labelled row that shows the problems of its DSL fields, selects of optional values, durations. */

/** A copy of `record` with `key` set, or without it when `value` is undefined (an option left at its default is not written). */
export function withField<T extends object, K extends keyof T>(record: T, key: K, value: T[K] | undefined): T {
  const copy = { ...record };
  if (value === undefined) delete copy[key];
  else copy[key] = value;
  return copy;
}

/** Problems of the fields starting with one of `prefixes` (`approvers` takes `approvers.ids` too). */
export const problemsOf = (problems: Problem[], prefixes: string[]) =>
  problems.filter((p) => prefixes.some((prefix) => p.field === prefix || p.field.startsWith(`${prefix}.`)));

/** Problems as lines under what they are about, in Chinese (the API's words on hover); `withField` prefixes each with the DSL field it names. */
export function ProblemLines({ problems, withField: named = false }: { problems: Problem[]; withField?: boolean }) {
  return (
    <>
      {problems.map((p, i) => (
        <p class="field-error" key={i} data-problem-field={p.field}>
          {named && `${p.field}：`}
          <span title={p.message}>{problemText(p.message)}</span>
        </p>
      ))}
    </>
  );
}

export function Row({ label, problems = [], children, field }: { label: string; problems?: Problem[]; children: ComponentChildren; field?: string }) {
  return (
    <div class={`row ${problems.length > 0 ? 'invalid' : ''}`} data-field={field}>
      <label class="row-label">{label}</label>
      <div class="row-control">
        {children}
        <ProblemLines problems={problems} />
      </div>
    </div>
  );
}

/** A select of an optional DSL value: the first option, "默认", leaves the field out. */
export function OptionalSelect<V extends string>({
  value,
  options,
  defaultLabel,
  onChange,
  label,
}: {
  value: V | undefined;
  options: Record<V, string>;
  defaultLabel: string;
  onChange: (value: V | undefined) => void;
  label: string;
}) {
  return (
    <select aria-label={label} value={value ?? ''} onChange={(e) => onChange((e.currentTarget.value || undefined) as V | undefined)}>
      <option value="">{defaultLabel}</option>
      {(Object.entries(options) as Array<[V, string]>).map(([v, text]) => (
        <option key={v} value={v}>
          {text}
        </option>
      ))}
    </select>
  );
}

/** true / false / left out, for the DSL's optional booleans. */
export function OptionalBoolean({
  value,
  onChange,
  label,
  defaultLabel,
}: {
  value: boolean | undefined;
  onChange: (v: boolean | undefined) => void;
  label: string;
  defaultLabel: string;
}) {
  return (
    <select
      aria-label={label}
      value={value === undefined ? '' : String(value)}
      onChange={(e) => onChange(e.currentTarget.value === '' ? undefined : e.currentTarget.value === 'true')}
    >
      <option value="">{defaultLabel}</option>
      <option value="true">开启</option>
      <option value="false">关闭</option>
    </select>
  );
}

/** A duration as amount and unit (the unit stays as chosen: 24 小时 is not turned into 1 天); one that needs seconds (written by hand) is shown as ISO text. */
export function DurationInput({ value, onChange, label }: { value: string | undefined; onChange: (iso: string | undefined) => void; label: string }) {
  const friendly = value ? friendlyDuration(value) : undefined;
  const [chosen, setChosen] = useState<DurationUnit>(friendly?.unit ?? 'H');
  const ms = value ? parseIsoDuration(value) : null;
  const size = DURATION_UNITS.find((u) => u.unit === chosen)!.ms;
  const shown = ms !== null && ms % size === 0 ? { amount: ms / size, unit: chosen } : friendly;
  if (value && !shown) {
    return <input aria-label={label} value={value} onChange={(e) => onChange(e.currentTarget.value.trim() || undefined)} />;
  }
  const unit = shown?.unit ?? chosen;
  return (
    <span class="duration">
      <input
        type="number"
        min="1"
        step="1"
        aria-label={label}
        placeholder="不设置"
        value={shown ? String(shown.amount) : ''}
        onInput={(e) => {
          const amount = Number(e.currentTarget.value);
          onChange(e.currentTarget.value === '' ? undefined : Number.isInteger(amount) && amount > 0 ? isoDuration(amount, unit) : e.currentTarget.value);
        }}
      />
      <select
        aria-label={`${label}单位`}
        value={unit}
        onChange={(e) => {
          const next = e.currentTarget.value as DurationUnit;
          setChosen(next);
          if (shown) onChange(isoDuration(shown.amount, next));
        }}
      >
        {DURATION_UNITS.map((u) => (
          <option key={u.unit} value={u.unit}>
            {u.label}
          </option>
        ))}
      </select>
    </span>
  );
}

/** An input for a form field's value: a number, a date or text. */
export function ValueBox({
  fieldType,
  value,
  onInput,
  label,
  path,
}: {
  fieldType: string | undefined;
  value: string;
  onInput: (text: string) => void;
  label: string;
  path?: string;
}) {
  const common = { 'aria-label': label, 'data-value': path, value, onInput: (e: { currentTarget: HTMLInputElement }) => onInput(e.currentTarget.value) };
  if (fieldType === 'number') return <input type="number" {...common} />;
  if (fieldType === 'date') return <input type="date" {...common} />;
  return <input type="text" {...common} />;
}
