import {
  Badge,
  Button,
  Group,
  Progress,
  Stack,
  Text,
  Tooltip,
  UnstyledButton,
} from "@mantine/core";
import { IconRefresh } from "@tabler/icons-react";
import { AppStatusBadge } from "../components/AppStatusBadge";
import { RelativeTime } from "../components/RelativeTime";
import { type Connection, useAppStatus, useConnections, useSyncProgresses } from "../host";
import { useNavigation } from "../lib/navigation";
import { progressLine, progressPercent } from "../pages/sync/progress";
import { useSyncNow } from "../pages/sync/useSyncNow";

type Reach = "online" | "offline" | "partial" | "unknown";

/**
 * Offline when no connection's provider answered its last sync or test, partly offline when
 * some did not. A provider that answered with an error (bad credentials, say) is reachable:
 * that is a connection problem, shown on the connection, not a network one.
 */
function reach(connections: Connection[]): Reach {
  const offline = connections.filter((c) => c.status.reachability === "offline").length;
  const known = connections.filter((c) => c.status.reachability !== "unknown").length;
  if (offline === 0) return known === 0 ? "unknown" : "online";
  return offline === connections.length ? "offline" : "partial";
}

const REACH: Record<Reach, { label: string; color: string }> = {
  online: { label: "Online", color: "teal" },
  offline: { label: "Offline", color: "orange" },
  partial: { label: "Partly offline", color: "orange" },
  unknown: { label: "Checking…", color: "gray" },
};

/**
 * The Sync button's place while syncing: a bar with the page fraction when the pull knows its
 * page count, an animated one otherwise; the phase of each connection on hover.
 */
function SyncingIndicator({ connections }: { connections: Connection[] }) {
  const progresses = useSyncProgresses(connections.map((c) => c.id));
  const percents = progresses.map(progressPercent).filter((p): p is number => p !== null);
  const value = percents.length > 0 ? percents.reduce((a, b) => a + b, 0) / percents.length : null;
  const lines = connections.map((c, i) => `${c.name}: ${progressLine(progresses[i])}`);
  return (
    <Tooltip
      label={lines.join("\n")}
      multiline
      w={300}
      withArrow
      style={{ whiteSpace: "pre-line" }}
    >
      <Stack gap={2} w={128} data-testid="topbar-sync-progress">
        <Text size="xs" fw={500} lh={1.2}>
          Syncing…
        </Text>
        <Progress
          size="sm"
          value={value ?? 100}
          animated={value === null}
          striped={value === null}
          aria-label="Sync progress"
        />
      </Stack>
    </Tooltip>
  );
}

/**
 * Whether the PSAs can be reached, how many changes wait to be sent, when the last sync
 * finished, and a Sync button that shows it is working. Offline is a normal state here, not
 * an error: edits queue and go out at the next sync (UX.md "Forms").
 */
function SyncStatus({ connections }: { connections: Connection[] }) {
  const { navigate } = useNavigation();
  const sync = useSyncNow();
  const state = reach(connections);
  const offlineNames = connections
    .filter((c) => c.status.reachability === "offline")
    .map((c) => c.name);
  const pending = connections.reduce((n, c) => n + c.queuedOps, 0);
  const running = sync.isPending || connections.some((c) => c.status.running);
  const last = connections.reduce<number | null>((max, c) => {
    const at = c.status.lastSyncAt;
    return at !== null && (max === null || at > max) ? at : max;
  }, null);

  return (
    <Group gap="sm" wrap="nowrap">
      <Tooltip
        label={
          state === "online"
            ? "Every connection answered at its last sync."
            : state === "unknown"
              ? "No sync or test has run since AssetDesk opened."
              : `Not reachable at the last sync: ${offlineNames.join(", ")}. Edits are kept and sent once it answers.`
        }
        multiline
        w={280}
        withArrow
      >
        <Badge
          data-testid="online-state"
          data-state={state}
          variant="dot"
          color={REACH[state].color}
          size="lg"
          tt="none"
          fw={500}
          role="status"
        >
          {REACH[state].label}
        </Badge>
      </Tooltip>
      <UnstyledButton
        onClick={() => navigate("sync")}
        aria-label={`${pending} change(s) waiting to sync: open Sync`}
        data-testid="pending-count"
      >
        <Text size="sm" c={pending > 0 ? undefined : "dimmed"} fw={pending > 0 ? 600 : 400}>
          {pending === 0 ? "All sent" : `${pending.toLocaleString()} pending`}
        </Text>
      </UnstyledButton>
      {last !== null ? (
        <RelativeTime size="xs" c="dimmed" atMs={last} prefix="Synced" visibleFrom="md" />
      ) : null}
      {running ? (
        <SyncingIndicator connections={connections.filter((c) => c.status.running)} />
      ) : (
        <Button
          size="compact-sm"
          variant="default"
          leftSection={<IconRefresh size={14} aria-hidden />}
          onClick={() => sync.mutate(null)}
          data-testid="topbar-sync"
        >
          Sync
        </Button>
      )}
    </Group>
  );
}

/** Product name on the left; on the right, sync and network state and whether the cache works. */
export function TopBar() {
  const status = useAppStatus();
  const connections = useConnections();
  const list = connections.data ?? [];
  return (
    <Group h="100%" px="md" justify="space-between" wrap="nowrap">
      <Group gap="sm" wrap="nowrap">
        <img src="/favicon.svg" alt="" width={24} height={24} />
        <Text fw={600} size="md" c="bright" data-testid="product-name">
          AssetDesk
        </Text>
      </Group>
      <Group gap="md" wrap="nowrap">
        {list.length > 0 ? <SyncStatus connections={list} /> : null}
        <AppStatusBadge status={status} />
      </Group>
    </Group>
  );
}
