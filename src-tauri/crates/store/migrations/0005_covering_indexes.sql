-- Schema v5: indexes that answer the list's count and the calendar without reading rows.
-- Rows carry their raw provider JSON, so a read of a row is a page read, and the cache reads
-- pages from the OS file cache (no memory map; store lib.rs).
--
-- The live-asset count. The list shows how many assets match; with no filter that count read
-- every row (~250 ms at launch for 200k cached assets, and again after each synced page).
-- This partial index holds one small entry per live asset (~9 ms at 200k). It is keyed on
-- `id + 0` so no other query can seek it: only scans that need nothing but live ids use it.
CREATE INDEX assets_live ON assets(id + 0) WHERE deleted_at IS NULL;

-- The warranty calendar. A month grid ranks each day's assets by name among the live, active
-- ones (~11,000 rows per month at 1M assets); with only (warranty_end, id) every one of them
-- was a row read (45–60 ms per month). Carrying the filter columns and the name, the range
-- is read from the index alone (~15 ms). The list's warranty filters and sort use it as
-- before (its leading column is unchanged).
DROP INDEX assets_warranty;
CREATE INDEX assets_warranty ON assets(warranty_end, deleted_at, inactive, name, id)
    WHERE warranty_end IS NOT NULL;

-- The refresh layer (assets due for replacement N years after purchase): the same shape on
-- the purchase date, which had no index at all (a scan of every row per month: ~235 ms at 1M).
CREATE INDEX assets_purchase ON assets(purchase_date, deleted_at, inactive, name, id)
    WHERE purchase_date IS NOT NULL;
