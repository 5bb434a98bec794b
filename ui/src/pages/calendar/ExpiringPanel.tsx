import {
  Group,
  Loader,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Title,
  UnstyledButton,
} from "@mantine/core";
import { type CalendarFilter, useExpiringSummary } from "../../host";
import { formatMoney } from "./events";

interface ExpiringPanelProps {
  filter: CalendarFilter;
  today: string;
  days: number;
  onDaysChange: (days: number) => void;
  /** Narrow the calendar to one client. */
  onPickClient: (connectionId: string, clientId: number) => void;
}

/** "Expiring in the next N days": how many, what they cost, per client. */
export function ExpiringPanel({
  filter,
  today,
  days,
  onDaysChange,
  onPickClient,
}: ExpiringPanelProps) {
  const summary = useExpiringSummary({ filter, today, days });
  const s = summary.data;
  return (
    <Stack gap="xs" data-testid="expiring-panel">
      <Group justify="space-between" wrap="nowrap">
        <Title order={2} fz="sm">
          Expiring in the next
        </Title>
        <SegmentedControl
          size="xs"
          value={String(days)}
          onChange={(v) => onDaysChange(Number(v))}
          data={["30", "60", "90", "180"].map((d) => ({ value: d, label: `${d} d` }))}
        />
      </Group>
      {summary.isPending ? <Loader size="xs" /> : null}
      {summary.error ? (
        <Text size="sm" c="red">
          {summary.error.message}
        </Text>
      ) : null}
      {s ? (
        <>
          <Text size="sm" data-testid="expiring-total">
            <b>{s.count.toLocaleString()}</b> asset{s.count === 1 ? "" : "s"} · purchase value{" "}
            <b>{formatMoney(s.purchaseCents)}</b>
            {s.unpriced > 0 ? (
              <Text span size="xs" c="dimmed">
                {" "}
                ({s.unpriced.toLocaleString()} without a price)
              </Text>
            ) : null}
          </Text>
          {s.clients.length > 0 ? (
            <Table fz="xs" verticalSpacing={2} highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Client</Table.Th>
                  <Table.Th ta="right">Assets</Table.Th>
                  <Table.Th ta="right">Value</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {s.clients.slice(0, 12).map((c) => (
                  <Table.Tr key={`${c.connectionId}:${c.clientId}`}>
                    <Table.Td>
                      {c.clientId !== null ? (
                        <UnstyledButton
                          fz="xs"
                          title="Show only this client"
                          onClick={() => onPickClient(c.connectionId, c.clientId as number)}
                        >
                          {c.clientName ?? `Client ${c.clientId}`}
                        </UnstyledButton>
                      ) : (
                        "No client"
                      )}
                    </Table.Td>
                    <Table.Td ta="right">{c.count.toLocaleString()}</Table.Td>
                    <Table.Td ta="right">{formatMoney(c.purchaseCents)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : (
            <Text size="xs" c="dimmed">
              Nothing expires in the next {days} days.
            </Text>
          )}
          {s.clients.length > 12 ? (
            <Text size="xs" c="dimmed">
              and {s.clients.length - 12} more clients
            </Text>
          ) : null}
        </>
      ) : null}
    </Stack>
  );
}
