import type { CSSProperties } from "react";
import type { ProviderKind, RowSyncState } from "../../host";
import classes from "./Badges.module.css";
import { formatDate, type WarrantyUrgency, warrantyUrgency } from "./warranty";

const SYNC: Record<RowSyncState, { label: string; shape: string; color?: string; hint: string }> = {
  synced: { label: "Synced", shape: "✓", hint: "Same as the provider" },
  pending: {
    label: "Pending",
    shape: "○",
    color: "var(--mantine-color-indigo-text)",
    hint: "Local changes wait to be sent",
  },
  failed: {
    label: "Failed",
    shape: "✕",
    color: "var(--mantine-color-red-text)",
    hint: "The provider rejected a change: open Sync for the reason",
  },
  conflict: {
    label: "Conflict",
    shape: "▲",
    color: "var(--mantine-color-orange-text)",
    hint: "Changed here and at the provider: open Sync to resolve",
  },
};

/** Where a row stands with its provider: a shape and a word, never colour alone (UX.md). */
export function SyncBadge({ state }: { state: RowSyncState }) {
  const s = SYNC[state];
  return (
    <span
      className={classes.sync}
      title={s.hint}
      data-testid="sync-badge"
      data-state={state}
      style={s.color ? { color: s.color } : undefined}
    >
      <span className={classes.shape} aria-hidden>
        {s.shape}
      </span>
      <span>{s.label}</span>
    </span>
  );
}

const URGENCY: Record<WarrantyUrgency, { label: string; color: string }> = {
  expired: { label: "Expired", color: "red" },
  "30": { label: "≤ 30 d", color: "orange" },
  "60": { label: "≤ 60 d", color: "yellow" },
  "90": { label: "≤ 90 d", color: "blue" },
  later: { label: "Later", color: "gray" },
};

/** A small label in one of Mantine's palette colours ("light" or "outline" look). */
function Tag({ color, outline, children }: { color: string; outline?: boolean; children: string }) {
  const vars: Record<string, string> = outline
    ? {
        "--badge-bg": "transparent",
        "--badge-color": `var(--mantine-color-${color}-outline)`,
        "--badge-border": `var(--mantine-color-${color}-outline)`,
      }
    : {
        "--badge-bg": `var(--mantine-color-${color}-light)`,
        "--badge-color": `var(--mantine-color-${color}-light-color)`,
      };
  const style = vars as CSSProperties;
  return (
    <span className={classes.badge} style={style}>
      {children}
    </span>
  );
}

/** The warranty end with its urgency on the one scale: text first, colour second. */
export function WarrantyBadge({ end, today }: { end: string | null; today: string }) {
  if (end === null) {
    return <span className={`${classes.date} ${classes.dimmed}`}>—</span>;
  }
  const urgency = warrantyUrgency(end, today);
  return (
    <span
      className={classes.line}
      title={end}
      data-testid="warranty"
      data-urgency={urgency ?? "unknown"}
    >
      {urgency && urgency !== "later" ? (
        <Tag color={URGENCY[urgency].color}>{URGENCY[urgency].label}</Tag>
      ) : null}
      <span className={urgency === "later" ? `${classes.date} ${classes.dimmed}` : classes.date}>
        {formatDate(end)}
      </span>
    </span>
  );
}

/** The PSA a row lives in, as a small label (UX.md: wherever two PSAs mix). */
export function ProviderLabel({ provider }: { provider: ProviderKind }) {
  return (
    <Tag color={provider === "halo" ? "indigo" : "teal"} outline>
      {provider === "halo" ? "Halo" : "Syncro"}
    </Tag>
  );
}
