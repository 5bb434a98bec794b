import { Alert, Badge, Button, Group, Modal, Stack, Text } from "@mantine/core";
import { IconCloudOff, IconCloudUp, IconFlask, IconTrash, IconWand } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { showDoneToast, showErrorToast } from "../../components/notify";
import { Section } from "../../components/Section";
import {
  type DemoStatus,
  demoKeys,
  type HostError,
  hostKeys,
  makeDemoRemoteChange,
  removeDemo,
  setDemoOffline,
  useConnections,
  useDemoStatus,
} from "../../host";

/**
 * The demo workspace's controls, shown only while it exists. It is labelled as a demo
 * everywhere, so nobody mistakes its made-up tenants for real ones. "Go offline" and "Make a
 * remote change" let a newcomer try offline edits and a conflict without a real PSA.
 */
export function DemoSection() {
  const connections = useConnections();
  const status = useDemoStatus();
  const queryClient = useQueryClient();
  const [confirmRemove, setConfirmRemove] = useState(false);
  const demoConnections = (connections.data ?? []).filter((c) => c.demo);
  const active = status.data?.active ?? demoConnections.length > 0;
  const offline = status.data ? !status.data.online : false;

  const refresh = () => void queryClient.invalidateQueries({ queryKey: hostKeys.all });
  const network = useMutation<DemoStatus, HostError, boolean>({
    mutationFn: (goOffline) => setDemoOffline(goOffline),
    onSuccess: (next, goOffline) => {
      queryClient.setQueryData(demoKeys.status(), next);
      showDoneToast(
        goOffline
          ? "The demo PSAs are offline. Edits queue until you go online again."
          : "The demo PSAs are online again; their connections sync now.",
      );
    },
    onError: (error) => showErrorToast("Could not change the demo's network", error),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: demoKeys.all }),
  });
  const remoteChange = useMutation<string, HostError>({
    mutationFn: makeDemoRemoteChange,
    onError: (error) => showErrorToast("Could not make a remote change", error),
  });
  const remove = useMutation<unknown, HostError>({
    mutationFn: removeDemo,
    onSuccess: () => {
      setConfirmRemove(false);
      showDoneToast("The demo workspace is removed.");
    },
    onError: (error) => showErrorToast("Could not remove the demo", error),
    onSettled: refresh,
  });

  if (!active) return null;
  const assets = demoConnections.reduce((n, c) => n + c.cachedAssets, 0);

  return (
    <Section
      title="Demo workspace"
      description="Made-up HaloPSA and Syncro data served on this computer, for trying AssetDesk. Nothing here reaches a real PSA."
    >
      <Stack gap="sm" mt="md" data-testid="demo-section">
        <Group gap="xs">
          <Badge color="grape" variant="light" tt="none" leftSection={<IconFlask size={12} />}>
            Demo
          </Badge>
          <Text size="sm" data-testid="demo-network">
            {offline
              ? "Offline: syncs fail as if the network were down; your edits queue."
              : "Online: syncs reach the demo PSAs."}
          </Text>
        </Group>
        <Group gap="xs">
          <Button
            size="xs"
            variant="default"
            leftSection={
              offline ? (
                <IconCloudUp size={14} aria-hidden />
              ) : (
                <IconCloudOff size={14} aria-hidden />
              )
            }
            loading={network.isPending}
            onClick={() => network.mutate(!offline)}
            data-testid={offline ? "demo-go-online" : "demo-go-offline"}
          >
            {offline ? "Go online" : "Go offline"}
          </Button>
          <Button
            size="xs"
            variant="default"
            leftSection={<IconWand size={14} aria-hidden />}
            loading={remoteChange.isPending}
            onClick={() => remoteChange.mutate()}
            data-testid="demo-remote-change"
          >
            Make a remote change
          </Button>
          <Button
            size="xs"
            variant="subtle"
            color="red"
            leftSection={<IconTrash size={14} aria-hidden />}
            onClick={() => setConfirmRemove(true)}
            data-testid="demo-remove"
          >
            Remove demo
          </Button>
        </Group>
        {status.data?.haloUrl || status.data?.syncroUrl ? (
          <Text size="xs" c="dimmed" ff="monospace" data-testid="demo-urls">
            {[
              status.data.haloUrl ? `HaloPSA ${status.data.haloUrl}` : null,
              status.data.syncroUrl ? `Syncro ${status.data.syncroUrl}` : null,
            ]
              .filter(Boolean)
              .join(" · ")}
          </Text>
        ) : null}
        {remoteChange.data ? (
          <Alert
            color="indigo"
            variant="light"
            title="Changed at the demo PSA"
            data-testid="demo-remote-change-result"
          >
            <Text size="sm" data-testid="demo-remote-change-text">
              {remoteChange.data}
            </Text>
          </Alert>
        ) : null}
      </Stack>
      {confirmRemove ? (
        <Modal opened onClose={() => setConfirmRemove(false)} title="Remove the demo workspace?">
          <Stack gap="sm">
            <Text size="sm">
              The {demoConnections.length} demo connection(s) and their {assets.toLocaleString()}{" "}
              cached assets are removed, with any demo edits still queued. Your own connections are
              not touched.
            </Text>
            <Group justify="flex-end" gap="sm">
              <Button variant="default" onClick={() => setConfirmRemove(false)}>
                Keep the demo
              </Button>
              <Button
                color="red"
                loading={remove.isPending}
                onClick={() => remove.mutate()}
                data-testid="demo-remove-confirm"
              >
                Remove demo
              </Button>
            </Group>
          </Stack>
        </Modal>
      ) : null}
    </Section>
  );
}
