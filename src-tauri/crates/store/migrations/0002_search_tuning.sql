-- Schema v2: search-index merge policy for bulk pulls (issue 4 item 4; sync-perf-anchors.md
-- §3.1/§3.2 "index only what search needs, batch, merge later"). FTS5 configuration only:
-- index contents and query semantics are those of v1, so no row is rewritten and a v1 cache
-- migrates instantly.
--
-- crisismerge: with automerge off (v1), FTS5 still merges a level as soon as it holds this
-- many segments (default 16), inside the pull transaction that wrote the last one. Measured
-- on the store bench (100k pulled assets, on-CPU time of the writer): 16 → 64 cut the pull's
-- CPU per row by ~8%; the merging moves to `Store::merge_search_index`, which the engine runs
-- when idle (it merges 64 segments in one pass instead of re-merging every 16). Queries made
-- DURING a long pull see up to 64 segments per level instead of 16 (still correct, somewhat
-- slower) until that idle merge runs.
INSERT INTO assets_fts(assets_fts, rank) VALUES ('crisismerge', 64);
INSERT INTO assets_trigram(assets_trigram, rank) VALUES ('crisismerge', 64);
