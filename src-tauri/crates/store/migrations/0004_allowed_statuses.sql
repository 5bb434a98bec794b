-- Schema v4: the statuses each asset type allows (HaloPSA `AssetType.allowed_status`,
-- halopsa-api.md §5 "Asset status"), so a status the type refuses is caught while editing,
-- offline, instead of at the next sync. JSON [RemoteId]; NULL when any status goes
-- (`allowall_status`, Syncro). Lookups are replaced on every sync, so existing caches fill
-- the column at their next sync and validate as before until then.
ALTER TABLE asset_types ADD COLUMN allowed_statuses TEXT;
