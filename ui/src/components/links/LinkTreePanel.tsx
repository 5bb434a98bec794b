import {
  ActionIcon,
  Alert,
  Box,
  Button,
  Group,
  Loader,
  Menu,
  Stack,
  Text,
  Tooltip,
  UnstyledButton,
} from "@mantine/core";
import {
  IconChevronDown,
  IconChevronRight,
  IconDots,
  IconInfoCircle,
  IconLink,
  IconPlus,
} from "@tabler/icons-react";
import { useMemo, useState } from "react";
import {
  type LinkCandidate,
  type LinkRole,
  type LinkScope,
  type TreeAsset,
  toHostError,
  useLinkTree,
  useSetParent,
} from "../../host";
import { LinkPicker } from "./LinkPicker";

interface LinkTreePanelProps {
  /** The asset whose tree is shown. */
  assetId: number;
  /** Open another asset (e.g. in the detail panel). */
  onOpen?: (id: number) => void;
}

type Picking = { role: LinkRole; target: TreeAsset } | null;

function scopeNote(scope: LinkScope): string | null {
  if (scope.kind === "local_only") return scope.reason;
  if (scope.field) return `Synced to Syncro in the custom field “${scope.field}”.`;
  return null;
}

function countLabel(n: TreeAsset): string | null {
  if (n.childCount === 0) return null;
  const below = n.descendantCount ?? n.childCount;
  return below > n.childCount
    ? `${n.childCount} child${n.childCount === 1 ? "" : "ren"} · ${below} below`
    : `${n.childCount} child${n.childCount === 1 ? "" : "ren"}`;
}

/**
 * Parent/child links of one asset as an editable tree: the chain above it, the asset, and its
 * subtree with counts; expand and collapse; "Set parent", "Add child", move and unlink. Every
 * change is a queued edit (works offline); refusals (self-link, loops) show Rust's message,
 * which names both assets; links across clients and links Syncro cannot hold say so.
 */
export function LinkTreePanel({ assetId, onOpen }: LinkTreePanelProps) {
  const tree = useLinkTree(assetId);
  const setParent = useSetParent();
  const [collapsed, setCollapsed] = useState<Set<number>>(new Set());
  const [picking, setPicking] = useState<Picking>(null);
  // What the picker showed last, so its title does not go blank while it animates closed.
  const [shownPick, setShownPick] = useState<NonNullable<Picking> | null>(null);
  // A fresh picker (empty search) for every opening.
  const [pickerKey, setPickerKey] = useState(0);
  const openPicker = (p: NonNullable<Picking>) => {
    setPickerKey((k) => k + 1);
    setShownPick(p);
    setPicking(p);
  };
  const [error, setError] = useState<string | null>(null);
  const [notes, setNotes] = useState<string[]>([]);

  const link = (childId: number, parentId: number | null) => {
    setError(null);
    setParent.mutate(
      { childId, parentId },
      {
        onSuccess: (out) => {
          setNotes([...out.warnings, ...out.notes]);
          setPicking(null);
        },
        onError: (e) => {
          setError(toHostError(e).message);
          setPicking(null);
        },
      },
    );
  };

  const onPick = (c: LinkCandidate) => {
    if (!picking) return;
    if (picking.role === "parent") link(picking.target.id, c.id);
    else link(c.id, picking.target.id);
  };

  // Nodes hidden under a collapsed ancestor.
  const visible = useMemo(() => {
    const nodes = tree.data?.nodes ?? [];
    const hidden = new Set<number>();
    for (const n of nodes) {
      if (n.parentId !== null && (hidden.has(n.parentId) || collapsed.has(n.parentId))) {
        hidden.add(n.id);
      }
    }
    return nodes.filter((n) => !hidden.has(n.id));
  }, [tree.data, collapsed]);

  if (tree.isPending) return <Loader size="sm" />;
  if (tree.error) {
    return (
      <Text size="sm" c="red">
        {tree.error.message}
      </Text>
    );
  }
  const data = tree.data;
  const focus = data.nodes[0];
  if (!focus) return null;
  const note = scopeNote(data.scope);

  const row = (n: TreeAsset, isAncestor: boolean) => {
    const isFocus = n.id === data.focusId;
    const hasKids = n.childCount > 0 && !isAncestor;
    const open = !collapsed.has(n.id);
    const count = countLabel(n);
    return (
      <Group
        key={`${isAncestor ? "a" : "n"}-${n.id}`}
        data-testid="link-node"
        data-name={n.name}
        data-depth={n.depth}
        gap={4}
        wrap="nowrap"
        pl={n.depth * 16}
        py={2}
        style={{
          borderRadius: 4,
          background: isFocus ? "var(--mantine-color-default-hover)" : undefined,
        }}
      >
        {hasKids ? (
          <ActionIcon
            size="xs"
            variant="subtle"
            color="gray"
            aria-label={open ? `Collapse ${n.name}` : `Expand ${n.name}`}
            data-testid="link-toggle"
            onClick={() =>
              setCollapsed((s) => {
                const next = new Set(s);
                if (next.has(n.id)) next.delete(n.id);
                else next.add(n.id);
                return next;
              })
            }
          >
            {open ? <IconChevronDown size={12} /> : <IconChevronRight size={12} />}
          </ActionIcon>
        ) : (
          <Box w={22} />
        )}
        <UnstyledButton
          onClick={() => onOpen?.(n.id)}
          disabled={!onOpen || isFocus}
          style={{ minWidth: 0, flex: 1 }}
        >
          <Text size="sm" fw={isFocus ? 600 : 400} truncate>
            {n.name}
            {n.typeName ? (
              <Text span size="xs" c="dimmed">
                {" "}
                · {n.typeName}
              </Text>
            ) : null}
          </Text>
        </UnstyledButton>
        {n.localOnly ? (
          <Tooltip label="Not created at the provider yet: links under it wait for its create">
            <Text size="xs" c="dimmed">
              ○ new
            </Text>
          </Tooltip>
        ) : null}
        {count ? (
          <Text size="xs" c="dimmed" data-testid="link-count">
            {count}
          </Text>
        ) : null}
        {!isAncestor ? (
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <ActionIcon
                size="sm"
                variant="subtle"
                color="gray"
                aria-label={`Link actions for ${n.name}`}
              >
                <IconDots size={14} />
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item onClick={() => openPicker({ role: "child", target: n })}>
                Add child…
              </Menu.Item>
              <Menu.Item onClick={() => openPicker({ role: "parent", target: n })}>
                {n.parentId === null ? "Set parent…" : "Move to another parent…"}
              </Menu.Item>
              {n.parentId !== null ? (
                <Menu.Item color="red" onClick={() => link(n.id, null)}>
                  Unlink from parent
                </Menu.Item>
              ) : null}
            </Menu.Dropdown>
          </Menu>
        ) : null}
      </Group>
    );
  };

  return (
    <Stack gap="xs" data-testid="link-tree">
      <Group gap="xs">
        <Button
          size="xs"
          variant="default"
          leftSection={<IconLink size={14} />}
          data-testid="link-set-parent"
          onClick={() => openPicker({ role: "parent", target: focus })}
        >
          {focus.parentId === null ? "Set parent" : "Move"}
        </Button>
        <Button
          size="xs"
          variant="default"
          leftSection={<IconPlus size={14} />}
          data-testid="link-add-child"
          onClick={() => openPicker({ role: "child", target: focus })}
        >
          Add child
        </Button>
        {focus.parentId !== null ? (
          <Button
            size="xs"
            variant="subtle"
            color="red"
            data-testid="link-unlink"
            onClick={() => link(focus.id, null)}
          >
            Unlink
          </Button>
        ) : null}
      </Group>
      {error ? (
        <Alert
          color="red"
          variant="light"
          data-testid="link-error"
          withCloseButton
          onClose={() => setError(null)}
        >
          {error}
        </Alert>
      ) : null}
      {notes.length > 0 ? (
        <Alert
          color="yellow"
          variant="light"
          data-testid="link-notes"
          withCloseButton
          onClose={() => setNotes([])}
        >
          {notes.map((n) => (
            <Text key={n} size="sm">
              {n}
            </Text>
          ))}
        </Alert>
      ) : null}
      <Box role="tree" aria-label="Parent and child assets">
        {data.ancestors.map((a) => row(a, true))}
        {visible.map((n) => row(n, false))}
      </Box>
      {data.truncated ? (
        <Text size="xs" c="dimmed">
          Only the first {data.nodes.length} assets of this tree are shown.
        </Text>
      ) : null}
      {note ? (
        <Group gap={6} wrap="nowrap" align="flex-start" data-testid="link-scope">
          <IconInfoCircle size={14} style={{ flexShrink: 0, marginTop: 2 }} aria-hidden />
          <Text size="xs" c="dimmed">
            {note}
          </Text>
        </Group>
      ) : null}
      <LinkPicker
        key={pickerKey}
        assetId={picking?.target.id ?? null}
        assetName={shownPick?.target.name ?? ""}
        role={shownPick?.role ?? "parent"}
        onClose={() => setPicking(null)}
        onPick={onPick}
        busy={setParent.isPending}
      />
    </Stack>
  );
}
