import { Alert, Button, Group, Modal, PasswordInput, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import {
  addConnection,
  type Connection,
  type ConnectionField,
  type ConnectionSettings,
  connectionFieldError,
  connectionKeys,
  editConnection,
  type HostError,
  type ProviderKind,
  toHostError,
} from "../../host";

/** What the form is for: a new connection of a kind, or an existing one. */
export type ConnectionFormTarget =
  | { mode: "add"; kind: ProviderKind }
  | { mode: "edit"; connection: Connection };

interface Values {
  name: string;
  url: string;
  authUrl: string;
  tenant: string;
  clientId: string;
  secret: string;
}

function initialValues(target: ConnectionFormTarget): Values {
  if (target.mode === "add") {
    return { name: "", url: "", authUrl: "", tenant: "", clientId: "", secret: "" };
  }
  const c = target.connection;
  return {
    name: c.name,
    url: c.baseUrl,
    authUrl: c.authUrl ?? "",
    tenant: c.tenant ?? "",
    clientId: c.clientId ?? "",
    secret: "",
  };
}

const optional = (v: string): string | null => (v.trim() === "" ? null : v.trim());

function toSettings(kind: ProviderKind, v: Values): ConnectionSettings {
  const halo = kind === "halo";
  return {
    kind,
    name: v.name.trim(),
    url: v.url.trim(),
    authUrl: halo ? optional(v.authUrl) : null,
    tenant: halo ? optional(v.tenant) : null,
    clientId: halo ? optional(v.clientId) : null,
  };
}

/** Rust's messages start lower-case after the field prefix; a form label reads better capitalised. */
const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const PROVIDER_NAME: Record<ProviderKind, string> = { halo: "HaloPSA", syncro: "Syncro" };

/**
 * Add or edit a HaloPSA or Syncro connection. Validation is Rust's (the same rules the CLI
 * applies): a rejected field gets the message under it, naming the fix. The secret is sent
 * once, to be stored in the OS keychain; when editing, an empty secret keeps the stored one.
 */
export function ConnectionForm({
  target,
  onClose,
  onSaved,
}: {
  target: ConnectionFormTarget;
  onClose: () => void;
  /** Called with the saved connection, e.g. to test it at once. */
  onSaved: (connection: Connection) => void;
}) {
  const kind = target.mode === "add" ? target.kind : target.connection.kind;
  const [values, setValues] = useState(() => initialValues(target));
  const [fieldError, setFieldError] = useState<{ field: ConnectionField; message: string } | null>(
    null,
  );
  const queryClient = useQueryClient();

  const save = useMutation<Connection, HostError>({
    mutationFn: () => {
      const settings = toSettings(kind, values);
      // Trimmed like every field: a secret pasted with a trailing newline would otherwise
      // fail as "wrong credentials" with nothing visibly wrong.
      const secret = optional(values.secret);
      return target.mode === "add"
        ? addConnection(settings, secret ?? "")
        : editConnection(target.connection.id, settings, secret);
    },
    onSuccess: (connection) => {
      void queryClient.invalidateQueries({ queryKey: connectionKeys.all });
      onSaved(connection);
    },
    onError: (error) => setFieldError(connectionFieldError(toHostError(error))),
  });

  const set = (field: keyof Values) => (event: { currentTarget: { value: string } }) => {
    const value = event.currentTarget.value;
    setValues((v) => ({ ...v, [field]: value }));
    // The message described the old value; leave it until the user changes that field.
    if (fieldError?.field === field) setFieldError(null);
  };
  const errorFor = (field: ConnectionField) =>
    fieldError?.field === field ? sentence(fieldError.message) : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFieldError(null);
    save.mutate();
  };

  // An error Rust did not pin to one field (keychain unavailable, a name already used, …).
  const formError = save.error && !fieldError ? toHostError(save.error) : null;
  const title =
    target.mode === "add"
      ? `Connect ${PROVIDER_NAME[kind]}`
      : `Edit ${target.connection.name} (${PROVIDER_NAME[kind]})`;
  const editing = target.mode === "edit";

  return (
    <Modal opened onClose={onClose} title={title} size="lg" data-testid="connection-form">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TextInput
            label="Name"
            description="What you call it in AssetDesk, e.g. “Contoso Halo”."
            required
            data-autofocus
            data-testid="conn-name"
            value={values.name}
            onChange={set("name")}
            error={errorFor("name")}
          />
          {kind === "halo" ? (
            <>
              <TextInput
                label="HaloPSA URL"
                description="Your HaloPSA web address or its resource server, e.g. https://contoso.halopsa.com."
                required
                data-testid="conn-url"
                value={values.url}
                onChange={set("url")}
                error={errorFor("url")}
              />
              <TextInput
                label="Authorisation server"
                description="Only if it is not <your URL>/auth (Configuration › Integrations › Halo API)."
                data-testid="conn-auth-url"
                value={values.authUrl}
                onChange={set("authUrl")}
                error={errorFor("authUrl")}
              />
              <TextInput
                label="Tenant"
                description="Only for hosted HaloPSA with a tenant name."
                data-testid="conn-tenant"
                value={values.tenant}
                onChange={set("tenant")}
                error={errorFor("tenant")}
              />
              <TextInput
                label="Client ID"
                description="From your Halo API application (Client Credentials)."
                required
                data-testid="conn-client-id"
                value={values.clientId}
                onChange={set("clientId")}
                error={errorFor("clientId")}
              />
              <PasswordInput
                label="Client secret"
                description={
                  editing
                    ? "Leave empty to keep the secret stored in the keychain."
                    : "Stored in your OS keychain, never in AssetDesk's files."
                }
                required={!editing}
                data-testid="conn-secret"
                value={values.secret}
                onChange={set("secret")}
                error={errorFor("secret")}
                autoComplete="off"
              />
            </>
          ) : (
            <>
              <TextInput
                label="Syncro account URL"
                description="Your account's web address (https://acme.syncromsp.com), its API base, or just the subdomain."
                required
                data-testid="conn-url"
                value={values.url}
                onChange={set("url")}
                error={errorFor("url")}
              />
              <PasswordInput
                label="API token"
                description={
                  editing
                    ? "Leave empty to keep the token stored in the keychain."
                    : "Admin › API › API Tokens in Syncro. Stored in your OS keychain only."
                }
                required={!editing}
                data-testid="conn-secret"
                value={values.secret}
                onChange={set("secret")}
                error={errorFor("secret")}
                autoComplete="off"
              />
            </>
          )}
          {formError ? (
            <Alert color="red" variant="light" data-testid="connection-form-error">
              <Text size="sm">{formError.message}</Text>
            </Alert>
          ) : null}
          <Group justify="flex-end" gap="sm" mt="xs">
            <Button variant="default" onClick={onClose} disabled={save.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} data-testid="conn-save">
              Save and test
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
