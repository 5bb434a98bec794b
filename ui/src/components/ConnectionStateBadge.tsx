import { Badge, Tooltip } from "@mantine/core";
import type { Connection } from "../host";

/** The one-word state of a connection's sync, shared by Settings, the Sync page and the top bar. */
export type ConnectionState = "syncing" | "offline" | "failed" | "never" | "synced";

export function connectionState(c: Connection): ConnectionState {
  const s = c.status;
  if (s.running) return "syncing";
  if (s.reachability === "offline") return "offline";
  if (s.reachability === "error" || s.lastError) return "failed";
  if (s.lastSyncAt === null) return "never";
  return "synced";
}

const LOOK: Record<ConnectionState, { label: string; color: string }> = {
  syncing: { label: "Syncing…", color: "indigo" },
  offline: { label: "Offline", color: "orange" },
  failed: { label: "Needs attention", color: "red" },
  never: { label: "Never synced", color: "gray" },
  synced: { label: "Synced", color: "teal" },
};

/**
 * A dot and a word (never colour alone, UX.md "Signals"). An offline or failed connection
 * carries Rust's reason on hover, so the user learns what is wrong without opening anything.
 */
export function ConnectionStateBadge({ connection }: { connection: Connection }) {
  const state = connectionState(connection);
  const reason = connection.status.lastError;
  const badge = (
    <Badge
      variant="dot"
      color={LOOK[state].color}
      tt="none"
      fw={500}
      size="md"
      data-testid="connection-state"
      data-state={state}
    >
      {LOOK[state].label}
    </Badge>
  );
  if (!reason || (state !== "failed" && state !== "offline")) return badge;
  return (
    <Tooltip label={reason} multiline w={320} withArrow>
      {badge}
    </Tooltip>
  );
}
