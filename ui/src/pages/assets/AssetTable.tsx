import { Box, Group, Loader, Text, UnstyledButton } from "@mantine/core";
import { IconArrowDown, IconArrowUp } from "@tabler/icons-react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { type ReactNode, type RefObject, useEffect } from "react";
import type { AssetRow, CatalogSort, SortColumn } from "../../host";
import classes from "./AssetTable.module.css";
import { ProviderLabel, SyncBadge, WarrantyBadge } from "./Badges";

/** Compact rows (UX.md: dense, 13 px text). */
export const ROW_HEIGHT = 32;

interface Column {
  id: SortColumn;
  label: string;
  render: (row: AssetRow, today: string, showProvider: boolean) => ReactNode;
}

const text = (value: string | null) =>
  value ? (
    <Text fz="sm" truncate>
      {value}
    </Text>
  ) : (
    <Text fz="sm" c="dimmed">
      —
    </Text>
  );

const COLUMNS: Column[] = [
  {
    id: "name",
    label: "Name",
    render: (row, _today, showProvider) => (
      <Group gap={6} wrap="nowrap" miw={0}>
        {showProvider ? <ProviderLabel provider={row.provider} /> : null}
        <Text fz="sm" fw={500} truncate c={row.inactive ? "dimmed" : undefined}>
          {row.name}
        </Text>
        {row.inactive ? (
          <Text fz="xs" c="dimmed" style={{ flexShrink: 0 }}>
            (inactive)
          </Text>
        ) : null}
      </Group>
    ),
  },
  { id: "client", label: "Client", render: (row) => text(row.clientName) },
  { id: "type", label: "Type", render: (row) => text(row.typeName) },
  { id: "status", label: "Status", render: (row) => text(row.statusName) },
  { id: "serial", label: "Serial", render: (row) => text(row.serial) },
  {
    id: "warrantyEnd",
    label: "Warranty",
    render: (row, today) => <WarrantyBadge end={row.warrantyEnd} today={today} />,
  },
  { id: "syncState", label: "Sync", render: (row) => <SyncBadge state={row.syncState} /> },
];

interface AssetTableProps {
  rows: AssetRow[];
  /** Rows the filter matches in total (for the screen reader's row count). */
  total: number | undefined;
  sort: CatalogSort;
  onSort: (column: SortColumn) => void;
  selectedId: number | null;
  onSelect: (row: AssetRow) => void;
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
  selectedId,
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

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= rows.length - 25) fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, lastIndex, rows.length, fetchNextPage]);

  useEffect(() => {
    if (scrollToIndex !== null) virtualizer.scrollToIndex(scrollToIndex, { align: "auto" });
  }, [scrollToIndex, virtualizer]);

  return (
    <Box ref={scrollRef} className={classes.scroller} data-testid="asset-table">
      <table
        className={classes.table}
        aria-label="Assets"
        aria-rowcount={total === undefined ? -1 : total + 1}
      >
        <thead className={classes.header}>
          <tr className={classes.headerRow} aria-rowindex={1}>
            {COLUMNS.map((c) => {
              const active = sort.column === c.id;
              return (
                <th
                  key={c.id}
                  scope="col"
                  aria-sort={active ? (sort.descending ? "descending" : "ascending") : "none"}
                  className={classes.cell}
                >
                  <UnstyledButton
                    className={classes.sortButton}
                    onClick={() => onSort(c.id)}
                    data-active={active || undefined}
                  >
                    {c.label}
                    {active ? (
                      sort.descending ? (
                        <IconArrowDown size={12} aria-hidden />
                      ) : (
                        <IconArrowUp size={12} aria-hidden />
                      )
                    ) : null}
                  </UnstyledButton>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody className={classes.body} style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const selected = row.id === selectedId;
            return (
              <tr
                key={row.id}
                aria-rowindex={item.index + 2}
                data-testid="asset-row"
                data-selected={selected || undefined}
                className={classes.row}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                onClick={() => onSelect(row)}
              >
                {COLUMNS.map((c) => (
                  <td key={c.id} className={classes.cell}>
                    {c.render(row, today, showProvider)}
                  </td>
                ))}
              </tr>
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
