import FullCalendar from "@fullcalendar/react";
import dayGridPlugin from "@fullcalendar/react/daygrid";
import listPlugin from "@fullcalendar/react/list";
import classicTheme from "@fullcalendar/react/themes/classic";
import "@fullcalendar/react/skeleton.css";
import "@fullcalendar/react/themes/classic/theme.css";
import "@fullcalendar/react/themes/classic/palette.css";
import { Box } from "@mantine/core";
import { memo, useMemo } from "react";
import type { CalendarRange } from "../../host";
import { type CalendarItem, dayBefore, isoDay, toFcEvents, URGENCY } from "./events";
import classes from "./WarrantyCalendar.module.css";

interface WarrantyCalendarProps {
  range: CalendarRange | undefined;
  /** The visible range changed (first render, prev/next, another view). Inclusive days. */
  onRange: (from: string, to: string) => void;
  onOpenAsset: (assetId: number) => void;
  onOpenDay: (item: Extract<CalendarItem, { kind: "more" }>) => void;
}

const PLUGINS = [classicTheme, dayGridPlugin, listPlugin];

interface Orderable {
  title: string;
  extendedProps: Record<string, unknown>;
}

/** Assets by name first, then a busy day's "+N more" at the bottom of its cell. */
function byKindThenTitle(x: unknown, y: unknown): number {
  const a = x as Orderable;
  const b = y as Orderable;
  const rank = (e: Orderable) => ((e.extendedProps as CalendarItem).kind === "more" ? 1 : 0);
  return rank(a) - rank(b) || a.title.localeCompare(b.title);
}

/** One event: plain elements (a month at 1M assets holds ~200 of them; keep them cheap). */
function Chip({ item }: { item: CalendarItem }) {
  if (item.kind === "more") {
    return (
      <span className={classes.more} data-testid="calendar-more">
        +{item.hidden} more
      </span>
    );
  }
  const e = item.event;
  const u = URGENCY[e.urgency];
  const refresh = e.layer === "refresh";
  const color = refresh ? "grape" : u.color;
  return (
    <span
      className={classes.chip}
      data-testid="calendar-event"
      data-asset-id={e.assetId}
      data-urgency={e.urgency}
      data-layer={e.layer}
      data-date={e.date}
      title={`${e.name} — ${refresh ? "refresh due" : "warranty ends"} (${u.label})${e.clientName ? ` · ${e.clientName}` : ""}`}
      style={{
        background: refresh ? "transparent" : `var(--mantine-color-${u.color}-light)`,
        border: refresh ? "1px dashed var(--mantine-color-grape-filled)" : undefined,
        borderLeft: `3px solid var(--mantine-color-${color}-filled)`,
      }}
    >
      <span className={classes.tag}>{refresh ? "Refresh" : u.short}</span>
      <span className={classes.name}>{e.name}</span>
    </span>
  );
}

/**
 * FullCalendar with month, week and agenda (list) views of warranty ends. It asks for its
 * visible range through `onRange` and shows only what the backend sent for it.
 */
export const WarrantyCalendar = memo(function WarrantyCalendar({
  range,
  onRange,
  onOpenAsset,
  onOpenDay,
}: WarrantyCalendarProps) {
  const events = useMemo(() => (range ? toFcEvents(range) : []), [range]);
  return (
    <Box data-testid="warranty-calendar" style={{ flex: 1, minHeight: 520 }}>
      <FullCalendar
        plugins={PLUGINS}
        initialView="dayGridMonth"
        headerToolbar={{
          start: "prev,next today",
          center: "title",
          end: "dayGridMonth,dayGridWeek,listMonth",
        }}
        buttons={{
          today: { text: "Today" },
          dayGridMonth: { text: "Month" },
          dayGridWeek: { text: "Week" },
          listMonth: { text: "Agenda" },
        }}
        height="100%"
        events={events}
        eventOrder={byKindThenTitle}
        displayEventTime={false}
        datesSet={(info) => onRange(isoDay(info.start), isoDay(dayBefore(info.end)))}
        eventContent={(arg) => <Chip item={arg.event.extendedProps as CalendarItem} />}
        eventClick={(info) => {
          const item = info.event.extendedProps as CalendarItem;
          if (item.kind === "asset") onOpenAsset(item.event.assetId);
          else onOpenDay(item);
        }}
        eventColor="transparent"
        noEventsContent="No warranty ends in this range under these filters."
      />
    </Box>
  );
});
