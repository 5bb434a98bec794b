import {
  Group,
  Loader,
  NumberInput,
  Stack,
  Table,
  Text,
  Title,
  UnstyledButton,
} from "@mantine/core";
import { type CalendarFilter, useRefreshPlan } from "../../host";
import { formatDate } from "../assets/warranty";
import { formatMoney } from "./events";

interface RefreshPanelProps {
  filter: CalendarFilter;
  today: string;
  years: number;
  onYearsChange: (years: number) => void;
  onOpen: (assetId: number) => void;
}

const ROWS = 50;

/** Refresh planning: assets older than N years by purchase date, with replacement cost. */
export function RefreshPanel({ filter, today, years, onYearsChange, onOpen }: RefreshPanelProps) {
  const plan = useRefreshPlan({ filter, today, years, after: null, limit: ROWS });
  const p = plan.data;
  return (
    <Stack gap="xs" data-testid="refresh-panel">
      <Group justify="space-between" wrap="nowrap">
        <Title order={2} fz="sm">
          Refresh planning
        </Title>
        <NumberInput
          size="xs"
          w={110}
          min={1}
          max={50}
          suffix=" years"
          aria-label="Older than (years)"
          value={years}
          onChange={(v) => {
            const n = Number(v);
            if (Number.isInteger(n) && n >= 1 && n <= 50) onYearsChange(n);
          }}
        />
      </Group>
      {plan.isPending ? <Loader size="xs" /> : null}
      {plan.error ? (
        <Text size="sm" c="red">
          {plan.error.message}
        </Text>
      ) : null}
      {p?.totals ? (
        <Text size="sm" data-testid="refresh-total">
          <b>{p.totals.count.toLocaleString()}</b> bought on or before {formatDate(p.cutoff)} ·
          replacement <b>{formatMoney(p.totals.replacementCents)}</b>
          {p.totals.unpriced > 0 ? (
            <Text span size="xs" c="dimmed">
              {" "}
              ({p.totals.unpriced.toLocaleString()} without a price)
            </Text>
          ) : null}
        </Text>
      ) : null}
      {p && p.rows.length > 0 ? (
        <Table fz="xs" verticalSpacing={2} highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Asset</Table.Th>
              <Table.Th ta="right">Age</Table.Th>
              <Table.Th ta="right">Price</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {p.rows.map((r) => (
              <Table.Tr key={r.assetId}>
                <Table.Td>
                  <UnstyledButton
                    fz="xs"
                    onClick={() => onOpen(r.assetId)}
                    title={r.clientName ?? undefined}
                  >
                    {r.name}
                  </UnstyledButton>
                </Table.Td>
                <Table.Td ta="right" title={`Purchased ${formatDate(r.purchaseDate)}`}>
                  {r.ageYears} y
                </Table.Td>
                <Table.Td ta="right">
                  {r.purchasePriceCents === null ? "—" : formatMoney(r.purchasePriceCents)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
      {p?.totals && p.totals.count > p.rows.length ? (
        <Text size="xs" c="dimmed">
          Oldest {p.rows.length} shown; narrow the filters to see others.
        </Text>
      ) : null}
    </Stack>
  );
}
