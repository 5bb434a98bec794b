import type { ConflictEntry, Value } from "../../host";

/**
 * Whether "Edit" can offer a text box for this conflict. Lookup fields (`client_id`,
 * `status_id`, `user_ids`, …) hold ids a person cannot type; for them the choice is mine or
 * theirs. Structured values are the same.
 */
export function isTypeable(c: ConflictEntry): boolean {
  const scalar = (v: Value) => v === null || typeof v !== "object";
  return !/_ids?$/.test(c.field) && scalar(c.local) && scalar(c.remote);
}

/**
 * Turns what the user typed into the field's value with the JSON type of the value it
 * replaces (a number stays a number, a flag a flag), so Rust judges the value rather than
 * rejecting a string it did not expect. Empty clears the field.
 */
export function parseEdited(text: string, like: Value): Value {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  if (typeof like === "number") {
    const n = Number(trimmed);
    return Number.isFinite(n) ? n : trimmed;
  }
  if (typeof like === "boolean") {
    if (/^(yes|true|1)$/i.test(trimmed)) return true;
    if (/^(no|false|0)$/i.test(trimmed)) return false;
    return trimmed;
  }
  return text;
}

/** The text an "Edit" box starts with: the user's own value, ready to adjust. */
export function editableText(value: Value): string {
  if (value === null) return "";
  return typeof value === "string" ? value : String(value);
}
