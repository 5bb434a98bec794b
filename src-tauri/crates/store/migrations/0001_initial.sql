-- Schema v1 of the AssetDesk cache. Applied once, inside one transaction, by migrate.rs.
-- Never edit an applied migration: add 0002_….sql instead and keep a fixture of v1.
-- Times are unix milliseconds (INTEGER); calendar dates are 'YYYY-MM-DD' text.

-- A configured HaloPSA tenant or Syncro account. No secret is ever stored here: only the
-- keychain account name under which the OS keychain holds it (DESIGN.md invariant 5).
CREATE TABLE connections (
    id          TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('halo', 'syncro')),
    name        TEXT NOT NULL,
    base_url    TEXT NOT NULL,
    auth_url    TEXT,
    tenant      TEXT,
    client_id   TEXT,
    secret_ref  TEXT NOT NULL,
    demo        INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Lookups, keyed by the provider's id within a connection.
CREATE TABLE clients (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    remote_id     INTEGER NOT NULL,
    name          TEXT NOT NULL COLLATE NOCASE,
    inactive      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (connection_id, remote_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE sites (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    remote_id     INTEGER NOT NULL,
    client_id     INTEGER NOT NULL,
    name          TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (connection_id, remote_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE people (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    remote_id     INTEGER NOT NULL,
    client_id     INTEGER,
    site_id       INTEGER,
    name          TEXT NOT NULL COLLATE NOCASE,
    email         TEXT,
    PRIMARY KEY (connection_id, remote_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE asset_types (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    remote_id     INTEGER NOT NULL,
    name          TEXT NOT NULL COLLATE NOCASE,
    fields        TEXT NOT NULL DEFAULT '[]',   -- JSON [CustomFieldDef]
    PRIMARY KEY (connection_id, remote_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE asset_statuses (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    remote_id     INTEGER NOT NULL,
    name          TEXT NOT NULL COLLATE NOCASE,
    retired       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (connection_id, remote_id)
) STRICT, WITHOUT ROWID;

-- The cached assets: the local view (last pulled state with pending local edits applied).
CREATE TABLE assets (
    id                   INTEGER PRIMARY KEY,
    connection_id        TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    remote_id            INTEGER,              -- NULL until the provider acknowledged the create
    parent_id            INTEGER REFERENCES assets(id) ON DELETE SET NULL,
    parent_remote_id     INTEGER,              -- as pulled; resolved into parent_id
    name                 TEXT NOT NULL COLLATE NOCASE,
    client_id            INTEGER,
    site_id              INTEGER,
    type_id              INTEGER,
    status_id            INTEGER,
    serial               TEXT COLLATE NOCASE,
    asset_tag            TEXT COLLATE NOCASE,
    manufacturer         TEXT COLLATE NOCASE,
    model                TEXT COLLATE NOCASE,
    os                   TEXT COLLATE NOCASE,
    os_version           TEXT COLLATE NOCASE,
    ip                   TEXT,
    mac                  TEXT COLLATE NOCASE,
    purchase_date        TEXT,
    purchase_price_cents INTEGER,
    warranty_start       TEXT,
    warranty_end         TEXT,
    notes                TEXT,
    inactive             INTEGER NOT NULL DEFAULT 0,
    user_ids             TEXT NOT NULL DEFAULT '[]',   -- JSON [RemoteId]
    custom               TEXT NOT NULL DEFAULT '{}',   -- JSON {key: value}
    facts                TEXT NOT NULL DEFAULT '{}',   -- JSON AssetFacts
    raw                  TEXT NOT NULL DEFAULT 'null', -- provider JSON as last received
    remote_updated_at    TEXT,
    content_hash         BLOB,                 -- blake3 of the last applied remote content
    remote_pending       TEXT,                 -- JSON RemoteAsset pulled while edits were pending
    missed_passes        INTEGER NOT NULL DEFAULT 0,
    deleted_at           INTEGER,
    delete_reason        TEXT,
    sync_state           TEXT NOT NULL DEFAULT 'synced'
                         CHECK (sync_state IN ('synced', 'pending', 'failed', 'conflict')),
    local_updated_at     INTEGER
) STRICT;

CREATE UNIQUE INDEX assets_remote ON assets(connection_id, remote_id) WHERE remote_id IS NOT NULL;
CREATE INDEX assets_name ON assets(name, id);
CREATE INDEX assets_client_name ON assets(client_id, name, id);
CREATE INDEX assets_warranty ON assets(warranty_end, id) WHERE warranty_end IS NOT NULL;
CREATE INDEX assets_parent ON assets(parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX assets_unresolved_parent ON assets(connection_id, parent_remote_id)
    WHERE parent_remote_id IS NOT NULL AND parent_id IS NULL;
CREATE INDEX assets_unsynced ON assets(sync_state) WHERE sync_state <> 'synced';

-- Word/prefix search (sync-perf-anchors.md §3.2: prefix indexes make 2–4 character prefixes
-- cheap at 1M rows). Index only what search needs (§3.1 note, issue 4 item 4): contentless
-- (the text already lives in `assets`) with delete support, detail=none (no positions: we
-- only run prefix AND queries, never phrases or column filters). Automerge is off so pulls
-- write segments cheaply; merging happens later in bounded steps (Store::merge_search_index)
-- and crisis merges (16 segments per level) bound the segment count meanwhile.
CREATE VIRTUAL TABLE assets_fts USING fts5(
    name, serial, asset_tag, model, manufacturer, users, notes,
    content = '', contentless_delete = 1, detail = 'none',
    prefix = '2 3 4',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO assets_fts(assets_fts, rank) VALUES ('automerge', 0);

-- Substring search on serial / MAC / IP (sync-perf-anchors.md §3.2, trigram anchor). Holds
-- the serial, the MAC as bare hex digits and the IP; matches are re-checked against `assets`.
CREATE VIRTUAL TABLE assets_trigram USING fts5(
    ident,
    content = '', contentless_delete = 1, detail = 'none',
    tokenize = 'trigram'
);
INSERT INTO assets_trigram(assets_trigram, rank) VALUES ('automerge', 0);

-- The last remote state an edit was based on (sync-perf-anchors.md §1.2): JSON
-- {"fields": AssetFields, "parent_id": AssetId|null}. Absent while nothing is pending.
CREATE TABLE bases (
    asset_id INTEGER PRIMARY KEY REFERENCES assets(id) ON DELETE CASCADE,
    snapshot TEXT NOT NULL
) STRICT;

-- The durable outbox (sync-perf-anchors.md §1.1). Ordered per record by seq. No foreign key
-- cascade: nothing leaves the outbox except by acknowledgement or an explicit discard.
CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    client_op_id    TEXT NOT NULL UNIQUE,
    asset_id        INTEGER NOT NULL,
    connection_id   TEXT NOT NULL,
    op              TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete', 'link')),
    patch           TEXT NOT NULL,            -- JSON Patch, or {"parent_id": …} for link
    base            TEXT,                     -- the base snapshot when the op was made
    state           TEXT NOT NULL
                    CHECK (state IN ('pending', 'in_flight', 'failed', 'conflict', 'done')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    last_error      TEXT,
    actor           TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX outbox_open ON outbox(asset_id, seq) WHERE state <> 'done';
CREATE INDEX outbox_state ON outbox(state, seq);

-- Fields changed on both sides (sync-perf-anchors.md §1.2), for the user to resolve.
CREATE TABLE conflicts (
    id           INTEGER PRIMARY KEY,
    asset_id     INTEGER NOT NULL,
    op_seq       INTEGER,
    field        TEXT NOT NULL,
    base         TEXT NOT NULL,   -- JSON values
    local        TEXT NOT NULL,
    remote       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    resolved_at  INTEGER,
    resolution   TEXT
) STRICT;
CREATE INDEX conflicts_open ON conflicts(asset_id) WHERE resolved_at IS NULL;

-- One row per (connection, entity) pull stream (sync-perf-anchors.md §1.4).
CREATE TABLE pull_checkpoints (
    connection_id  TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    entity         TEXT NOT NULL,
    run_id         INTEGER NOT NULL,
    mode           TEXT NOT NULL,
    page_no        INTEGER NOT NULL,
    page_size      INTEGER NOT NULL,
    order_by       TEXT,
    high_watermark TEXT,
    remote_total   INTEGER,
    seen           INTEGER NOT NULL DEFAULT 0,
    started_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    completed_at   INTEGER,
    PRIMARY KEY (connection_id, entity)
) STRICT;

-- Remote ids seen during the running full pass (mark-and-sweep, sync-perf-anchors.md §1.6).
CREATE TABLE pull_seen (
    run_id    INTEGER NOT NULL,
    remote_id INTEGER NOT NULL,
    PRIMARY KEY (run_id, remote_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE pull_runs (
    run_id        INTEGER PRIMARY KEY,
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    started_at    INTEGER NOT NULL,
    completed_at  INTEGER
) STRICT;

-- Remote deletes we learned about (kept so a late page cannot resurrect them).
CREATE TABLE tombstones (
    connection_id TEXT NOT NULL,
    remote_id     INTEGER NOT NULL,
    asset_id      INTEGER,
    deleted_at    INTEGER NOT NULL,
    reason        TEXT NOT NULL,
    PRIMARY KEY (connection_id, remote_id)
) STRICT, WITHOUT ROWID;

-- Every write, stamped with its origin; the app turns it into batched UI events.
CREATE TABLE changes (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    origin    TEXT NOT NULL CHECK (origin IN ('user', 'sync', 'import')),
    entity    TEXT NOT NULL,
    asset_id  INTEGER,
    kind      TEXT NOT NULL
) STRICT;

-- Who changed what, when, and whether it reached the provider.
CREATE TABLE journal (
    id            INTEGER PRIMARY KEY,
    asset_id      INTEGER NOT NULL,
    at            INTEGER NOT NULL,
    actor         TEXT NOT NULL,
    origin        TEXT NOT NULL CHECK (origin IN ('user', 'sync', 'import')),
    action        TEXT NOT NULL,
    detail        TEXT NOT NULL,           -- JSON {field: {"from": …, "to": …}}
    client_op_id  TEXT,
    synced        INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX journal_asset ON journal(asset_id, id);
CREATE INDEX journal_op ON journal(client_op_id) WHERE client_op_id IS NOT NULL;
