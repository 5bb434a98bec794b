import { Badge, Button, Drawer, Group, Loader, Stack, Text, UnstyledButton } from "@mantine/core";
import { type CalendarFilter, type CalendarLayer, useCalendarDay } from "../../host";
import { formatDate } from "../assets/warranty";
import { URGENCY } from "./events";

interface DayDrawerProps {
  day: { date: string; layer: CalendarLayer } | null;
  filter: CalendarFilter;
  today: string;
  refreshYears: number | null;
  onOpen: (assetId: number) => void;
  onClose: () => void;
}

/** Every asset of a busy day (the "+N more" of a day cell), a page at a time. */
export function DayDrawer({ day, filter, today, refreshYears, onOpen, onClose }: DayDrawerProps) {
  const pages = useCalendarDay(
    day ? { filter, date: day.date, layer: day.layer, today, refreshYears, limit: 100 } : null,
  );
  const events = pages.data?.pages.flatMap((p) => p.events) ?? [];
  const what = day?.layer === "refresh" ? "Refresh due" : "Warranties ending";
  return (
    <Drawer
      opened={day !== null}
      onClose={onClose}
      position="right"
      size={420}
      title={day ? `${what} ${formatDate(day.date)}` : ""}
      data-testid="calendar-day-drawer"
    >
      <Stack gap={2}>
        {pages.isPending && day ? <Loader size="sm" /> : null}
        {pages.error ? <Text c="red">{pages.error.message}</Text> : null}
        {events.map((e) => (
          <UnstyledButton
            key={e.assetId}
            onClick={() => onOpen(e.assetId)}
            py={4}
            px="xs"
            data-testid="day-event"
          >
            <Group justify="space-between" wrap="nowrap">
              <div style={{ minWidth: 0 }}>
                <Text size="sm" truncate>
                  {e.name}
                </Text>
                <Text size="xs" c="dimmed" truncate>
                  {[e.clientName, e.typeName].filter(Boolean).join(" · ") || "—"}
                </Text>
              </div>
              <Badge size="xs" color={URGENCY[e.urgency].color} variant="light">
                {URGENCY[e.urgency].label}
              </Badge>
            </Group>
          </UnstyledButton>
        ))}
        {pages.hasNextPage ? (
          <Button
            size="xs"
            variant="subtle"
            loading={pages.isFetchingNextPage}
            onClick={() => void pages.fetchNextPage()}
          >
            Show more
          </Button>
        ) : null}
      </Stack>
    </Drawer>
  );
}
