//! Knobs of the HaloPSA emulator. Every default is the behaviour the reference documents for a
//! Halo-hosted tenant; tests scale time down and turn faults on.

use std::time::Duration;

/// What a list answers when asked for a page past its end. Both are observed in the wild
/// (halopsa-api.md §3.3): most clients see an empty page, djpsa saw the last page repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PastEnd {
    /// An empty row array (with the true `record_count`).
    #[default]
    Empty,
    /// The last page again — a client that stops only on an empty page loops forever.
    RepeatLast,
}

/// The rolling-window rate limit (halopsa-api.md §6: "300 Requests per rolling 5 minute
/// window", HTTP 429). `window` is scalable so tests and benchmarks run in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max_requests: u32,
    pub window: Duration,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self {
            max_requests: 300,
            window: Duration::from_secs(300),
        }
    }
}

/// Fault injection. Rates are probabilities per request drawn from the seeded RNG, so a
/// simulation run with the same seed sees the same faults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Added to every response.
    pub latency: Duration,
    /// Probability that an `/api` request answers 500 without doing anything.
    pub server_error_rate: f64,
    /// Probability that a write (POST/DELETE) is applied and then the connection drops before
    /// the response body is delivered (the client cannot know whether it landed).
    pub drop_after_write_rate: f64,
}

/// Configuration of one emulated tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct HaloConfig {
    /// Seed of the deterministic data set and of fault draws.
    pub seed: u64,
    /// Number of assets seeded (hosts, VMs, workstations, …).
    pub assets: usize,
    /// Number of clients seeded (each gets two sites and a few users).
    pub clients: usize,
    /// Tickets seeded, each linked to one asset.
    pub tickets: usize,
    /// Hosted tenant name (`tenant` query parameter on the token URL, §1.2).
    pub tenant: String,
    /// OAuth client id (a GUID, §1.2 "Credential shapes").
    pub client_id: String,
    /// OAuth client secret (two GUIDs joined by `-`, §1.2).
    pub client_secret: String,
    /// Scopes the API application was granted (§1.2); a token gets the requested subset.
    pub granted_scopes: Vec<String>,
    /// Silent cap on rows per page whatever `page_size` asks (§3.3: 50 on `/Asset` on one
    /// tenant, 100 on `/Tickets` on another).
    pub page_cap: usize,
    /// Past-the-end behaviour of paged lists (§3.3).
    pub past_end: PastEnd,
    /// `None` turns the limiter off (benchmarks of the client's own speed).
    pub rate_limit: Option<RateLimit>,
    /// Send `Retry-After` on 429. Off by default: no source shows Halo sending it (§6).
    pub retry_after: bool,
    /// `expires_in` of minted tokens (§1.2: 3600 s usual).
    pub token_lifetime: Duration,
    /// The API agent cannot see any client's data: lists answer 200 with nothing (§1.3).
    pub agent_restricted: bool,
    /// "Asset tag must be unique" tenant setting (§4.3, kbid 1340).
    pub unique_inventory_number: bool,
    pub faults: Faults,
}

impl Default for HaloConfig {
    /// A small tenant for contract tests: quick to seed, real defaults for every behaviour.
    fn default() -> Self {
        Self {
            seed: 7,
            assets: 120,
            clients: 4,
            tickets: 20,
            tenant: "assetdesk".into(),
            client_id: "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b".into(),
            client_secret:
                "8d7c6b5a-4f3e-4d2c-8b1a-0f9e8d7c6b5a-1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d".into(),
            granted_scopes: vec!["all".into()],
            page_cap: 100,
            past_end: PastEnd::Empty,
            rate_limit: Some(RateLimit::default()),
            retry_after: false,
            token_lifetime: Duration::from_secs(3600),
            agent_restricted: false,
            unique_inventory_number: true,
            faults: Faults::default(),
        }
    }
}

impl HaloConfig {
    /// The demo tenant a newcomer sees first: six clients with sites and users, hundreds of
    /// assets whose warranties end across the past and next three years, a few without a
    /// serial, hosts carrying VMs, and tickets. Halo's `/Asset` page cap of 50 (§3.3).
    pub fn demo() -> Self {
        Self {
            seed: 2026,
            assets: 640,
            clients: 6,
            tickets: 90,
            page_cap: 50,
            ..Self::default()
        }
    }

    /// Scales the rate-limit window (e.g. `0.01` turns 5 minutes into 3 s) so tests and
    /// benchmarks exercise the limiter without waiting minutes.
    pub fn with_time_scale(mut self, scale: f64) -> Self {
        if let Some(rl) = self.rate_limit.as_mut() {
            rl.window = rl.window.mul_f64(scale.max(0.0));
        }
        self
    }
}
