import { useRef, useState } from "react";
import { Txt } from "./Txt.js";
import { useKeys } from "../hooks/use-keys.js";

interface TextInputProps {
  label: string;
  placeholder?: string;
  /** Returns why the value is not acceptable, or null. */
  validate?: (value: string) => string | null;
  onSubmit(value: string): void;
  onCancel(): void;
  isActive?: boolean;
}

/** A one-line text field: type, Backspace, Enter submits, Esc cancels. */
export function TextInput({ label, placeholder, validate, onSubmit, onCancel, isActive = true }: TextInputProps) {
  const [value, setValue] = useState("");
  // Keys can arrive faster than React commits: the ref always holds what was typed so far.
  const typed = useRef("");
  const update = (next: string) => {
    typed.current = next;
    setValue(next);
  };
  const [problem, setProblem] = useState<string | null>(null);

  useKeys(
    (input, key) => {
      if (key.escape) return onCancel();
      if (key.return) {
        const trimmed = typed.current.trim();
        const why = validate ? validate(trimmed) : null;
        if (why) return setProblem(why);
        return onSubmit(trimmed);
      }
      if (key.backspace || key.delete) {
        update([...typed.current].slice(0, -1).join(""));
        setProblem(null);
        return;
      }
      if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return;
      // Printable characters only (a paste arrives as one chunk).
      const printable = [...input].filter((ch) => ch >= " " && ch !== "\x7f").join("");
      if (printable) {
        update(typed.current + printable);
        setProblem(null);
      }
    },
    isActive,
  );

  return (
    <>
      <Txt>
        {`${label} `}
        {value ? <Txt bold>{value}</Txt> : <Txt tone="muted">{placeholder ?? ""}</Txt>}
        <Txt tone="accent">▏</Txt>
      </Txt>
      {problem ? <Txt tone="error">{problem}</Txt> : null}
    </>
  );
}
