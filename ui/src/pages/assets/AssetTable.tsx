import { Box, Group, Loader, UnstyledButton } from "@mantine/core";
import { IconArrowDown, IconArrowUp } from "@tabler/icons-react";
import { useVirtualizer } from "@tanstack/react-virtual";
import {
  type CSSProperties,
  memo,
  type PointerEvent,
  type ReactNode,
  type RefObject,
  useCallback,
  useEffect,
  useRef,
} from "react";
import type { AssetRow, CatalogSort, SortColumn } from "../../host";
import { markOnce } from "../../lib/startupMarks";
import classes from "./AssetTable.module.css";
import { ProviderLabel, SyncBadge, WarrantyBadge } from "./Badges";
import {
  type ColumnId,
  type ColumnPref,
  columnDef,
  gridTemplate,
  minTableWidth,
  resizeColumn,
} from "./listPrefs";

/** Compact rows (UX.md: dense, 13 px text). */
export const ROW_HEIGHT = 32;

interface Column {
  id: ColumnId;
  render: (row: AssetRow, today: string, showProvider: boolean) => ReactNode;
}

// Cells are plain spans styled by the CSS module: a search re-renders every visible row, so a
// row costs a few elements, not a tree of styled components.
const text = (value: string | null) =>
  value ? (
    <span className={classes.text}>{value}</span>
  ) : (
    <span className={`${classes.text} ${classes.dimmed}`}>—</span>
  );

const RENDER: Record<ColumnId, Column["render"]> = {
  name: (row, _today, showProvider) => (
    <span className={classes.nameLine}>
      {showProvider ? <ProviderLabel provider={row.provider} /> : null}
      <span className={row.inactive ? `${classes.name} ${classes.dimmed}` : classes.name}>
        {row.name}
      </span>
      {row.inactive ? <span className={classes.inactive}>(inactive)</span> : null}
    </span>
  ),
  client: (row) => text(row.clientName),
  site: (row) => text(row.siteName),
  type: (row) => text(row.typeName),
  status: (row) => text(row.statusName),
  serial: (row) => text(row.serial),
  assetTag: (row) => text(row.assetTag),
  manufacturer: (row) => text(row.manufacturer),
  model: (row) => text(row.model),
  ip: (row) => text(row.ip),
  warrantyEnd: (row, today) => <WarrantyBadge end={row.warrantyEnd} today={today} />,
  syncState: (row) => <SyncBadge state={row.syncState} />,
  created: (row) => text(String(row.id)),
};

/** How a row click changes the selection (plain, Ctrl/Cmd toggles, Shift extends). */
export type ClickMode = "single" | "toggle" | "range";

interface AssetTableProps {
  rows: AssetRow[];
  /** Rows the filter matches in total (for the screen reader's row count). */
  total: number | undefined;
  sort: CatalogSort;
  onSort: (column: SortColumn) => void;
  /** The shown columns and their widths. */
  columns: ColumnPref[];
  /** A column was dragged to `width` px (on release). */
  onResize: (id: ColumnId, width: number) => void;
  selectedId: number | null;
  /** Rows ticked for a bulk edit. */
  checked: ReadonlySet<number>;
  onSelect: (row: AssetRow, mode: ClickMode) => void;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => void;
  /** Show the Halo / Syncro label (only when both kinds of connection exist). */
  showProvider: boolean;
  today: string;
  scrollRef: RefObject<HTMLDivElement | null>;
  /** Index of the row to bring into view (keyboard selection). */
  scrollToIndex: number | null;
}

/**
 * The asset list: a virtualized table with a sticky header. Only the rows in view (plus a few)
 * are in the DOM; when the user scrolls near the end of the loaded pages the next keyset page
 * is fetched.
 */
export function AssetTable({
  rows,
  total,
  sort,
  onSort,
  columns,
  onResize,
  selectedId,
  checked,
  onSelect,
  hasNextPage,
  isFetchingNextPage,
  fetchNextPage,
  showProvider,
  today,
  scrollRef,
  scrollToIndex,
}: AssetTableProps) {
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // jsdom has no layout; an initial rect lets tests render the first rows.
    initialRect: { width: 1000, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? -1;
  // One callback for the table's lifetime, so memoized rows skip renders that change nothing
  // of theirs (typing in the search box re-renders the page).
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const select = useCallback(
    (row: AssetRow, mode: ClickMode) => onSelectRef.current(row, mode),
    [],
  );

  // Rows are on screen: the end of the launch the `ui` benchmark explains.
  useEffect(() => markOnce("assetdesk:first-rows"), []);

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= rows.length - 25) fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, lastIndex, rows.length, fetchNextPage]);

  useEffect(() => {
    if (scrollToIndex !== null) virtualizer.scrollToIndex(scrollToIndex, { align: "auto" });
  }, [scrollToIndex, virtualizer]);

  return (
    <Box
      ref={scrollRef}
      className={classes.scroller}
      data-testid="asset-table"
      // Focusable, so a click on a row leaves the keyboard with the list (↑ ↓ Enter, Ctrl+A).
      tabIndex={0}
      style={{ "--asset-columns": gridTemplate(columns) } as CSSProperties}
    >
      <table
        className={classes.table}
        aria-label="Assets"
        style={{ minWidth: minTableWidth(columns) }}
        aria-rowcount={total === undefined ? -1 : total + 1}
      >
        <thead className={classes.header}>
          <tr className={classes.headerRow} aria-rowindex={1}>
            {columns.map((c) => {
              const def = columnDef(c.id);
              const active = sort.column === c.id;
              const label = def?.label ?? c.id;
              return (
                <th
                  key={c.id}
                  scope="col"
                  aria-sort={active ? (sort.descending ? "descending" : "ascending") : "none"}
                  className={classes.cell}
                  data-column={c.id}
                >
                  {def?.sortable ? (
                    <UnstyledButton
                      className={classes.sortButton}
                      onClick={() => onSort(c.id as SortColumn)}
                      data-active={active || undefined}
                    >
                      {label}
                      {active ? (
                        sort.descending ? (
                          <IconArrowDown size={12} aria-hidden />
                        ) : (
                          <IconArrowUp size={12} aria-hidden />
                        )
                      ) : null}
                    </UnstyledButton>
                  ) : (
                    <span className={classes.sortButton}>{label}</span>
                  )}
                  <ResizeHandle
                    label={label}
                    width={c.width ?? def?.min ?? 60}
                    min={def?.min ?? 60}
                    template={(w) => gridTemplate(resizeColumn(columns, c.id, w))}
                    onResize={(w) => onResize(c.id, w)}
                  />
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody className={classes.body} style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            return (
              <AssetRowView
                // By position: a new search reuses the row elements and only their text
                // changes, instead of unmounting and mounting every visible row.
                key={item.index}
                row={row}
                index={item.index}
                top={item.start}
                columns={columns}
                selected={row.id === selectedId}
                checked={checked.has(row.id)}
                onSelect={select}
                showProvider={showProvider}
                today={today}
              />
            );
          })}
        </tbody>
      </table>
      {isFetchingNextPage ? (
        <Group justify="center" p="xs">
          <Loader size="xs" aria-label="Loading more assets" />
        </Group>
      ) : null}
    </Box>
  );
}

interface AssetRowViewProps {
  row: AssetRow;
  index: number;
  /** Offset from the top of the body (px). */
  top: number;
  columns: ColumnPref[];
  selected: boolean;
  checked: boolean;
  onSelect: (row: AssetRow, mode: ClickMode) => void;
  showProvider: boolean;
  today: string;
}

/** One list row; re-renders only when one of its own props changes. */
const AssetRowView = memo(function AssetRowView({
  row,
  index,
  top,
  columns,
  selected,
  checked,
  onSelect,
  showProvider,
  today,
}: AssetRowViewProps) {
  return (
    <tr
      aria-rowindex={index + 2}
      aria-selected={selected || checked}
      data-testid="asset-row"
      data-selected={selected || undefined}
      data-checked={checked || undefined}
      className={classes.row}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      onClick={(e) =>
        onSelect(row, e.shiftKey ? "range" : e.ctrlKey || e.metaKey ? "toggle" : "single")
      }
    >
      {columns.map((c, i) => (
        <td key={c.id} className={classes.cell}>
          {i === 0 ? (
            <input
              type="checkbox"
              className={classes.check}
              checked={checked}
              aria-label={`Select ${row.name}`}
              onClick={(e) => e.stopPropagation()}
              onChange={() => onSelect(row, "toggle")}
            />
          ) : null}
          {RENDER[c.id](row, today, showProvider)}
        </td>
      ))}
    </tr>
  );
});

/**
 * The drag handle on a header's right edge. While dragging, the new grid tracks are written
 * straight to the table's CSS variable; the width is reported once, on release, so a drag
 * does not re-render the list on every pointer move.
 */
function ResizeHandle({
  label,
  width,
  min,
  template,
  onResize,
}: {
  label: string;
  /** The column's width as last set (its minimum while never resized). */
  width: number;
  min: number;
  /** The grid tracks with this column at a width. */
  template: (width: number) => string;
  onResize: (width: number) => void;
}) {
  const drag = useRef<{ x: number; width: number; last: number } | null>(null);
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    const th = e.currentTarget.parentElement;
    if (!th) return;
    e.preventDefault();
    e.stopPropagation();
    const width = th.getBoundingClientRect().width;
    drag.current = { x: e.clientX, width, last: width };
    e.currentTarget.setPointerCapture?.(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d) return;
    d.last = Math.max(min, d.width + e.clientX - d.x);
    const table = e.currentTarget.closest<HTMLElement>('[data-testid="asset-table"]');
    table?.style.setProperty("--asset-columns", template(d.last));
  };
  const onPointerUp = () => {
    const d = drag.current;
    drag.current = null;
    if (d && Math.abs(d.last - d.width) >= 1) onResize(d.last);
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: a column splitter has no native element
    <div
      role="separator"
      aria-orientation="vertical"
      aria-label={`Resize ${label}`}
      aria-valuenow={width}
      aria-valuemin={min}
      tabIndex={0}
      className={classes.resizer}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onKeyDown={(e) => {
        // Keyboard resizing: ← narrower, → wider, 16 px a step.
        if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
        e.preventDefault();
        e.stopPropagation();
        const current = e.currentTarget.parentElement?.getBoundingClientRect().width ?? width;
        onResize(Math.max(min, current + (e.key === "ArrowRight" ? 16 : -16)));
      }}
    />
  );
}
