import { Button, Group, Paper, Stack, Table, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { showErrorToast } from "../../components/notify";
import {
  type ConflictEntry,
  type HostError,
  hostKeys,
  type Resolution,
  resolveConflict,
  type Value,
} from "../../host";
import { editableText, isTypeable, parseEdited } from "./editValue";

/** One of base / yours / theirs, as Rust wrote it for people (lookup ids become names). */
function ValueCell({
  value,
  text,
  testId,
  strong,
}: {
  value: Value;
  text: string;
  testId: string;
  strong?: boolean;
}) {
  return (
    <Table.Td data-testid={testId}>
      <Text
        size="sm"
        fw={strong ? 600 : 400}
        c={value === null || value === "" ? "dimmed" : undefined}
        style={{ wordBreak: "break-word" }}
      >
        {text}
      </Text>
    </Table.Td>
  );
}

function ConflictRow({ conflict: c }: { conflict: ConflictEntry }) {
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<string | null>(null);
  const resolve = useMutation<void, HostError, Resolution>({
    mutationFn: (resolution) => resolveConflict(c.id, resolution),
    onSuccess: () => setEditing(null),
    onError: (error) => showErrorToast(`Could not resolve ${c.label} of ${c.assetName}`, error),
    // The asset's badge, the queue and the counts all change with a resolution.
    onSettled: () => void queryClient.invalidateQueries({ queryKey: hostKeys.all }),
  });
  const editable = isTypeable(c);
  const busy = resolve.isPending;
  const submitEdit = (event: FormEvent) => {
    event.preventDefault();
    if (editing === null) return;
    resolve.mutate({ kind: "edit", value: parseEdited(editing, c.local ?? c.remote ?? c.base) });
  };

  return (
    <>
      <Table.Tr data-testid="conflict-field" data-field={c.field}>
        <Table.Td>
          <Text size="sm" fw={600}>
            {c.label}
          </Text>
        </Table.Td>
        <ValueCell value={c.base} text={c.baseText} testId="conflict-base" />
        <ValueCell value={c.local} text={c.localText} testId="conflict-yours" strong />
        <ValueCell value={c.remote} text={c.remoteText} testId="conflict-theirs" strong />
        <Table.Td>
          <Group gap={6} wrap="nowrap" justify="flex-end">
            <Button
              size="compact-xs"
              variant="default"
              disabled={busy}
              onClick={() => resolve.mutate({ kind: "keep_mine" })}
              data-testid="keep-mine"
            >
              Keep mine
            </Button>
            <Button
              size="compact-xs"
              variant="default"
              disabled={busy}
              onClick={() => resolve.mutate({ kind: "take_theirs" })}
              data-testid="take-theirs"
            >
              Take theirs
            </Button>
            {editable ? (
              <Button
                size="compact-xs"
                variant="subtle"
                disabled={busy}
                onClick={() => setEditing(editableText(c.local))}
                data-testid="edit-value"
              >
                Edit…
              </Button>
            ) : null}
          </Group>
        </Table.Td>
      </Table.Tr>
      {editing !== null ? (
        <Table.Tr>
          <Table.Td colSpan={5}>
            <form onSubmit={submitEdit}>
              <Group gap="xs" align="flex-end">
                <TextInput
                  size="xs"
                  label={`New value for ${c.label}`}
                  value={editing}
                  onChange={(e) => setEditing(e.currentTarget.value)}
                  data-autofocus
                  autoFocus
                  style={{ flex: 1 }}
                  data-testid="edit-input"
                />
                <Button size="xs" type="submit" loading={busy} data-testid="edit-save">
                  Use this value
                </Button>
                <Button size="xs" variant="default" onClick={() => setEditing(null)}>
                  Cancel
                </Button>
              </Group>
            </form>
          </Table.Td>
        </Table.Tr>
      ) : null}
    </>
  );
}

/**
 * The conflict resolver: for each asset changed both here and at the provider, every
 * conflicting field with its base (what both sides started from), yours and theirs. The user
 * keeps theirs, takes mine, or types a value; nothing is overwritten without that choice
 * (DESIGN.md invariant 3).
 */
export function ConflictResolver({ conflicts }: { conflicts: ConflictEntry[] }) {
  const byAsset = new Map<number, ConflictEntry[]>();
  for (const c of conflicts) byAsset.set(c.assetId, [...(byAsset.get(c.assetId) ?? []), c]);

  return (
    <Stack gap="sm" data-testid="conflict-resolver">
      {[...byAsset.values()].map((fields) => {
        const first = fields[0] as ConflictEntry;
        return (
          <Paper
            key={first.assetId}
            withBorder
            radius="md"
            p="sm"
            data-testid="conflict-asset"
            aria-label={`Conflict on ${first.assetName}`}
          >
            <Group gap="xs" mb="xs">
              <Text fw={600}>{first.assetName}</Text>
              <Text size="xs" c="dimmed">
                {first.connectionName} · {fields.length} field{fields.length === 1 ? "" : "s"}{" "}
                changed on both sides
              </Text>
            </Group>
            <Table layout="fixed" verticalSpacing={6} withRowBorders>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w="16%">Field</Table.Th>
                  <Table.Th w="18%">Base</Table.Th>
                  <Table.Th w="20%">Yours</Table.Th>
                  <Table.Th w="20%">Theirs</Table.Th>
                  <Table.Th w="26%">
                    <Text span size="xs" c="dimmed" fw={500} display="block" ta="right">
                      Choose
                    </Text>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {fields.map((c) => (
                  <ConflictRow key={c.id} conflict={c} />
                ))}
              </Table.Tbody>
            </Table>
          </Paper>
        );
      })}
    </Stack>
  );
}
