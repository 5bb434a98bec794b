import { Box, Button, Group, Modal, Skeleton, Stack, Text } from "@mantine/core";
import { IconFlask, IconPlugConnected, IconPlus } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { HostErrorAlert } from "../../components/HostErrorAlert";
import { showDoneToast, showErrorToast } from "../../components/notify";
import { PageEmptyState } from "../../components/PageEmptyState";
import { Section } from "../../components/Section";
import {
  type Connection,
  type DemoStatus,
  type HostError,
  hostKeys,
  openDemo,
  removeConnection,
  testConnection,
  toHostError,
  useConnections,
} from "../../host";
import { ConnectionCard, type TestState } from "./ConnectionCard";
import { ConnectionForm, type ConnectionFormTarget } from "./ConnectionForm";

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString()} ${n === 1 ? one : many}`;

/** One confirmation naming what goes with the connection (UX.md "Feedback"). */
function RemoveDialog({ connection: c, onClose }: { connection: Connection; onClose: () => void }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    // Queued edits would be lost; the dialog says so, so confirming is the user's "force".
    mutationFn: () => removeConnection(c.id, c.queuedOps > 0),
    onSuccess: () => {
      showDoneToast(`Removed ${c.name}.`);
      onClose();
    },
    onError: (error) => showErrorToast(`Could not remove ${c.name}`, error),
    // Everything cached for it is gone: the asset list, the queue and the counts.
    onSettled: () => void queryClient.invalidateQueries({ queryKey: hostKeys.all }),
  });
  return (
    <Modal opened onClose={onClose} title={`Remove ${c.name}?`} data-testid="remove-dialog">
      <Stack gap="sm">
        <Text size="sm">
          Its {plural(c.cachedAssets, "cached asset")} will be removed from this computer. They stay
          in {c.kind === "halo" ? "HaloPSA" : "Syncro"}.
        </Text>
        {c.queuedOps > 0 ? (
          <Text size="sm" c="red" fw={600} data-testid="remove-queued-warning">
            {plural(c.queuedOps, "queued change")} that have not been sent will be lost.
          </Text>
        ) : null}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            Keep it
          </Button>
          <Button
            color="red"
            onClick={() => remove.mutate()}
            loading={remove.isPending}
            data-testid="remove-confirm"
          >
            Remove connection
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/**
 * The connections list with add, edit, test, check permissions, schedule and remove. A new
 * connection is tested as soon as it is saved, so a wrong secret shows up at once, not at the
 * first sync.
 */
export function ConnectionsSection() {
  const connections = useConnections();
  const [form, setForm] = useState<ConnectionFormTarget | null>(null);
  const [removing, setRemoving] = useState<Connection | null>(null);
  const [tests, setTests] = useState<Record<string, TestState>>({});
  const queryClient = useQueryClient();
  const demo = useMutation<DemoStatus, HostError>({
    mutationFn: openDemo,
    onSuccess: () => showDoneToast("The demo workspace is open; its data is syncing."),
    onError: (error) => showErrorToast("Could not open the demo workspace", error),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: hostKeys.all }),
  });

  const runTest = (id: string) => {
    setTests((t) => ({ ...t, [id]: { phase: "running" } }));
    testConnection(id).then(
      (outcome) => setTests((t) => ({ ...t, [id]: { phase: "done", outcome } })),
      (cause: unknown) =>
        setTests((t) => ({ ...t, [id]: { phase: "error", error: toHostError(cause) } })),
    );
  };

  const list = connections.data ?? [];
  const addButtons = (
    <Group gap="xs">
      <Button
        size="xs"
        leftSection={<IconPlus size={14} aria-hidden />}
        onClick={() => setForm({ mode: "add", kind: "halo" })}
        data-testid="add-halo"
      >
        Connect HaloPSA
      </Button>
      <Button
        size="xs"
        variant="default"
        leftSection={<IconPlus size={14} aria-hidden />}
        onClick={() => setForm({ mode: "add", kind: "syncro" })}
        data-testid="add-syncro"
      >
        Connect Syncro
      </Button>
    </Group>
  );
  const demoButton = (
    <Button
      size="xs"
      variant="subtle"
      leftSection={<IconFlask size={14} aria-hidden />}
      loading={demo.isPending}
      onClick={() => demo.mutate()}
      data-testid="open-demo"
    >
      Open the demo workspace
    </Button>
  );

  let body: ReactNode;
  if (connections.isError) {
    body = (
      <HostErrorAlert
        title="Could not load the connections"
        error={connections.error}
        onRetry={() => void connections.refetch()}
        retrying={connections.isFetching}
      />
    );
  } else if (connections.isLoading) {
    body = <Skeleton height={72} radius="md" />;
  } else if (list.length === 0) {
    body = (
      <PageEmptyState
        icon={IconPlugConnected}
        title="No connections yet"
        description="Connect a HaloPSA tenant or a Syncro account, or try AssetDesk on made-up data first. Each connection is listed here with its sync status."
        actions={
          <Stack gap="xs" align="center">
            {addButtons}
            {demoButton}
          </Stack>
        }
      />
    );
  } else {
    body = (
      <Stack gap="sm" data-testid="connection-list">
        {list.map((c) => (
          <ConnectionCard
            key={c.id}
            connection={c}
            test={tests[c.id]}
            onTest={() => runTest(c.id)}
            onEdit={() => setForm({ mode: "edit", connection: c })}
            onRemove={() => setRemoving(c)}
          />
        ))}
      </Stack>
    );
  }

  return (
    <Section
      title="Connections"
      description="The HaloPSA and Syncro accounts AssetDesk reads assets from. Secrets live in your OS keychain."
    >
      {list.length > 0 ? <Box mt="sm">{addButtons}</Box> : null}
      <Box mt="md">{body}</Box>
      {form ? (
        <ConnectionForm
          target={form}
          onClose={() => setForm(null)}
          onSaved={(saved) => {
            setForm(null);
            runTest(saved.id);
          }}
        />
      ) : null}
      {removing ? <RemoveDialog connection={removing} onClose={() => setRemoving(null)} /> : null}
    </Section>
  );
}
