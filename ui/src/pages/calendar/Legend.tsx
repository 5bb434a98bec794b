import { Box, Group, Text } from "@mantine/core";
import { URGENCY, URGENCY_ORDER } from "./events";

/** The urgency scale with its words (colour is never the only signal). */
export function Legend({ refresh }: { refresh: boolean }) {
  return (
    <Group gap="sm" data-testid="calendar-legend" wrap="wrap">
      {URGENCY_ORDER.map((u) => (
        <Group key={u} gap={4} wrap="nowrap">
          <Box
            w={10}
            h={10}
            style={{
              borderRadius: 2,
              background: `var(--mantine-color-${URGENCY[u].color}-filled)`,
            }}
            aria-hidden
          />
          <Text size="xs">{URGENCY[u].label}</Text>
        </Group>
      ))}
      {refresh ? (
        <Group gap={4} wrap="nowrap">
          <Box
            w={10}
            h={10}
            style={{ borderRadius: 2, border: "2px dashed var(--mantine-color-grape-filled)" }}
            aria-hidden
          />
          <Text size="xs">Refresh due</Text>
        </Group>
      ) : null}
    </Group>
  );
}
