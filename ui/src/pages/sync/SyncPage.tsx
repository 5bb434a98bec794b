import { Box, Button, Group, Skeleton, Stack, Text } from "@mantine/core";
import { IconCloudCheck, IconRefresh } from "@tabler/icons-react";
import type { ReactNode } from "react";
import { HostErrorAlert } from "../../components/HostErrorAlert";
import { Page } from "../../components/Page";
import { PageEmptyState } from "../../components/PageEmptyState";
import { Section } from "../../components/Section";
import { useConflicts, useConnections, useOutbox } from "../../host";
import { useNavigation } from "../../lib/navigation";
import { ConflictResolver } from "./ConflictResolver";
import { ConnectionSyncList } from "./ConnectionSyncList";
import { QueueTable } from "./QueueTable";
import { useSyncNow } from "./useSyncNow";

function NoConnection() {
  const { navigate } = useNavigation();
  return (
    <PageEmptyState
      icon={IconCloudCheck}
      title="Nothing to sync"
      description="There is no connection yet, so nothing is queued, failed or in conflict. Once you connect, changes you make offline wait here until they are sent."
      actions={
        <Button variant="default" onClick={() => navigate("settings")}>
          Open Settings
        </Button>
      }
    />
  );
}

/**
 * The sync centre: each connection's state with Sync now / Cancel and live progress, the
 * conflicts waiting for a choice, and the queue of changes not yet acknowledged.
 */
export function SyncPage() {
  const connections = useConnections();
  const outbox = useOutbox();
  const conflicts = useConflicts();
  const syncAll = useSyncNow();

  const list = connections.data ?? [];
  const ops = (outbox.data ?? []).filter((op) => op.state !== "done");
  const open = conflicts.data ?? [];
  let content: ReactNode;
  if (connections.isError) {
    content = (
      <HostErrorAlert
        title="Could not load the connections"
        error={connections.error}
        onRetry={() => void connections.refetch()}
        retrying={connections.isFetching}
      />
    );
  } else if (connections.isLoading) {
    content = <Skeleton height={72} radius="md" />;
  } else if (list.length === 0) {
    content = <NoConnection />;
  } else {
    content = (
      <Stack gap="md" maw={1100} pb="lg">
        <Section title="Connections">
          <Group justify="space-between" mt={4} mb="sm">
            <Text size="sm" c="dimmed">
              Changes sync in the background; sync now to send or fetch at once.
            </Text>
            <Button
              size="xs"
              variant="default"
              leftSection={<IconRefresh size={14} aria-hidden />}
              disabled={syncAll.isPending}
              onClick={() => syncAll.mutate(null)}
              data-testid="sync-all"
            >
              {syncAll.isPending ? "Syncing all…" : "Sync all"}
            </Button>
          </Group>
          <ConnectionSyncList connections={list} />
        </Section>
        {open.length > 0 ? (
          <Section
            title={`Conflicts (${open.length})`}
            description="These fields changed both here and at the provider since your edit. Choose which value wins; nothing is sent until you do."
          >
            <Box mt="md">
              <ConflictResolver conflicts={open} />
            </Box>
          </Section>
        ) : null}
        {conflicts.isError ? (
          <HostErrorAlert
            title="Could not load the conflicts"
            error={conflicts.error}
            onRetry={() => void conflicts.refetch()}
          />
        ) : null}
        <Section
          title={`Queue (${ops.length})`}
          description="Changes made in AssetDesk that the provider has not acknowledged yet."
        >
          <Box mt="md">
            {outbox.isError ? (
              <HostErrorAlert
                title="Could not load the queue"
                error={outbox.error}
                onRetry={() => void outbox.refetch()}
              />
            ) : ops.length === 0 ? (
              <Text size="sm" c="dimmed" data-testid="queue-empty">
                Nothing queued: every change you made has reached its provider.
              </Text>
            ) : (
              <QueueTable ops={ops} />
            )}
          </Box>
        </Section>
      </Stack>
    );
  }

  return (
    <Page title="Sync" description="Changes waiting to be sent, and any that need your attention.">
      {content}
    </Page>
  );
}
