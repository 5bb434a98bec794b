import {
  Alert,
  Box,
  Button,
  Checkbox,
  Drawer,
  Group,
  Loader,
  Modal,
  MultiSelect,
  NumberInput,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { getHotkeyHandler, useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconAlertTriangle } from "@tabler/icons-react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type ReactNode, useEffect, useMemo, useState } from "react";
import { showErrorToast } from "../../components/notify";
import {
  type AssetFields,
  assetKeys,
  type ConnectionOption,
  type CustomFieldKind,
  type DraftValidation,
  type FieldError,
  type HostError,
  inDesktopApp,
  useAssetDetail,
  useFormSchema,
  useSaveAsset,
  type Value,
  validateAssetDraft,
} from "../../host";
import { useNavigationGuard } from "../../lib/navigation";
import {
  amountToCents,
  blankToNull,
  centsToAmount,
  changedFields,
  emptyFields,
  fieldsFromDetail,
  findingsByField,
} from "./formModel";

/** How long typing pauses before the draft is validated by Rust. */
export const VALIDATE_DEBOUNCE_MS = 250;

/** What the form edits: a new asset in a connection, or an existing asset. */
export type FormTarget = { kind: "create"; connectionId: string } | { kind: "edit"; id: number };

interface AssetFormProps {
  target: FormTarget | null;
  connections: ConnectionOption[];
  onClose: () => void;
  /** Called with the saved asset's id (to select it in the list). */
  onSaved: (id: number) => void;
}

/**
 * The create/edit form in a drawer beside the list. Fields follow the connection's provider
 * and the asset type (custom fields from the cached type definitions); Rust validates what is
 * typed (debounced) and again on save; closing with unsaved changes, or leaving the page
 * (`useNavigationGuard`), asks first. Saving works offline: the change is queued for the next
 * sync, and the toast says so.
 */
export function AssetForm({ target, connections, onClose, onSaved }: AssetFormProps) {
  const [dirty, setDirty] = useState(false);
  const [confirming, setConfirming] = useState(false);
  // Leaving the page unmounts the drawer with the draft in it: ask first, as closing does.
  useNavigationGuard(
    target !== null && dirty,
    "Your changes to this asset have not been saved. Leaving this page discards them.",
  );
  const requestClose = () => {
    if (dirty) setConfirming(true);
    else onClose();
  };
  const close = () => {
    setConfirming(false);
    setDirty(false);
    onClose();
  };
  const title = target?.kind === "edit" ? "Edit asset" : "New asset";
  return (
    <>
      <Drawer
        opened={target !== null}
        onClose={requestClose}
        position="right"
        size={560}
        title={title}
        styles={{ title: { fontSize: "var(--mantine-h3-font-size)", fontWeight: 600 } }}
        closeButtonProps={{ "aria-label": "Close the form" }}
        data-testid="asset-form"
      >
        {target === null ? null : target.kind === "edit" ? (
          <EditLoader
            key={`edit-${target.id}`}
            id={target.id}
            connections={connections}
            onDirty={setDirty}
            onCancel={requestClose}
            onSaved={(id) => {
              setDirty(false);
              onSaved(id);
            }}
          />
        ) : (
          <CreateBody
            key="create"
            initialConnection={target.connectionId}
            connections={connections}
            onDirty={setDirty}
            onCancel={requestClose}
            onSaved={(id) => {
              setDirty(false);
              onSaved(id);
            }}
          />
        )}
      </Drawer>
      <Modal
        opened={confirming}
        onClose={() => setConfirming(false)}
        title="Discard unsaved changes?"
        centered
        size="sm"
        zIndex={400}
      >
        <Text fz="sm">Your changes to this asset have not been saved.</Text>
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={() => setConfirming(false)}>
            Keep editing
          </Button>
          <Button color="red" onClick={close}>
            Discard changes
          </Button>
        </Group>
      </Modal>
    </>
  );
}

interface BodyCallbacks {
  onDirty: (dirty: boolean) => void;
  onCancel: () => void;
  onSaved: (id: number) => void;
}

function EditLoader({
  id,
  connections,
  ...callbacks
}: { id: number; connections: ConnectionOption[] } & BodyCallbacks) {
  const detail = useAssetDetail(id);
  // The form starts from the detail as it was when opened; later refetches (a sync, the
  // save itself) must not reset what the user is typing.
  const [initial, setInitial] = useState<AssetFields | null>(null);
  if (initial === null && detail.data) setInitial(fieldsFromDetail(detail.data));
  if (detail.isError) {
    return (
      <Alert color="red" title="This asset could not be opened">
        {detail.error.message}
      </Alert>
    );
  }
  if (initial === null || !detail.data) {
    return (
      <Group justify="center" p="xl">
        <Loader size="sm" aria-label="Loading the asset" />
      </Group>
    );
  }
  const connection = connections.find((c) => c.id === detail.data.connectionId);
  return (
    <FormBody
      connectionId={detail.data.connectionId}
      connectionName={connection?.name ?? detail.data.connectionName}
      assetId={id}
      initial={initial}
      {...callbacks}
    />
  );
}

function CreateBody({
  initialConnection,
  connections,
  ...callbacks
}: { initialConnection: string; connections: ConnectionOption[] } & BodyCallbacks) {
  const [connectionId, setConnectionId] = useState(initialConnection);
  const initial = useMemo(() => emptyFields(), []);
  const name = connections.find((c) => c.id === connectionId)?.name ?? connectionId;
  return (
    <Stack gap="md">
      {connections.length > 1 ? (
        <Select
          label="Connection"
          description="Where the asset is created"
          data={connections.map((c) => ({ value: c.id, label: c.name }))}
          value={connectionId}
          onChange={(v) => v && setConnectionId(v)}
          allowDeselect={false}
          comboboxProps={{ withinPortal: true, zIndex: 500 }}
        />
      ) : null}
      <FormBody
        key={connectionId}
        connectionId={connectionId}
        connectionName={name}
        assetId={null}
        initial={initial}
        {...callbacks}
      />
    </Stack>
  );
}

interface FormBodyProps extends BodyCallbacks {
  connectionId: string;
  connectionName: string;
  assetId: number | null;
  initial: AssetFields;
}

const num = (v: string | null): number | null => (v === null ? null : Number(v));
const str = (v: number | null | undefined): string | null =>
  v === null || v === undefined ? null : String(v);

function FormBody({
  connectionId,
  connectionName,
  assetId,
  initial,
  onDirty,
  onCancel,
  onSaved,
}: FormBodyProps) {
  const [fields, setFields] = useState<AssetFields>(initial);
  const [touched, setTouched] = useState<Set<string>>(() => new Set());
  const [showAll, setShowAll] = useState(false);
  const [saveFindings, setSaveFindings] = useState<FieldError[] | null>(null);
  const schema = useFormSchema(connectionId, fields.client_id);
  const save = useSaveAsset();
  const [debounced] = useDebouncedValue(fields, VALIDATE_DEBOUNCE_MS);
  const validation = useQuery<DraftValidation, HostError>({
    queryKey: [...assetKeys.all, "validate", connectionId, assetId, debounced],
    queryFn: () => validateAssetDraft({ connectionId, fields: debounced, assetId, parentId: null }),
    enabled: inDesktopApp(),
    placeholderData: keepPreviousData,
    staleTime: 0,
    gcTime: 0,
  });
  const changes = useMemo(() => changedFields(initial, fields), [initial, fields]);
  const isDirty = Object.keys(changes).length > 0;
  useEffect(() => onDirty(isDirty), [isDirty, onDirty]);

  const set = (patch: Partial<AssetFields>, touch: string) => {
    setFields((f) => ({ ...f, ...patch }));
    setTouched((t) => (t.has(touch) ? t : new Set(t).add(touch)));
    setSaveFindings(null);
  };
  const setCustom = (key: string, value: Value) => {
    setFields((f) => {
      const custom = { ...f.custom };
      if (value === null || value === "") delete custom[key];
      else custom[key] = value;
      return { ...f, custom };
    });
    const name = `custom:${key}`;
    setTouched((t) => (t.has(name) ? t : new Set(t).add(name)));
    setSaveFindings(null);
  };

  // The save's answer wins until the user types again; otherwise the live validation, shown
  // for the fields the user has touched (all of them after a save attempt).
  const findings = findingsByField(saveFindings ?? validation.data?.findings ?? []);
  const feedback = (name: string): { error?: ReactNode; description?: ReactNode } => {
    if (!showAll && !touched.has(name)) return {};
    const list = findings.get(name) ?? [];
    const errors = list.filter((f) => f.severity === "error");
    const warnings = list.filter((f) => f.severity === "warning");
    return {
      error: errors.length > 0 ? errors.map((e) => e.message).join(" ") : undefined,
      description:
        warnings.length > 0 ? (
          <Text component="span" fz="xs" c="orange.8" data-testid={`warning-${name}`}>
            ⚠ {warnings.map((w) => w.message).join(" ")}
          </Text>
        ) : undefined,
    };
  };

  const submit = () => {
    setShowAll(true);
    if (assetId !== null && !isDirty) {
      onCancel();
      return;
    }
    const variables =
      assetId === null
        ? ({ kind: "create", request: { connectionId, fields, parentId: null } } as const)
        : ({ kind: "update", request: { id: assetId, changes } } as const);
    save.mutate(variables, {
      onSuccess: (outcome) => {
        if (outcome.kind === "invalid") {
          setSaveFindings(outcome.findings);
          return;
        }
        notifications.show({
          color: "teal",
          title: "Saved — will sync when online",
          message: `${fields.name} is saved on this computer and queued for ${connectionName}.`,
          withBorder: true,
          autoClose: 5000,
        });
        onSaved(outcome.assetId);
      },
      onError: (error) => showErrorToast("The asset could not be saved", error),
    });
  };

  const s = schema.data;
  if (schema.isError) {
    return (
      <Alert color="red" title="The form could not be prepared">
        {schema.error.message}
      </Alert>
    );
  }
  if (!s) {
    return (
      <Group justify="center" p="xl">
        <Loader size="sm" aria-label="Loading the form" />
      </Group>
    );
  }
  const assetType = s.types.find((t) => t.id === fields.type_id);
  // A HaloPSA type may allow only some statuses; the asset's own stays listed (and is flagged
  // by validation) so changing the type never blanks it silently.
  const allowedStatuses = assetType?.allowedStatusIds;
  const statusOptions = s.statuses.filter(
    (o) => !allowedStatuses || allowedStatuses.includes(o.id) || o.id === fields.status_id,
  );
  const errorCount = [...findings.values()]
    .flat()
    .filter((f) => f.severity === "error" && (showAll || touched.has(f.field))).length;

  return (
    <Box
      component="form"
      noValidate
      aria-label={assetId === null ? "New asset" : "Edit asset"}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      onKeyDown={getHotkeyHandler([["mod+Enter", submit]])}
    >
      <Stack gap="lg">
        <Text fz="xs" c="dimmed">
          {connectionName} · {s.provider === "halo" ? "HaloPSA" : "Syncro"}
          {assetId === null ? "" : ` · asset #${assetId}`}
        </Text>
        <FormSection title="Required">
          <TextInput
            label="Name"
            required
            value={fields.name}
            onChange={(e) => set({ name: e.currentTarget.value }, "name")}
            data-autofocus
            {...feedback("name")}
          />
          <Select
            label="Client"
            required
            searchable
            data={s.clients.map((c) => ({ value: String(c.remoteId), label: c.name }))}
            value={str(fields.client_id)}
            onChange={(v) =>
              set(
                {
                  client_id: num(v),
                  site_id: null,
                  user_ids: fields.client_id === num(v) ? fields.user_ids : [],
                },
                "client_id",
              )
            }
            comboboxProps={{ withinPortal: true, zIndex: 500 }}
            nothingFoundMessage="No client by that name"
            {...feedback("client_id")}
          />
          <Select
            label="Type"
            required
            searchable
            data={s.types.map((t) => ({ value: String(t.id), label: t.name }))}
            value={str(fields.type_id)}
            onChange={(v) => set({ type_id: num(v) }, "type_id")}
            comboboxProps={{ withinPortal: true, zIndex: 500 }}
            {...feedback("type_id")}
          />
        </FormSection>
        {assetType && assetType.fields.length > 0 ? (
          <FormSection title={`${assetType.name} fields`}>
            {assetType.fields.map((def) => (
              <CustomInput
                key={def.key}
                label={def.label}
                required={def.required}
                kind={def.kind}
                value={fields.custom[def.key] ?? null}
                onChange={(v) => setCustom(def.key, v)}
                {...feedback(`custom:${def.key}`)}
              />
            ))}
          </FormSection>
        ) : null}
        <FormSection title="Details">
          {s.capabilities.asset_status ? (
            <Select
              label="Status"
              data={statusOptions.map((o) => ({ value: String(o.id), label: o.name }))}
              description={
                allowedStatuses && assetType
                  ? `The statuses ${assetType.name} assets can have`
                  : undefined
              }
              value={str(fields.status_id)}
              onChange={(v) => set({ status_id: num(v) }, "status_id")}
              clearable
              comboboxProps={{ withinPortal: true, zIndex: 500 }}
              {...feedback("status_id")}
            />
          ) : null}
          {s.capabilities.sites ? (
            <Select
              label="Site"
              data={s.sites.map((o) => ({ value: String(o.id), label: o.name }))}
              value={str(fields.site_id)}
              onChange={(v) => set({ site_id: num(v) }, "site_id")}
              clearable
              searchable
              disabled={fields.client_id === null}
              placeholder={fields.client_id === null ? "Choose the client first" : undefined}
              comboboxProps={{ withinPortal: true, zIndex: 500 }}
              {...feedback("site_id")}
            />
          ) : null}
          {s.capabilities.multiple_users ? (
            <MultiSelect
              label="Users"
              data={s.users.map((o) => ({ value: String(o.id), label: o.name }))}
              value={fields.user_ids.map(String)}
              onChange={(v) => set({ user_ids: v.map(Number) }, "user_ids")}
              searchable
              clearable
              comboboxProps={{ withinPortal: true, zIndex: 500 }}
              {...feedback("user_ids")}
            />
          ) : (
            <Select
              label="User"
              data={s.users.map((o) => ({ value: String(o.id), label: o.name }))}
              value={str(fields.user_ids[0])}
              onChange={(v) => set({ user_ids: v === null ? [] : [Number(v)] }, "user_ids")}
              searchable
              clearable
              comboboxProps={{ withinPortal: true, zIndex: 500 }}
              {...feedback("user_ids")}
            />
          )}
          {(
            [
              ["serial", "Serial number"],
              ["asset_tag", "Asset tag"],
              ["manufacturer", "Manufacturer"],
              ["model", "Model"],
              ["os", "Operating system"],
              ["os_version", "OS version"],
              ["ip", "IP address"],
              ["mac", "MAC address"],
            ] as const
          ).map(([name, fallback]) => {
            const meta = s.fields.find((f) => f.name === name);
            return (
              <TextInput
                key={name}
                label={meta?.label ?? fallback}
                value={fields[name] ?? ""}
                disabled={meta ? !meta.editable : false}
                onChange={(e) => set({ [name]: blankToNull(e.currentTarget.value) }, name)}
                {...feedback(name)}
                description={
                  feedback(name).description ??
                  (meta && !meta.editable ? meta.readOnlyReason : undefined)
                }
              />
            );
          })}
          <Textarea
            label="Notes"
            autosize
            minRows={2}
            maxRows={8}
            value={fields.notes ?? ""}
            onChange={(e) => set({ notes: blankToNull(e.currentTarget.value) }, "notes")}
            {...feedback("notes")}
          />
          <Checkbox
            label="Inactive (no longer in service)"
            checked={fields.inactive}
            onChange={(e) => set({ inactive: e.currentTarget.checked }, "inactive")}
          />
        </FormSection>
        <FormSection title="Dates and money">
          {(
            [
              ["purchase_date", "Purchase date"],
              ["warranty_start", "Warranty start"],
              ["warranty_end", "Warranty end"],
            ] as const
          ).map(([name, label]) => (
            <TextInput
              key={name}
              type="date"
              label={label}
              value={fields[name] ?? ""}
              onChange={(e) => set({ [name]: blankToNull(e.currentTarget.value) }, name)}
              {...feedback(name)}
            />
          ))}
          {(() => {
            const meta = s.fields.find((f) => f.name === "purchase_price_cents");
            return (
              <NumberInput
                label="Purchase price"
                decimalScale={2}
                thousandSeparator=","
                min={0}
                value={centsToAmount(fields.purchase_price_cents)}
                disabled={meta ? !meta.editable : false}
                onChange={(v) =>
                  set({ purchase_price_cents: amountToCents(v) }, "purchase_price_cents")
                }
                {...feedback("purchase_price_cents")}
                description={
                  feedback("purchase_price_cents").description ??
                  (meta && !meta.editable ? meta.readOnlyReason : undefined)
                }
              />
            );
          })()}
        </FormSection>
        {errorCount > 0 ? (
          <Alert
            color="red"
            variant="light"
            icon={<IconAlertTriangle size={16} aria-hidden />}
            data-testid="form-errors"
          >
            {errorCount === 1 ? "1 field needs a fix" : `${errorCount} fields need a fix`} before
            saving.
          </Alert>
        ) : null}
        <Group
          justify="flex-end"
          pos="sticky"
          bottom={0}
          py="sm"
          bg="var(--mantine-color-body)"
          style={{ borderTop: "1px solid var(--mantine-color-default-border)" }}
        >
          <Text fz="xs" c="dimmed" mr="auto">
            {isDirty ? "Unsaved changes" : assetId === null ? "" : "No changes"}
          </Text>
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending} data-testid="save-asset">
            {assetId === null ? "Create asset" : "Save"}
          </Button>
        </Group>
      </Stack>
    </Box>
  );
}

function FormSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box component="fieldset" m={0} p={0} style={{ border: 0 }}>
      <Text
        component="legend"
        fz="xs"
        fw={600}
        tt="uppercase"
        c="dimmed"
        mb={8}
        style={{ letterSpacing: "0.03em" }}
      >
        {title}
      </Text>
      <Stack gap="sm">{children}</Stack>
    </Box>
  );
}

interface CustomInputProps {
  label: string;
  required: boolean;
  kind: CustomFieldKind;
  value: Value;
  onChange: (v: Value) => void;
  error?: ReactNode;
  description?: ReactNode;
}

/** One custom field, rendered by its kind from the type definition. */
function CustomInput({ label, required, kind, value, onChange, ...rest }: CustomInputProps) {
  const text = typeof value === "string" || typeof value === "number" ? String(value) : "";
  switch (kind.kind) {
    case "memo":
      return (
        <Textarea
          label={label}
          required={required}
          autosize
          minRows={2}
          value={text}
          onChange={(e) => onChange(e.currentTarget.value)}
          {...rest}
        />
      );
    case "number":
      return (
        <NumberInput
          label={label}
          required={required}
          value={typeof value === "number" ? value : text}
          onChange={(v) => onChange(v === "" ? null : typeof v === "number" ? v : String(v))}
          {...rest}
        />
      );
    case "date":
      return (
        <TextInput
          type="date"
          label={label}
          required={required}
          value={text}
          onChange={(e) => onChange(e.currentTarget.value)}
          {...rest}
        />
      );
    case "boolean":
      return (
        <Checkbox
          label={label}
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
          error={rest.error}
          description={rest.description}
        />
      );
    case "select":
      return (
        <Select
          label={label}
          required={required}
          data={kind.options}
          value={typeof value === "string" ? value : null}
          onChange={(v) => onChange(v)}
          clearable
          comboboxProps={{ withinPortal: true, zIndex: 500 }}
          {...rest}
        />
      );
    default:
      return (
        <TextInput
          label={label}
          required={required}
          value={text}
          onChange={(e) => onChange(e.currentTarget.value)}
          {...rest}
        />
      );
  }
}
