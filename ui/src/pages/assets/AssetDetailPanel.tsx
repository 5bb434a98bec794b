import {
  Alert,
  Box,
  Button,
  Group,
  Loader,
  ScrollArea,
  Stack,
  Text,
  Title,
  Tooltip,
} from "@mantine/core";
import { IconPencil } from "@tabler/icons-react";
import type { ReactNode } from "react";
import { LinkTreePanel } from "../../components/links";
import { type AssetDetail, type CustomFieldValue, type NamedRef, useAssetDetail } from "../../host";
import { ProviderLabel, SyncBadge, WarrantyBadge } from "./Badges";
import { JournalSection } from "./JournalSection";
import { TicketsSection } from "./TicketsSection";
import { formatDate } from "./warranty";

interface AssetDetailPanelProps {
  id: number | null;
  today: string;
  /** Open a related asset (parent or child) in the panel. */
  onOpen: (id: number) => void;
  /** Open the asset in the edit form; without it the panel offers no Edit button. */
  onEdit?: (id: number) => void;
}

function Empty() {
  return (
    <Text fz="sm" c="dimmed" component="span">
      —
    </Text>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <Text component="dt" fz="xs" c="dimmed" pt={2}>
        {label}
      </Text>
      <Box component="dd" m={0} fz="sm" style={{ minWidth: 0, overflowWrap: "anywhere" }}>
        {children ?? <Empty />}
      </Box>
    </>
  );
}

function Section({
  title,
  children,
  testId,
}: {
  title: string;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <Box component="section" aria-label={title} data-testid={testId}>
      <Title order={3} fz="xs" tt="uppercase" c="dimmed" mb={6} style={{ letterSpacing: "0.03em" }}>
        {title}
      </Title>
      <Box
        component="dl"
        m={0}
        style={{ display: "grid", gridTemplateColumns: "120px 1fr", columnGap: 12, rowGap: 4 }}
      >
        {children}
      </Box>
    </Box>
  );
}

const named = (ref: NamedRef | null) =>
  ref === null
    ? null
    : (ref.name ?? <Text fz="sm" c="dimmed" component="span">{`#${ref.id}`}</Text>);

const date = (iso: string | null) =>
  iso === null ? null : (
    <Tooltip label={iso} openDelay={400}>
      <span>{formatDate(iso)}</span>
    </Tooltip>
  );

const money = (cents: number | null) =>
  cents === null
    ? null
    : (cents / 100).toLocaleString(undefined, {
        minimumFractionDigits: 2,
        maximumFractionDigits: 2,
      });

/** A custom field value as text: booleans as Yes/No, dates localised, objects as JSON. */
export function customValue(field: CustomFieldValue): ReactNode {
  const v = field.value;
  if (v === null || v === "" || v === undefined) return null;
  if (typeof v === "boolean") return v ? "Yes" : "No";
  if (field.kind?.kind === "date" && typeof v === "string") return date(v);
  if (typeof v === "string" || typeof v === "number") return String(v);
  return JSON.stringify(v);
}

/** `last_seen` → "Last seen". */
function humanize(key: string): string {
  const words = key.replace(/[_-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function DetailBody({
  d,
  today,
  onOpen,
  onEdit,
}: {
  d: AssetDetail;
  today: string;
  onOpen: (id: number) => void;
  onEdit?: (id: number) => void;
}) {
  return (
    <Stack gap="md">
      <Box>
        <Group gap={6} wrap="nowrap">
          <ProviderLabel provider={d.provider} />
          <Text fz="xs" c="dimmed" truncate>
            {d.connectionName}
            {d.remoteId === null ? " · not yet sent" : ` · #${d.remoteId}`}
          </Text>
        </Group>
        <Group justify="space-between" wrap="nowrap" align="flex-start" mt={4}>
          <Title order={2} data-testid="detail-name" style={{ overflowWrap: "anywhere" }}>
            {d.name}
          </Title>
          {onEdit ? (
            <Tooltip label="Edit (Enter)" openDelay={400} zIndex={150}>
              <Button
                size="compact-xs"
                variant="default"
                leftSection={<IconPencil size={12} aria-hidden />}
                onClick={() => onEdit(d.id)}
                disabled={d.deleted}
                data-testid="edit-asset"
                style={{ flexShrink: 0 }}
              >
                Edit
              </Button>
            </Tooltip>
          ) : null}
        </Group>
        <Group gap="sm" mt={4}>
          <SyncBadge state={d.syncState} />
          {d.inactive ? (
            <Text fz="xs" c="dimmed">
              Inactive
            </Text>
          ) : null}
          {d.deleted ? (
            <Text fz="xs" c="red">
              Deleted
            </Text>
          ) : null}
        </Group>
      </Box>
      <Section title="Details">
        <Field label="Client">{named(d.client)}</Field>
        <Field label="Site">{named(d.site)}</Field>
        <Field label="Users">
          {d.users.length === 0 ? null : d.users.map((u) => u.name ?? `#${u.id}`).join(", ")}
        </Field>
        <Field label="Type">{named(d.type)}</Field>
        <Field label="Status">{named(d.status)}</Field>
        <Field label="Serial">{d.serial}</Field>
        <Field label="Asset tag">{d.assetTag}</Field>
        <Field label="Manufacturer">{d.manufacturer}</Field>
        <Field label="Model">{d.model}</Field>
        <Field label="OS">
          {d.os === null ? null : [d.os, d.osVersion].filter(Boolean).join(" ")}
        </Field>
        <Field label="IP address">{d.ip}</Field>
        <Field label="MAC address">{d.mac}</Field>
      </Section>
      <Section title="Dates and money">
        <Field label="Purchased">{date(d.purchaseDate)}</Field>
        <Field label="Price">{money(d.purchasePriceCents)}</Field>
        <Field label="Warranty start">{date(d.warrantyStart)}</Field>
        <Field label="Warranty end">
          {d.warrantyEnd === null ? null : <WarrantyBadge end={d.warrantyEnd} today={today} />}
        </Field>
      </Section>
      {d.customFields.length > 0 ? (
        <Section title="Custom fields">
          {d.customFields.map((f) => (
            <Field key={f.key} label={f.label}>
              {customValue(f)}
            </Field>
          ))}
        </Section>
      ) : null}
      {d.agent.length > 0 ? (
        <Section title="Agent data">
          {d.agent.map((f) => (
            <Field key={f.key} label={humanize(f.key)}>
              {f.value}
            </Field>
          ))}
        </Section>
      ) : null}
      {d.rmmIds.length > 0 ? (
        <Section title="RMM ids">
          {d.rmmIds.map((f) => (
            <Field key={f.key} label={f.key}>
              {f.value}
            </Field>
          ))}
        </Section>
      ) : null}
      <Box component="section" aria-label="Parent and children" data-testid="links">
        <Title
          order={3}
          fz="xs"
          tt="uppercase"
          c="dimmed"
          mb={6}
          style={{ letterSpacing: "0.03em" }}
        >
          Parent and children
        </Title>
        <LinkTreePanel assetId={d.id} onOpen={onOpen} />
      </Box>
      <TicketsSection assetId={d.id} />
      <JournalSection id={d.id} />
      {d.notes ? (
        <Box component="section" aria-label="Notes">
          <Title order={3} fz="xs" tt="uppercase" c="dimmed" mb={6}>
            Notes
          </Title>
          <Text fz="sm" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
            {d.notes}
          </Text>
        </Box>
      ) : null}
    </Stack>
  );
}

/** The read-only detail of the selected asset, beside the list (no page navigation). */
export function AssetDetailPanel({ id, today, onOpen, onEdit }: AssetDetailPanelProps) {
  const detail = useAssetDetail(id);
  let body: ReactNode;
  if (id === null) {
    body = (
      <Text fz="sm" c="dimmed" ta="center" mt="xl">
        Select an asset to see its details. Use ↑ and ↓ to move through the list.
      </Text>
    );
  } else if (detail.isPending) {
    body = (
      <Group justify="center" mt="xl">
        <Loader size="sm" aria-label="Loading the asset" />
      </Group>
    );
  } else if (detail.isError) {
    body = (
      <Alert color="red" title="Could not load this asset" data-testid="detail-error">
        {detail.error.message}
      </Alert>
    );
  } else {
    body = <DetailBody d={detail.data} today={today} onOpen={onOpen} onEdit={onEdit} />;
  }
  return (
    <Box
      component="aside"
      aria-label="Asset detail"
      data-testid="asset-detail"
      w={300}
      miw={280}
      style={{
        borderLeft: "1px solid var(--mantine-color-default-border)",
        display: "flex",
        flexDirection: "column",
        minHeight: 0,
      }}
    >
      <ScrollArea style={{ flex: 1 }} px="md" py="sm">
        {body}
      </ScrollArea>
    </Box>
  );
}
