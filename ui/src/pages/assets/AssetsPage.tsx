import { Box, Button, Group, Loader, Text, Tooltip } from "@mantine/core";
import { IconFilterOff, IconPlugConnected, IconPlus, IconRefresh } from "@tabler/icons-react";
import {
  type KeyboardEvent,
  type ReactNode,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { HostErrorAlert } from "../../components/HostErrorAlert";
import { Page } from "../../components/Page";
import { PageEmptyState } from "../../components/PageEmptyState";
import {
  type AssetRow,
  type FilterOptions,
  type SortColumn,
  useAssetCount,
  useAssetPages,
  useFilterOptions,
  usePrefetchAssetList,
} from "../../host";
import { useNavigation } from "../../lib/navigation";
import { AssetDetailPanel } from "./AssetDetailPanel";
import { AssetForm, type FormTarget } from "./AssetForm";
import { AssetTable, type ClickMode } from "./AssetTable";
import { BulkEditDialog } from "./BulkEditDialog";
import { FilterBar } from "./FilterBar";
import { ColumnChooser, ViewsMenu } from "./ListToolbar";
import {
  DEFAULT_COLUMNS,
  type ListPrefs,
  loadPrefs,
  loadViews,
  removeView,
  resizeColumn,
  type SavedView,
  savePrefs,
  toggleColumn,
  upsertView,
} from "./listPrefs";
import {
  hasFilters,
  type ListFilters,
  localToday,
  NO_FILTERS,
  nextSort,
  toCatalogFilter,
} from "./listState";

function isTextEntry(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))
  );
}

/** The list, its filter bar and the detail panel, once at least one connection exists. */
function AssetWorkspace({ options }: { options: FilterOptions }) {
  const showProvider = new Set(options.connections.map((c) => c.provider)).size > 1;
  const { navigate } = useNavigation();
  const [filters, setFilters] = useState<ListFilters>(NO_FILTERS);
  const [prefs, setPrefs] = useState<ListPrefs>(loadPrefs);
  const [views, setViews] = useState<SavedView[]>(loadViews);
  const sort = prefs.sort;
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [checked, setChecked] = useState<ReadonlySet<number>>(new Set());
  const [formTarget, setFormTarget] = useState<FormTarget | null>(null);
  const [bulkOpen, setBulkOpen] = useState(false);
  const [scrollToIndex, setScrollToIndex] = useState<number | null>(null);
  // The search text the list shows results for. Typing searches at once when no search is
  // running; text typed while one runs waits for it, and then only the latest text goes. No
  // timer: searches follow the backend's pace (a few ms each, even at 200k assets), and the
  // previous rows stay up while the next ones load.
  const [search, setSearch] = useState(filters.search);
  const today = useMemo(() => localToday(), []);
  const filter = useMemo(() => toCatalogFilter(filters, search, today), [filters, search, today]);
  const pages = useAssetPages(filter, sort);
  const count = useAssetCount(filter);
  const searching = (pages.isFetching && !pages.isFetchingNextPage) || count.isFetching;
  // Adjusted while rendering, not in an effect: React renders again at once with the new
  // search, so the typed character and the results it finds in the cache commit (and paint)
  // together instead of one frame apart.
  if (!searching && search !== filters.search) setSearch(filters.search);
  const rows = useMemo<AssetRow[]>(
    () => pages.data?.pages.flatMap((p) => p.rows) ?? [],
    [pages.data],
  );
  const searchRef = useRef<HTMLInputElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const { fetchNextPage } = pages;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);

  const updatePrefs = (next: ListPrefs) => {
    setPrefs(next);
    savePrefs(next);
  };
  // A new filter is a new list: ticks on rows it no longer shows would act unseen. (Nothing
  // ticked: the same set comes back, so React skips the render.)
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the filter changes
  useEffect(() => setChecked((c) => (c.size > 0 ? new Set() : c)), [filter]);

  const newAsset = useCallback(() => {
    const connectionId = filters.connection ?? options.connections[0]?.id;
    if (connectionId) setFormTarget({ kind: "create", connectionId });
  }, [filters.connection, options.connections]);

  // `/` (or Ctrl/Cmd+K) focuses the search box from anywhere on the page (UX.md "Layout");
  // Ctrl/Cmd+N opens a new asset.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (formTarget !== null || bulkOpen) return;
      const slash = e.key === "/" && !isTextEntry(e.target);
      const k = e.key.toLowerCase() === "k" && (e.ctrlKey || e.metaKey);
      const n = e.key.toLowerCase() === "n" && (e.ctrlKey || e.metaKey) && !e.shiftKey;
      if (slash || k) {
        e.preventDefault();
        searchRef.current?.focus();
        searchRef.current?.select();
      } else if (n) {
        e.preventDefault();
        newAsset();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [formTarget, bulkOpen, newAsset]);

  const moveSelection = (delta: number) => {
    if (rows.length === 0) return;
    const current = rows.findIndex((r) => r.id === selectedId);
    const index =
      current < 0
        ? delta > 0
          ? 0
          : rows.length - 1
        : Math.max(0, Math.min(rows.length - 1, current + delta));
    const row = rows[index];
    if (row) {
      setSelectedId(row.id);
      setScrollToIndex(index);
    }
  };

  const onSelect = (row: AssetRow, mode: ClickMode) => {
    if (mode === "single") {
      setChecked(new Set());
      setSelectedId(row.id);
      return;
    }
    if (mode === "toggle") {
      setChecked((c) => {
        const next = new Set(c);
        if (next.size === 0 && selectedId !== null && selectedId !== row.id) next.add(selectedId);
        if (next.has(row.id)) next.delete(row.id);
        else next.add(row.id);
        return next;
      });
      setSelectedId(row.id);
      return;
    }
    const anchor = rows.findIndex((r) => r.id === selectedId);
    const at = rows.findIndex((r) => r.id === row.id);
    const [a, b] = anchor < 0 ? [at, at] : [Math.min(anchor, at), Math.max(anchor, at)];
    setChecked(new Set(rows.slice(a, b + 1).map((r) => r.id)));
  };

  // ↑ ↓ move the selection (also from the search box, like a mail client); Enter edits the
  // selected asset; Ctrl/Cmd+A ticks every loaded row; Esc clears the ticks, then the
  // selection, then the filters. Keys from other inputs and from portalled dropdowns (which
  // bubble through React but are not inside this element) are theirs.
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const target = e.target as Node;
    if (!e.currentTarget.contains(target)) return;
    const fromSearch = target === searchRef.current;
    if (isTextEntry(target) && !fromSearch) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      moveSelection(e.key === "ArrowDown" ? 1 : -1);
    } else if (e.key === "Enter" && selectedId !== null) {
      e.preventDefault();
      setFormTarget({ kind: "edit", id: selectedId });
    } else if (e.key.toLowerCase() === "a" && (e.ctrlKey || e.metaKey) && !fromSearch) {
      e.preventDefault();
      setChecked(new Set(rows.map((r) => r.id)));
    } else if (e.key === "Escape") {
      if (checked.size > 0) setChecked(new Set());
      else if (selectedId !== null) setSelectedId(null);
      else if (!fromSearch && hasFilters(filters)) setFilters(NO_FILTERS);
    }
  };

  const onSort = (column: SortColumn) => {
    updatePrefs({ ...prefs, sort: nextSort(sort, column) });
    setScrollToIndex(0);
  };

  const checkedRows = rows.filter((r) => checked.has(r.id));
  const total = count.data;
  let list: ReactNode;
  if (pages.isError) {
    list = (
      <Box p="md">
        <HostErrorAlert
          error={pages.error}
          title="The asset list could not be loaded"
          onRetry={() => void pages.refetch()}
          retrying={pages.isRefetching}
        />
      </Box>
    );
  } else if (pages.isPending) {
    list = (
      <Group justify="center" p="xl">
        <Loader size="sm" aria-label="Loading assets" />
      </Group>
    );
  } else if (rows.length === 0 && hasFilters(filters)) {
    list = (
      <PageEmptyState
        icon={IconFilterOff}
        title="No assets match"
        description="Nothing in the cache matches this search and these filters. Clear them to see every asset."
        actions={<Button onClick={() => setFilters(NO_FILTERS)}>Clear filters</Button>}
      />
    );
  } else if (rows.length === 0) {
    list = (
      <PageEmptyState
        icon={IconRefresh}
        title="No assets cached yet"
        description="Your connection has not brought in any assets yet. Run a sync to fetch them, or create one here; they stay available offline."
        actions={
          <>
            <Button onClick={() => navigate("sync")}>Open Sync</Button>
            <Button variant="default" onClick={newAsset}>
              New asset
            </Button>
          </>
        }
      />
    );
  } else {
    list = (
      <AssetTable
        rows={rows}
        total={total}
        sort={sort}
        onSort={onSort}
        columns={prefs.columns}
        onResize={(id, width) =>
          updatePrefs({ ...prefs, columns: resizeColumn(prefs.columns, id, width) })
        }
        selectedId={selectedId}
        checked={checked}
        onSelect={onSelect}
        hasNextPage={pages.hasNextPage}
        isFetchingNextPage={pages.isFetchingNextPage}
        fetchNextPage={loadMore}
        showProvider={showProvider}
        today={today}
        scrollRef={scrollRef}
        scrollToIndex={scrollToIndex}
      />
    );
  }

  return (
    <Box
      onKeyDown={onKeyDown}
      style={{ display: "flex", flex: 1, minHeight: 0, gap: 0 }}
      data-testid="assets-workspace"
    >
      <Box
        style={{ display: "flex", flexDirection: "column", flex: 1, minWidth: 0, gap: 8 }}
        pr="md"
      >
        <FilterBar
          filters={filters}
          options={options}
          onChange={setFilters}
          searchRef={searchRef}
        />
        <Group gap="xs" justify="space-between" wrap="nowrap" mih={26}>
          {checked.size > 0 ? (
            <Group gap="xs" data-testid="selection-bar">
              <Text fz="xs" fw={600}>
                {checked.size.toLocaleString()} selected
              </Text>
              <Button size="compact-xs" onClick={() => setBulkOpen(true)}>
                Bulk edit…
              </Button>
              <Button size="compact-xs" variant="subtle" onClick={() => setChecked(new Set())}>
                Clear selection
              </Button>
            </Group>
          ) : (
            <Text fz="xs" c="dimmed" aria-live="polite" data-testid="row-count">
              {total === undefined
                ? "Counting…"
                : `${total.toLocaleString()} ${total === 1 ? "asset" : "assets"}`}
              {pages.isFetching && !pages.isFetchingNextPage && !pages.isPending
                ? " · updating…"
                : ""}
            </Text>
          )}
          <Group gap="xs" wrap="nowrap">
            <ViewsMenu
              views={views}
              onApply={(v) => {
                setFilters(v.filters);
                updatePrefs({ columns: v.columns, sort: v.sort });
                setScrollToIndex(0);
              }}
              onSave={(name) =>
                setViews((vs) => upsertView(vs, { name, filters, sort, columns: prefs.columns }))
              }
              onRemove={(name) => setViews((vs) => removeView(vs, name))}
            />
            <ColumnChooser
              columns={prefs.columns}
              onToggle={(id) => updatePrefs({ ...prefs, columns: toggleColumn(prefs.columns, id) })}
              onReset={() => updatePrefs({ ...prefs, columns: DEFAULT_COLUMNS })}
            />
            {/* Below the drawer (z-index 200), so it never floats over the form it opens. */}
            <Tooltip label="New asset (Ctrl/Cmd+N)" openDelay={400} zIndex={150}>
              <Button
                size="xs"
                leftSection={<IconPlus size={14} aria-hidden />}
                onClick={newAsset}
                data-testid="new-asset"
              >
                New
              </Button>
            </Tooltip>
          </Group>
        </Group>
        {list}
      </Box>
      <AssetDetailPanel
        id={selectedId}
        today={today}
        onOpen={setSelectedId}
        onEdit={(id) => setFormTarget({ kind: "edit", id })}
      />
      <AssetForm
        target={formTarget}
        connections={options.connections}
        onClose={() => setFormTarget(null)}
        onSaved={(id) => {
          setFormTarget(null);
          setSelectedId(id);
        }}
      />
      <BulkEditDialog
        opened={bulkOpen}
        rows={checkedRows}
        connections={options.connections}
        onClose={() => setBulkOpen(false)}
      />
    </Box>
  );
}

/** The asset list. Until a connection exists there is nothing cached to list. */
export function AssetsPage() {
  const { navigate } = useNavigation();
  const options = useFilterOptions();
  // The first list does not depend on the options: ask for it alongside them.
  usePrefetchAssetList(toCatalogFilter(NO_FILTERS, "", localToday()), loadPrefs().sort);
  let content: ReactNode;
  if (options.isPending && options.fetchStatus !== "idle") {
    content = (
      <Group justify="center" p="xl">
        <Loader size="sm" aria-label="Loading" />
      </Group>
    );
  } else if (!options.data || options.data.connections.length === 0) {
    // Outside the desktop app, or when the cache cannot be read, there is nothing to list
    // either; the top bar and Settings report why.
    content = (
      <PageEmptyState
        icon={IconPlugConnected}
        title="No connection yet"
        description="Add a HaloPSA or Syncro connection in Settings. Its assets are then cached here, so you can find and edit them even offline."
        actions={<Button onClick={() => navigate("settings")}>Open Settings</Button>}
      />
    );
  } else {
    content = <AssetWorkspace options={options.data} />;
  }
  // A fixed height (the window below the top bar) lets the table scroll inside the page.
  return (
    <Box h="calc(100dvh - var(--app-shell-header-height, 48px))">
      <Page
        title="Assets"
        description="Your clients' assets from HaloPSA and Syncro, searchable on this computer."
      >
        {content}
      </Page>
    </Box>
  );
}
