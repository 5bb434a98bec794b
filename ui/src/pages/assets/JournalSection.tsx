import { Box, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { RelativeTime } from "../../components/RelativeTime";
import { useAssetJournal, type Value } from "../../host";
import { fieldLabel } from "../../lib/fieldLabels";

const ACTIONS: Record<string, string> = {
  create: "Created",
  update: "Changed",
  delete: "Deleted",
  link: "Linked",
  ticket_queued: "Ticket requested",
  ticket_created: "Ticket created",
};

function show(v: Value): string {
  if (v === null || v === "") return "—";
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (Array.isArray(v)) return v.length === 0 ? "—" : v.map(show).join(", ");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/**
 * The asset's journal in the detail panel: what changed, when and by whom, and whether each
 * change has reached the provider ("Not synced yet" while it waits in the outbox).
 */
export function JournalSection({ id }: { id: number }) {
  const journal = useAssetJournal(id);
  return (
    <Box component="section" aria-label="Journal" data-testid="journal">
      <Title order={3} fz="xs" tt="uppercase" c="dimmed" mb={6} style={{ letterSpacing: "0.03em" }}>
        Journal
      </Title>
      {journal.isPending ? (
        <Loader size="xs" aria-label="Loading the journal" />
      ) : journal.isError ? (
        <Text fz="xs" c="red">
          {journal.error.message}
        </Text>
      ) : journal.data.lines.length === 0 ? (
        <Text fz="xs" c="dimmed">
          No changes recorded here yet.
        </Text>
      ) : (
        <Stack gap={8}>
          {journal.data.lines.map((line) => (
            <Box key={line.id} data-testid="journal-line">
              <Group gap={6} wrap="nowrap" justify="space-between">
                <Text fz="xs" fw={600} truncate>
                  {ACTIONS[line.action] ?? line.action}
                  <Text span fz="xs" c="dimmed" fw={400}>
                    {" "}
                    by {line.origin === "sync" ? "sync" : line.actor}
                  </Text>
                </Text>
                <Text fz="xs" c={line.synced ? "dimmed" : "indigo"} style={{ flexShrink: 0 }}>
                  {line.synced ? "✓ Synced" : "○ Not synced yet"}
                </Text>
              </Group>
              <RelativeTime atMs={Date.parse(line.at)} fz="xs" c="dimmed" />
              {line.changes
                .filter((c) => line.action !== "create" || (c.to !== null && c.to !== ""))
                .slice(0, 12)
                .map((c) => (
                  <Text key={c.field} fz="xs" style={{ overflowWrap: "anywhere" }}>
                    <Text span fz="xs" c="dimmed">
                      {fieldLabel(c.field)}:
                    </Text>{" "}
                    {line.action === "create"
                      ? (c.toName ?? show(c.to))
                      : `${c.fromName ?? show(c.from)} → ${c.toName ?? show(c.to)}`}
                  </Text>
                ))}
            </Box>
          ))}
          {journal.data.truncated ? (
            <Text fz="xs" c="dimmed">
              Older entries are not shown.
            </Text>
          ) : null}
        </Stack>
      )}
    </Box>
  );
}
