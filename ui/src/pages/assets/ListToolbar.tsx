import {
  ActionIcon,
  Button,
  Checkbox,
  Group,
  Menu,
  Modal,
  Popover,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import { IconBookmark, IconColumns, IconTrash } from "@tabler/icons-react";
import { useState } from "react";
import { COLUMN_DEFS, type ColumnId, type ColumnPref, type SavedView } from "./listPrefs";

/** Show or hide list columns (the name column always stays). */
export function ColumnChooser({
  columns,
  onToggle,
  onReset,
}: {
  columns: ColumnPref[];
  onToggle: (id: ColumnId) => void;
  onReset: () => void;
}) {
  const shown = new Set(columns.map((c) => c.id));
  return (
    <Popover position="bottom-end" shadow="md" withinPortal>
      <Popover.Target>
        <Button
          size="xs"
          variant="default"
          leftSection={<IconColumns size={14} aria-hidden />}
          data-testid="column-chooser"
        >
          Columns
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap={6} role="group" aria-label="Shown columns">
          {COLUMN_DEFS.map((c) => (
            <Checkbox
              key={c.id}
              size="xs"
              label={c.label}
              checked={shown.has(c.id)}
              disabled={c.id === "name"}
              onChange={() => onToggle(c.id)}
            />
          ))}
          <Button size="compact-xs" variant="subtle" onClick={onReset} mt={4}>
            Default columns and widths
          </Button>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

/** Saved views: apply one, delete one, or save the current filters, search and columns. */
export function ViewsMenu({
  views,
  onApply,
  onSave,
  onRemove,
}: {
  views: SavedView[];
  onApply: (view: SavedView) => void;
  onSave: (name: string) => void;
  onRemove: (name: string) => void;
}) {
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState("");
  const trimmed = name.trim();
  const replaces = views.some((v) => v.name === trimmed);
  const save = () => {
    if (trimmed === "") return;
    onSave(trimmed);
    setNaming(false);
    setName("");
  };
  return (
    <>
      <Menu position="bottom-end" shadow="md" withinPortal>
        <Menu.Target>
          <Button
            size="xs"
            variant="default"
            leftSection={<IconBookmark size={14} aria-hidden />}
            data-testid="views-menu"
          >
            Views
          </Button>
        </Menu.Target>
        <Menu.Dropdown miw={220}>
          {views.length === 0 ? (
            <Text fz="xs" c="dimmed" px="sm" py={6}>
              No saved views yet.
            </Text>
          ) : (
            views.map((v) => (
              <Group key={v.name} gap={0} wrap="nowrap">
                <Menu.Item onClick={() => onApply(v)} style={{ flex: 1 }}>
                  {v.name}
                </Menu.Item>
                <ActionIcon
                  size="sm"
                  variant="subtle"
                  color="red"
                  aria-label={`Delete view ${v.name}`}
                  onClick={() => onRemove(v.name)}
                >
                  <IconTrash size={12} aria-hidden />
                </ActionIcon>
              </Group>
            ))
          )}
          <Menu.Divider />
          <Menu.Item onClick={() => setNaming(true)}>Save current view…</Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <Modal opened={naming} onClose={() => setNaming(false)} title="Save view" size="sm" centered>
        <Stack gap="sm">
          <Text fz="sm" c="dimmed">
            Keeps the search, filters, sort and columns under a name.
          </Text>
          <TextInput
            label="Name"
            placeholder="Expiring laptops at Acme"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") save();
            }}
            description={replaces ? "A view with this name exists; saving replaces it." : undefined}
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setNaming(false)}>
              Cancel
            </Button>
            <Button onClick={save} disabled={trimmed === ""}>
              Save view
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
