import {
  Badge,
  Button,
  Group,
  Loader,
  Modal,
  ScrollArea,
  Stack,
  Text,
  TextInput,
  UnstyledButton,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconSearch } from "@tabler/icons-react";
import { useState } from "react";
import { type LinkCandidate, type LinkRole, useLinkCandidates } from "../../host";

interface LinkPickerProps {
  /** The asset whose parent (or new child) is being chosen; `null` keeps the picker closed. */
  assetId: number | null;
  assetName: string;
  role: LinkRole;
  onClose: () => void;
  /** Called with the chosen candidate; the caller performs the link. */
  onPick: (candidate: LinkCandidate) => void;
  busy?: boolean;
}

const TITLES: Record<LinkRole, (name: string) => string> = {
  parent: (name) => `Set the parent of “${name}”`,
  child: (name) => `Add a child under “${name}”`,
};

/**
 * The search picker of "Set parent", "Move" and "Add child": assets of the same connection by
 * word prefix, each refused choice shown greyed with its reason (itself, a loop, already so
 * linked) instead of hidden, so the user learns why.
 */
export function LinkPicker({
  assetId,
  assetName,
  role,
  onClose,
  onPick,
  busy = false,
}: LinkPickerProps) {
  const [query, setQuery] = useState("");
  const [debounced] = useDebouncedValue(query, 150);
  const candidates = useLinkCandidates(
    assetId === null ? null : { assetId, role, query: debounced, limit: 30 },
  );
  return (
    <Modal
      opened={assetId !== null}
      onClose={onClose}
      title={TITLES[role](assetName)}
      size="lg"
      data-testid="link-picker"
    >
      <Stack gap="sm">
        <TextInput
          data-autofocus
          data-testid="link-picker-search"
          placeholder="Search by name, serial, model…"
          leftSection={<IconSearch size={14} aria-hidden />}
          value={query}
          onChange={(e) => setQuery(e.currentTarget.value)}
          rightSection={candidates.isFetching ? <Loader size={14} /> : null}
        />
        {candidates.error ? (
          <Text c="red" size="sm">
            {candidates.error.message}
          </Text>
        ) : null}
        <ScrollArea.Autosize mah={360}>
          <Stack gap={2}>
            {(candidates.data ?? []).map((c) => (
              <UnstyledButton
                key={c.id}
                data-testid="link-candidate"
                data-name={c.name}
                disabled={c.blocked !== null || busy}
                onClick={() => onPick(c)}
                px="sm"
                py={6}
                style={{
                  borderRadius: 4,
                  opacity: c.blocked ? 0.55 : 1,
                  cursor: c.blocked ? "not-allowed" : "pointer",
                }}
                title={c.blocked ?? c.warning ?? undefined}
              >
                <Group justify="space-between" wrap="nowrap" gap="sm">
                  <div style={{ minWidth: 0 }}>
                    <Text size="sm" fw={500} truncate>
                      {c.name}
                    </Text>
                    <Text size="xs" c="dimmed" truncate>
                      {[c.typeName, c.clientName].filter(Boolean).join(" · ") || "—"}
                    </Text>
                  </div>
                  {c.blocked ? (
                    <Text size="xs" c="dimmed">
                      {c.blocked}
                    </Text>
                  ) : c.warning ? (
                    <Badge size="xs" color="yellow" variant="light">
                      Other client
                    </Badge>
                  ) : null}
                </Group>
              </UnstyledButton>
            ))}
            {candidates.data && candidates.data.length === 0 ? (
              <Text size="sm" c="dimmed" py="sm">
                No asset matches “{debounced}” in this connection.
              </Text>
            ) : null}
          </Stack>
        </ScrollArea.Autosize>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
