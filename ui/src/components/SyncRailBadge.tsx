import { Badge, Tooltip } from "@mantine/core";
import { useQueueCounts } from "../host";

/**
 * The Sync rail entry's badge (UX.md "Layout": queued / failed / conflicts). The most urgent
 * count wins the colour: conflicts (amber) and failures (red) need the user; queued edits
 * (quiet) only wait for the next sync. Nothing is shown when nothing waits.
 */
export function SyncRailBadge() {
  const counts = useQueueCounts().data;
  if (!counts || (counts.queued === 0 && counts.conflicts === 0)) return null;
  const { queued, failed, conflicts } = counts;
  const [count, color] =
    conflicts > 0 ? [conflicts, "orange"] : failed > 0 ? [failed, "red"] : [queued, "gray"];
  const parts = [
    `${queued} queued`,
    ...(failed > 0 ? [`${failed} need attention`] : []),
    ...(conflicts > 0 ? [`${conflicts} in conflict`] : []),
  ];
  return (
    <Tooltip label={parts.join(" · ")} withArrow position="right">
      <Badge
        size="sm"
        circle={count < 10}
        color={color}
        variant={color === "gray" ? "light" : "filled"}
        data-testid="sync-rail-badge"
        aria-label={parts.join(", ")}
      >
        {count}
      </Badge>
    </Tooltip>
  );
}
