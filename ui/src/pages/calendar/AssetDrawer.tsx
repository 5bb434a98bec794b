import { Divider, Drawer, Stack } from "@mantine/core";
import { useAssetDetail } from "../../host";
import { AssetDetailPanel } from "../assets/AssetDetailPanel";
import { RenewForm } from "./RenewForm";

interface AssetDrawerProps {
  assetId: number | null;
  today: string;
  onOpen: (id: number) => void;
  /** Full edit lives on the Assets page. */
  onEdit: (id: number) => void;
  onClose: () => void;
}

/**
 * What a click on a calendar event opens: the same detail as the asset page, with inline
 * renew and the editable parent/child tree.
 */
export function AssetDrawer({ assetId, today, onOpen, onEdit, onClose }: AssetDrawerProps) {
  const detail = useAssetDetail(assetId);
  return (
    <Drawer
      opened={assetId !== null}
      onClose={onClose}
      position="right"
      size={520}
      title={detail.data?.name ?? "Asset"}
      data-testid="calendar-asset-drawer"
    >
      {assetId !== null ? (
        <Stack gap="md">
          {detail.data ? (
            <RenewForm
              assetId={assetId}
              assetName={detail.data.name}
              current={detail.data.warrantyEnd}
              today={today}
            />
          ) : null}
          <Divider />
          <AssetDetailPanel id={assetId} today={today} onOpen={onOpen} onEdit={onEdit} />
        </Stack>
      ) : null}
    </Drawer>
  );
}
