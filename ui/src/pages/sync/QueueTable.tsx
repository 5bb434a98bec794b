import { Badge, Button, Group, Modal, Stack, Table, Text, Tooltip } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { showDoneToast, showErrorToast } from "../../components/notify";
import { RelativeTime } from "../../components/RelativeTime";
import {
  discardOp,
  type HostError,
  hostKeys,
  type OpState,
  type OutboxEntry,
  retryOp,
} from "../../host";
import { fieldLabel } from "../../lib/fieldLabels";

const STATE: Record<OpState, { label: string; color: string; hint: string }> = {
  pending: { label: "Queued", color: "indigo", hint: "Waits for the next sync" },
  in_flight: {
    label: "Sending",
    color: "blue",
    hint: "Sent, or being sent; checked with the provider before any retry",
  },
  failed: {
    label: "Needs attention",
    color: "red",
    hint: "The provider rejected it; fix the asset and retry, or discard it",
  },
  conflict: {
    label: "Conflict",
    color: "orange",
    hint: "Changed here and at the provider: resolve it above",
  },
  done: { label: "Sent", color: "teal", hint: "The provider has it" },
};

const OP: Record<string, string> = {
  create: "Create",
  update: "Edit",
  delete: "Delete",
  link: "Parent link",
};

function what(op: OutboxEntry): string {
  const fields = op.fields.length > 0 ? `: ${op.fields.map(fieldLabel).join(", ")}` : "";
  return `${OP[op.op] ?? op.op}${fields}`;
}

/**
 * The outbox: every change not yet acknowledged, with its state, attempts and last error;
 * Retry sends a failed change again at the next sync, Discard drops it after one confirmation
 * (it never reaches the provider; DESIGN.md invariant 2 allows no other way out).
 */
export function QueueTable({ ops }: { ops: OutboxEntry[] }) {
  const queryClient = useQueryClient();
  const [discarding, setDiscarding] = useState<OutboxEntry | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: hostKeys.all });
  const retry = useMutation<void, HostError, OutboxEntry>({
    mutationFn: (op) => retryOp(op.clientOpId),
    onSuccess: (_, op) => showDoneToast(`${op.assetName} will be sent at the next sync.`),
    onError: (error, op) => showErrorToast(`Could not retry the change to ${op.assetName}`, error),
    onSettled: refresh,
  });
  const discard = useMutation<void, HostError, OutboxEntry>({
    mutationFn: (op) => discardOp(op.clientOpId),
    onSuccess: (_, op) => {
      setDiscarding(null);
      showDoneToast(`Discarded the change to ${op.assetName}.`);
    },
    onError: (error, op) =>
      showErrorToast(`Could not discard the change to ${op.assetName}`, error),
    onSettled: refresh,
  });

  return (
    <>
      <Table.ScrollContainer minWidth={720}>
        <Table verticalSpacing={6} highlightOnHover data-testid="queue-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Asset</Table.Th>
              <Table.Th>Change</Table.Th>
              {/* Wide enough for the longest state ("Needs attention") on one line. */}
              <Table.Th miw={140}>State</Table.Th>
              <Table.Th ta="right">Attempts</Table.Th>
              <Table.Th>Queued</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {ops.map((op) => {
              const state = STATE[op.state];
              return (
                <Table.Tr key={op.clientOpId} data-testid="queue-row" data-state={op.state}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {op.assetName}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {op.connectionName}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{what(op)}</Text>
                    {op.lastError ? (
                      <Text size="xs" c="red" data-testid="queue-error">
                        {op.lastError}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    <Tooltip label={state.hint} withArrow>
                      <Badge
                        variant="light"
                        color={state.color}
                        tt="none"
                        data-testid="queue-state"
                      >
                        {state.label}
                      </Badge>
                    </Tooltip>
                  </Table.Td>
                  <Table.Td ta="right">
                    <Text size="sm">{op.attempts}</Text>
                  </Table.Td>
                  <Table.Td>
                    <RelativeTime size="xs" c="dimmed" atMs={op.createdAt} />
                  </Table.Td>
                  <Table.Td>
                    <Group gap={6} justify="flex-end" wrap="nowrap">
                      {op.canRetry ? (
                        <Button
                          size="compact-xs"
                          variant="default"
                          loading={retry.isPending && retry.variables?.clientOpId === op.clientOpId}
                          onClick={() => retry.mutate(op)}
                          data-testid="queue-retry"
                        >
                          Retry
                        </Button>
                      ) : null}
                      {!op.canDiscard ? null : (
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          color="red"
                          onClick={() => setDiscarding(op)}
                          data-testid="queue-discard"
                        >
                          Discard
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {discarding ? (
        <Modal opened onClose={() => setDiscarding(null)} title="Discard this change?">
          <Stack gap="sm">
            <Text size="sm">
              1 queued change to <b>{discarding.assetName}</b> ({what(discarding)}) will be dropped
              and never sent to {discarding.connectionName}. The asset goes back to the provider's
              version at the next sync.
            </Text>
            <Group justify="flex-end" gap="sm">
              <Button variant="default" onClick={() => setDiscarding(null)}>
                Keep it
              </Button>
              <Button
                color="red"
                loading={discard.isPending}
                onClick={() => discard.mutate(discarding)}
                data-testid="queue-discard-confirm"
              >
                Discard change
              </Button>
            </Group>
          </Stack>
        </Modal>
      ) : null}
    </>
  );
}
