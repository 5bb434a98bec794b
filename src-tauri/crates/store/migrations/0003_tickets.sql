-- Tickets about an asset (issue 9 item 2): a per-asset cache of the provider's tickets, and a
-- durable queue of "create ticket for this asset" requests so they work offline and are sent
-- exactly once (DESIGN.md invariants: nothing lost, nothing duplicated).

-- The provider's tickets linked to an asset, as last fetched; replaced per asset in one
-- transaction on every refresh.
CREATE TABLE asset_tickets (
    asset_id    INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    remote_id   INTEGER NOT NULL,
    summary     TEXT NOT NULL,
    status      TEXT,
    opened_at   TEXT,                  -- RFC 3339, UTC
    fetched_at  INTEGER NOT NULL,      -- unix ms
    PRIMARY KEY (asset_id, remote_id)
) STRICT;

-- Ticket creates waiting for (or done by) the provider. `client_op_id` is minted locally and
-- written into the ticket's details, so an interrupted create can be found before a resend.
CREATE TABLE ticket_queue (
    client_op_id      TEXT PRIMARY KEY,
    asset_id          INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    connection_id     TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    summary           TEXT NOT NULL,
    details           TEXT NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'failed', 'done')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT,
    remote_ticket_id  INTEGER,
    created_at        INTEGER NOT NULL, -- unix ms
    updated_at        INTEGER NOT NULL  -- unix ms
) STRICT;
CREATE INDEX ticket_queue_open ON ticket_queue(connection_id, created_at) WHERE state IN ('pending', 'in_flight');
CREATE INDEX ticket_queue_asset ON ticket_queue(asset_id, created_at);
