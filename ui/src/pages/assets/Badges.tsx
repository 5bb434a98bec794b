import { Badge, Box, Group, Text } from "@mantine/core";
import type { ProviderKind, RowSyncState } from "../../host";
import { formatDate, type WarrantyUrgency, warrantyUrgency } from "./warranty";

const SYNC: Record<RowSyncState, { label: string; shape: string; color: string; hint: string }> = {
  synced: { label: "Synced", shape: "✓", color: "dimmed", hint: "Same as the provider" },
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
    <Group
      title={s.hint}
      gap={4}
      wrap="nowrap"
      data-testid="sync-badge"
      data-state={state}
      c={s.color}
      fz="xs"
      fw={state === "synced" ? 400 : 600}
    >
      <Box component="span" aria-hidden w={12} ta="center">
        {s.shape}
      </Box>
      <span>{s.label}</span>
    </Group>
  );
}

const URGENCY: Record<WarrantyUrgency, { label: string; color: string }> = {
  expired: { label: "Expired", color: "red" },
  "30": { label: "≤ 30 d", color: "orange" },
  "60": { label: "≤ 60 d", color: "yellow" },
  "90": { label: "≤ 90 d", color: "blue" },
  later: { label: "Later", color: "gray" },
};

/** The warranty end with its urgency on the one scale: text first, colour second. */
export function WarrantyBadge({ end, today }: { end: string | null; today: string }) {
  if (end === null) {
    return (
      <Text fz="xs" c="dimmed">
        —
      </Text>
    );
  }
  const urgency = warrantyUrgency(end, today);
  return (
    <Group
      title={end}
      gap={6}
      wrap="nowrap"
      data-testid="warranty"
      data-urgency={urgency ?? "unknown"}
    >
      {urgency && urgency !== "later" ? (
        <Badge
          size="xs"
          variant="light"
          color={URGENCY[urgency].color}
          radius="sm"
          tt="none"
          style={{ flexShrink: 0 }}
        >
          {URGENCY[urgency].label}
        </Badge>
      ) : null}
      <Text fz="xs" c={urgency === "later" ? "dimmed" : undefined} truncate>
        {formatDate(end)}
      </Text>
    </Group>
  );
}

/** The PSA a row lives in, as a small label (UX.md: wherever two PSAs mix). */
export function ProviderLabel({ provider }: { provider: ProviderKind }) {
  return (
    <Badge
      size="xs"
      variant="outline"
      color={provider === "halo" ? "indigo" : "teal"}
      radius="sm"
      style={{ flexShrink: 0 }}
    >
      {provider === "halo" ? "Halo" : "Syncro"}
    </Badge>
  );
}
