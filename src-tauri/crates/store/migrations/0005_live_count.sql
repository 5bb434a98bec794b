-- Schema v5: the live-asset count reads an index instead of the table. The list shows how
-- many assets match, and with no filter that count scanned every row (with its raw JSON): at
-- launch ~250 ms for 200k cached assets, and again after each synced page. This partial index
-- holds one small entry per live asset; `count(*) ... WHERE deleted_at IS NULL` walks it
-- (~9 ms at 200k). It is keyed on `id + 0` so that no other query can seek it: only scans that
-- need nothing but live ids can use it.
CREATE INDEX assets_live ON assets(id + 0) WHERE deleted_at IS NULL;
