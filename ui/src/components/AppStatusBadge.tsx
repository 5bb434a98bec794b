import { Badge, Tooltip } from "@mantine/core";
import type { AppStatus } from "../host";

const LOOK: Record<AppStatus["phase"], { label: string; color: string }> = {
  starting: { label: "Opening cache…", color: "gray" },
  ready: { label: "Cache ready", color: "teal" },
  failed: { label: "Cache unavailable", color: "red" },
};

/** Whether the local cache is usable: a coloured dot plus words, never colour alone (UX.md). */
export function AppStatusBadge({ status }: { status: AppStatus }) {
  const look = LOOK[status.phase];
  const badge = (
    <Badge
      data-testid="app-status"
      data-phase={status.phase}
      variant="dot"
      color={look.color}
      size="lg"
      tt="none"
      fw={500}
      role="status"
    >
      {look.label}
    </Badge>
  );
  if (status.phase !== "failed") return badge;
  return (
    <Tooltip label={status.message} multiline w={320} withArrow>
      {badge}
    </Tooltip>
  );
}
