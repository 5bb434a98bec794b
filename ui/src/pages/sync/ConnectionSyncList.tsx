import { Button, Group, Paper, Progress, Stack, Text } from "@mantine/core";
import { IconPlayerStop, IconRefresh } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ConnectionStateBadge } from "../../components/ConnectionStateBadge";
import { showErrorToast } from "../../components/notify";
import { RelativeTime } from "../../components/RelativeTime";
import {
  type Connection,
  cancelSync,
  connectionKeys,
  type HostError,
  type SyncReport,
  useSyncOutcome,
  useSyncProgress,
} from "../../host";
import { ProviderLabel } from "../assets/Badges";
import { progressLine, progressPercent } from "./progress";
import { useSyncNow } from "./useSyncNow";

function ConnectionSyncRow({ connection: c }: { connection: Connection }) {
  const queryClient = useQueryClient();
  const progress = useSyncProgress(c.id);
  const outcome = useSyncOutcome(c.id);
  const start = useSyncNow();
  const cancel = useMutation<number, HostError>({
    mutationFn: () => cancelSync(c.id),
    onError: (error) => showErrorToast(`Could not cancel the sync of ${c.name}`, error),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: connectionKeys.all }),
  });
  // "Sync now" resolves when the sync ends; the status event may come a moment later.
  const running = c.status.running || start.isPending;
  const value = progressPercent(progress);
  const report = outcome?.report;

  return (
    <Paper withBorder p="sm" radius="md" data-testid="sync-connection" aria-label={c.name}>
      <Group justify="space-between" wrap="nowrap" gap="md">
        <Stack gap={4} style={{ minWidth: 0 }}>
          <Group gap="xs" wrap="nowrap">
            <ProviderLabel provider={c.kind} />
            <Text fw={600} truncate>
              {c.name}
            </Text>
          </Group>
          <Group gap="sm">
            <ConnectionStateBadge
              connection={running ? { ...c, status: { ...c.status, running: true } } : c}
            />
            {c.status.lastSyncAt !== null ? (
              <RelativeTime size="xs" c="dimmed" atMs={c.status.lastSyncAt} prefix="Last sync" />
            ) : (
              <Text size="xs" c="dimmed">
                Not synced yet
              </Text>
            )}
            {c.queuedOps > 0 ? (
              <Text size="xs" c="dimmed">
                {c.queuedOps.toLocaleString()} queued
              </Text>
            ) : null}
          </Group>
        </Stack>
        {running ? (
          <Button
            size="xs"
            variant="default"
            leftSection={<IconPlayerStop size={14} aria-hidden />}
            loading={cancel.isPending}
            onClick={() => cancel.mutate()}
            data-testid="sync-cancel"
          >
            Cancel
          </Button>
        ) : (
          <Button
            size="xs"
            leftSection={<IconRefresh size={14} aria-hidden />}
            onClick={() => start.mutate(c.id)}
            data-testid="sync-now"
          >
            Sync now
          </Button>
        )}
      </Group>
      {running ? (
        <Stack gap={4} mt="sm" data-testid="sync-progress">
          <Progress
            value={value ?? 100}
            animated={value === null}
            striped={value === null}
            size="sm"
            aria-label={`Sync of ${c.name}`}
          />
          <Text size="xs" c="dimmed" data-testid="sync-progress-text">
            {progressLine(progress)}
          </Text>
        </Stack>
      ) : report ? (
        <Text size="xs" c="dimmed" mt="xs" data-testid="sync-summary">
          {reportLine(report)}
        </Text>
      ) : null}
    </Paper>
  );
}

/** The finishing summary UX.md asks for: created / updated / … with the reason on failure. */
function reportLine(r: SyncReport): string {
  const parts = [
    `${r.pull.inserted.toLocaleString()} new`,
    `${r.pull.updated.toLocaleString()} updated`,
    `${r.pull.unchanged.toLocaleString()} unchanged`,
    `${r.pull.tombstoned.toLocaleString()} removed`,
    `${r.push.acked.toLocaleString()} sent`,
  ];
  if (r.push.conflicts > 0) parts.push(`${r.push.conflicts} conflict(s)`);
  if (r.push.rejected > 0) parts.push(`${r.push.rejected} rejected`);
  const line = `Last sync: ${parts.join(" · ")}`;
  return r.error ? `${line}. Stopped: ${r.error.message}` : line;
}

/** Every connection with its state, Sync now / Cancel, and a progress bar while syncing. */
export function ConnectionSyncList({ connections }: { connections: Connection[] }) {
  return (
    <Stack gap="sm">
      {connections.map((c) => (
        <ConnectionSyncRow key={c.id} connection={c} />
      ))}
    </Stack>
  );
}
