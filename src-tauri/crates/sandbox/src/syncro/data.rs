//! The emulated account: seeded deterministic data and its JSON rendering in Syncro's shapes
//! (syncro-api.md §3.3 asset object, §4.1 customers, §4.2 contacts, §4.3 tickets).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration as ChronoDuration, FixedOffset, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{SyncroConfig, TimestampStyle};

/// A deterministic, unguessable-looking token for a seed and an index.
pub(crate) fn token_for(seed: u64, n: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_mul(31).wrapping_add(n));
    let a: u128 = rng.random();
    let s = format!("{a:032x}");
    // Syncro tokens look like `T1a2b…` long hex strings; the format carries no meaning.
    format!("T{}-{}", &s[..16], &s[16..])
}

#[derive(Debug, Clone)]
pub struct Customer {
    pub id: i64,
    pub firstname: String,
    pub lastname: String,
    pub business_name: Option<String>,
    pub email: String,
    pub phone: String,
    pub city: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Contact {
    pub id: i64,
    pub customer_id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct AssetTypeField {
    pub id: i64,
    pub name: String,
    pub field_type: &'static str,
    pub asset_type_id: i64,
    pub position: i64,
    pub required: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Asset {
    pub id: i64,
    pub name: String,
    pub customer_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub asset_type_id: i64,
    pub asset_serial: Option<String>,
    pub properties: Map<String, Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ticket {
    pub id: i64,
    pub number: i64,
    pub subject: String,
    pub customer_id: i64,
    pub contact_id: Option<i64>,
    pub status: String,
    pub problem_type: String,
    pub asset_ids: Vec<i64>,
    pub body: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Everything an account holds.
#[derive(Debug, Clone, Default)]
pub struct Account {
    pub customers: BTreeMap<i64, Customer>,
    pub contacts: BTreeMap<i64, Contact>,
    pub asset_types: BTreeMap<i64, String>,
    pub asset_type_fields: Vec<AssetTypeField>,
    pub assets: BTreeMap<i64, Asset>,
    pub tickets: BTreeMap<i64, Ticket>,
    pub next_asset_id: i64,
    pub next_ticket_id: i64,
    /// The emulated clock: starts at a fixed instant and ticks per write, so runs repeat.
    pub clock: DateTime<Utc>,
    /// Rendered asset JSON by id, for the style in `rendered_style`: a full pull of a big
    /// account is then string concatenation, so benchmarks measure the client, not us.
    rendered: std::collections::HashMap<i64, String>,
    rendered_style: Option<TimestampStyle>,
    /// Asset ids in order, for O(1) page offsets; rebuilt after inserts and removals.
    id_index: Option<Vec<i64>>,
}

const BUSINESSES: &[&str] = &[
    "Northwind Dental",
    "Contoso Legal LLP",
    "Fabrikam Logistics",
    "Blue Yonder Clinic",
    "Tailspin Architects",
    "Wide World Importers",
    "Adventure Works Cycles",
    "Litware Accounting",
    "Proseware Media",
    "Alpine Ski House",
    "Coho Vineyard",
    "Woodgrove Credit Union",
];
const FIRST: &[&str] = &[
    "Ana", "Ben", "Chloe", "Dev", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jon", "Kira", "Liam",
    "Maya", "Nils", "Olga", "Priya",
];
const LAST: &[&str] = &[
    "Alvarez", "Brooks", "Chen", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito",
    "Jensen", "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Patel",
];
const CITIES: &[&str] = &[
    "Seattle", "Portland", "Denver", "Austin", "Boston", "Chicago",
];

/// (type name, is computer with agent data, manufacturers/models)
const TYPES: &[(&str, bool)] = &[
    ("Syncro Device", true),
    ("Laptop", true),
    ("Desktop", true),
    ("Server", true),
    ("Virtual Machine", true),
    ("Network Device", false),
    ("Printer", false),
];
const HARDWARE: &[(&str, &[&str])] = &[
    (
        "Dell Inc.",
        &[
            "Latitude 5440",
            "OptiPlex 7010",
            "PowerEdge R650",
            "Precision 3660",
        ],
    ),
    (
        "HP",
        &[
            "EliteBook 840 G10",
            "ProDesk 600 G6",
            "ProLiant DL380 Gen10",
            "LaserJet M507",
        ],
    ),
    (
        "Lenovo",
        &[
            "ThinkPad T14 Gen 4",
            "ThinkCentre M70q",
            "ThinkSystem SR630",
        ],
    ),
    ("Cisco", &["Meraki MX68", "Catalyst 9200L"]),
    ("Ubiquiti", &["UniFi Dream Machine Pro", "USW-Pro-24-PoE"]),
    ("Brother", &["HL-L8360CDW", "MFC-L8900CDW"]),
];

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

impl Account {
    /// Seeds the account deterministically from `config`.
    pub fn seed(config: &SyncroConfig) -> Account {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let epoch = Utc
            .with_ymd_and_hms(2026, 1, 5, 9, 0, 0)
            .single()
            .unwrap_or_default();
        let mut acc = Account {
            clock: epoch,
            ..Default::default()
        };

        for (i, (name, _)) in TYPES.iter().enumerate() {
            acc.asset_types.insert(1000 + i as i64, (*name).to_owned());
        }
        // Custom asset fields per type (§3.5: keyed by display name in `properties`).
        let mut field_id = 5000;
        for (i, (_, computer)) in TYPES.iter().enumerate() {
            let type_id = 1000 + i as i64;
            let mut fields: Vec<(&str, &'static str)> = vec![
                ("Make", "Text Field"),
                ("Model", "Text Field"),
                ("Purchase Date", "Date"),
                ("Warranty Expiration", "Date"),
                ("Asset Tag", "Text Field"),
                ("Location", "Drop Down"),
            ];
            if *computer && config.parent_link_field {
                fields.push(("Parent Asset ID", "Text Field"));
            }
            for (pos, (name, ty)) in fields.into_iter().enumerate() {
                acc.asset_type_fields.push(AssetTypeField {
                    id: field_id,
                    name: name.to_owned(),
                    field_type: ty,
                    asset_type_id: type_id,
                    position: pos as i64 + 1,
                    required: false,
                });
                field_id += 1;
            }
        }

        for c in 0..config.customers.max(1) {
            let id = 100 + c as i64;
            let business = BUSINESSES[c % BUSINESSES.len()];
            let business = if c < BUSINESSES.len() {
                business.to_owned()
            } else {
                format!("{business} {}", c / BUSINESSES.len() + 1)
            };
            let first = (*pick(&mut rng, FIRST)).to_owned();
            let last = (*pick(&mut rng, LAST)).to_owned();
            let domain: String = business
                .to_lowercase()
                .chars()
                .filter(|ch| ch.is_ascii_alphanumeric())
                .collect();
            let created = epoch - ChronoDuration::days(rng.random_range(200..2000));
            acc.customers.insert(
                id,
                Customer {
                    id,
                    email: format!("{}@{domain}.example", first.to_lowercase()),
                    firstname: first,
                    lastname: last,
                    business_name: Some(business),
                    phone: format!("555-{:04}", rng.random_range(0..10000)),
                    city: (*pick(&mut rng, CITIES)).to_owned(),
                    disabled: false,
                    created_at: created,
                    updated_at: created,
                },
            );
            for k in 0..rng.random_range(2..6) {
                let cid = id * 100 + k;
                let first = *pick(&mut rng, FIRST);
                let last = *pick(&mut rng, LAST);
                acc.contacts.insert(
                    cid,
                    Contact {
                        id: cid,
                        customer_id: id,
                        name: format!("{first} {last}"),
                        email: format!(
                            "{}.{}@{domain}.example",
                            first.to_lowercase(),
                            last.to_lowercase()
                        ),
                        phone: format!("555-{:04}", rng.random_range(0..10000)),
                        created_at: created,
                    },
                );
            }
        }

        let customer_ids: Vec<i64> = acc.customers.keys().copied().collect();
        let mut hosts: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        acc.next_asset_id = 10_000;
        for n in 0..config.assets {
            let id = acc.next_asset_id;
            acc.next_asset_id += 1;
            // Blocks of 12 per customer: a server first, then its VMs, computers and gear.
            let customer_id = customer_ids[(n / 12) % customer_ids.len()];
            // Mostly computers; a server every ~12 assets and VMs on those servers.
            let type_idx = match n % 12 {
                0 => 3,
                1 | 2 if hosts.get(&customer_id).is_some_and(|h| !h.is_empty()) => 4,
                3 => 5,
                4 => 6,
                5..=7 => 1,
                8 | 9 => 2,
                _ => 0,
            };
            let asset = acc.make_asset(&mut rng, id, customer_id, type_idx, config, &hosts, epoch);
            if type_idx == 3 {
                hosts.entry(customer_id).or_default().push(id);
            }
            acc.put_asset(asset);
        }

        acc.next_ticket_id = 70_000;
        let asset_ids: Vec<i64> = acc.assets.keys().copied().collect();
        let subjects = [
            "Laptop will not boot",
            "Replace failing disk",
            "Printer offline",
            "Warranty renewal",
            "Slow VM performance",
            "BSOD after update",
            "Firewall firmware upgrade",
        ];
        for t in 0..config.tickets {
            if asset_ids.is_empty() {
                break;
            }
            let asset_id = *pick(&mut rng, &asset_ids);
            let Some(asset) = acc.assets.get(&asset_id) else {
                continue;
            };
            let customer_id = asset.customer_id.unwrap_or(customer_ids[0]);
            let id = acc.next_ticket_id;
            acc.next_ticket_id += 1;
            let created = epoch - ChronoDuration::hours(rng.random_range(1..2000));
            acc.tickets.insert(
                id,
                Ticket {
                    id,
                    number: 1000 + t as i64,
                    subject: (*pick(&mut rng, &subjects)).to_owned(),
                    customer_id,
                    contact_id: asset.contact_id,
                    status: (*pick(&mut rng, &["New", "In Progress", "Resolved"])).to_owned(),
                    problem_type: "Hardware".to_owned(),
                    asset_ids: vec![asset_id],
                    body: None,
                    created_at: created,
                    updated_at: created,
                },
            );
        }
        acc
    }

    #[allow(clippy::too_many_arguments)]
    fn make_asset(
        &self,
        rng: &mut ChaCha8Rng,
        id: i64,
        customer_id: i64,
        type_idx: usize,
        config: &SyncroConfig,
        hosts: &BTreeMap<i64, Vec<i64>>,
        epoch: DateTime<Utc>,
    ) -> Asset {
        let (_, computer) = TYPES[type_idx];
        let hw_range = match type_idx {
            5 => 3..5,
            6 => 5..6,
            _ => 0..3,
        };
        let (make, models) = HARDWARE[rng.random_range(hw_range)];
        let model = *pick(rng, models);
        let prefix = match type_idx {
            3 => "SRV",
            4 => "VM",
            5 => "NET",
            6 => "PRN",
            1 => "LT",
            _ => "WS",
        };
        let name = format!("{prefix}-{}-{:05}", customer_id % 100, id % 100_000);
        let serial = format!("{}{:08X}", &make[..2].to_uppercase(), rng.random::<u32>());
        let created = epoch - ChronoDuration::days(rng.random_range(10..1500));
        let purchase = created.date_naive() - ChronoDuration::days(rng.random_range(0..30));
        let warranty = purchase + ChronoDuration::days(365 * rng.random_range(1..5) as i64);
        let mut props = Map::new();
        if type_idx != 0 {
            // Agent devices ("Syncro Device") carry hardware facts in agent data only.
            props.insert("Make".into(), json!(make));
            props.insert("Model".into(), json!(model));
            props.insert(
                "Purchase Date".into(),
                json!(purchase.format("%Y-%m-%d").to_string()),
            );
            props.insert(
                "Warranty Expiration".into(),
                json!(warranty.format("%Y-%m-%d").to_string()),
            );
            if rng.random_bool(0.5) {
                props.insert("Asset Tag".into(), json!(format!("AT-{:06}", id)));
            }
        }
        if type_idx == 4
            && config.parent_link_field
            && let Some(h) = hosts.get(&customer_id).and_then(|h| h.last())
        {
            props.insert("Parent Asset ID".into(), json!(h.to_string()));
        }
        if computer {
            let last_user = format!(
                "{}.{}",
                pick(rng, FIRST).to_lowercase(),
                pick(rng, LAST).to_lowercase()
            );
            let os = if type_idx == 3 {
                "Microsoft Windows Server 2022 Standard"
            } else {
                "Microsoft Windows 11 Pro"
            };
            let synced = epoch - ChronoDuration::minutes(rng.random_range(1..20_000));
            // syncro-api.md §3.5: agent inventory under properties.kabuto_information.
            props.insert(
                "kabuto_information".into(),
                json!({
                    "last_synced_at": synced.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    "last_user": last_user,
                    "general": {
                        "domain": "CORP",
                        "ip": format!("203.0.113.{}", rng.random_range(1..255)),
                        "manufacturer": make,
                        "model": model,
                        "serial_number": serial,
                        "form_factor": if type_idx == 1 { "Laptop" } else { "Desktop" },
                    },
                    "os": { "name": os, "windows_release_version": "23H2",
                            "build": "22631", "last_boot_time": synced.to_rfc3339() },
                    "install_dates": { "os_install": created.date_naive().to_string(),
                                       "bios_release": purchase.to_string() },
                    "network_adapters": [{
                        "name": "Ethernet", "description": "Intel(R) Ethernet Connection",
                        "type": "Ethernet",
                        "physical_address": format!("00:1A:2B:{:02X}:{:02X}:{:02X}",
                            rng.random::<u8>(), rng.random::<u8>(), rng.random::<u8>()),
                        "ipv4": format!("10.{}.{}.{}", customer_id % 256, rng.random::<u8>(), rng.random_range(2..250)),
                        "subnet": "255.255.255.0", "gateway": "10.0.0.1",
                        "dns1": "10.0.0.2", "dns2": null, "dhcp_server": "10.0.0.1", "ipv6": null
                    }],
                    "system_partition": { "size_gb": 476, "free_gb": rng.random_range(20..400),
                                          "free_percent": rng.random_range(5..90) },
                    "cpu": [{ "name": "Intel(R) Core(TM) i7-1365U" }],
                    "ram": [{ "capacity_gb": 16 }]
                }),
            );
        }
        let contacts: Vec<i64> = self
            .contacts
            .values()
            .filter(|c| c.customer_id == customer_id)
            .map(|c| c.id)
            .collect();
        let contact_id = if computer && !contacts.is_empty() && rng.random_bool(0.6) {
            Some(*pick(rng, &contacts))
        } else {
            None
        };
        Asset {
            id,
            name,
            customer_id: Some(customer_id),
            contact_id,
            asset_type_id: 1000 + type_idx as i64,
            asset_serial: if type_idx == 4 { None } else { Some(serial) },
            properties: props,
            created_at: created,
            updated_at: created + ChronoDuration::hours(rng.random_range(0..500)),
        }
    }

    /// Advances the emulated clock and returns the new instant (every write gets its own
    /// `updated_at`).
    pub fn tick(&mut self) -> DateTime<Utc> {
        self.clock += ChronoDuration::milliseconds(1_117);
        self.clock
    }

    /// See [`super::SyncroHandle::saved_state`].
    pub fn saved_state(&self) -> Value {
        json!({
            "version": 1,
            "assets": self.assets.values().collect::<Vec<_>>(),
            "tickets": self.tickets.values().collect::<Vec<_>>(),
            "next_asset_id": self.next_asset_id,
            "next_ticket_id": self.next_ticket_id,
            "clock": self.clock,
        })
    }

    /// See [`super::SyncroHandle::restore_saved`].
    pub fn restore_saved(&mut self, saved: &Value) -> Result<(), String> {
        #[derive(Deserialize)]
        struct Saved {
            version: u32,
            assets: Vec<Asset>,
            tickets: Vec<Ticket>,
            next_asset_id: i64,
            next_ticket_id: i64,
            clock: DateTime<Utc>,
        }
        let s: Saved = serde_json::from_value(saved.clone())
            .map_err(|e| format!("saved Syncro demo state is unreadable: {e}"))?;
        if s.version != 1 {
            return Err(format!(
                "saved Syncro demo state has version {}; this build reads version 1",
                s.version
            ));
        }
        self.assets = s.assets.into_iter().map(|a| (a.id, a)).collect();
        self.tickets = s.tickets.into_iter().map(|t| (t.id, t)).collect();
        self.next_asset_id = s.next_asset_id;
        self.next_ticket_id = s.next_ticket_id;
        self.clock = s.clock;
        self.rendered.clear();
        self.id_index = None;
        Ok(())
    }

    /// Inserts or replaces an asset (every write goes through here or [`Account::take_asset`]
    /// so the render cache and the page index stay true).
    pub fn put_asset(&mut self, asset: Asset) {
        self.rendered.remove(&asset.id);
        if self.assets.insert(asset.id, asset).is_none() {
            self.id_index = None;
        }
    }

    /// Removes an asset.
    pub fn take_asset(&mut self, id: i64) -> Option<Asset> {
        self.rendered.remove(&id);
        self.id_index = None;
        self.assets.remove(&id)
    }

    /// Ids of the unfiltered asset list, ascending.
    pub fn ordered_ids(&mut self) -> &[i64] {
        let assets = &self.assets;
        self.id_index
            .get_or_insert_with(|| assets.keys().copied().collect())
    }

    /// The JSON of one asset as a string, cached until the asset changes.
    pub fn rendered_asset(&mut self, id: i64, style: TimestampStyle) -> Option<&str> {
        if self.rendered_style != Some(style) {
            self.rendered.clear();
            self.rendered_style = Some(style);
        }
        if !self.rendered.contains_key(&id) {
            let json = self.asset_json(id, style)?.to_string();
            self.rendered.insert(id, json);
        }
        self.rendered.get(&id).map(String::as_str)
    }

    pub fn type_id_by_name(&self, name: &str) -> Option<i64> {
        self.asset_types
            .iter()
            .find(|(_, n)| n.as_str() == name)
            .map(|(id, _)| *id)
    }

    /// Creates a bare asset of the first type (remote creation by someone else).
    pub fn create_plain(&mut self, name: &str, customer_id: i64, serial: Option<&str>) -> i64 {
        let id = self.next_asset_id;
        self.next_asset_id += 1;
        let now = self.tick();
        let type_id = self.asset_types.keys().next().copied().unwrap_or(1000);
        self.put_asset(Asset {
            id,
            name: name.to_owned(),
            customer_id: Some(customer_id),
            contact_id: None,
            asset_type_id: type_id,
            asset_serial: serial.map(str::to_owned),
            properties: Map::new(),
            created_at: now,
            updated_at: now,
        });
        id
    }

    /// A UI edit of one field (see `SyncroHandle::remote_edit`).
    pub fn edit(&mut self, id: i64, field: &str, value: Value) -> bool {
        let now = self.tick();
        self.rendered.remove(&id);
        let Some(a) = self.assets.get_mut(&id) else {
            return false;
        };
        if let Some(key) = field.strip_prefix("properties.") {
            if value.is_null() {
                a.properties.remove(key);
            } else {
                a.properties.insert(key.to_owned(), value);
            }
        } else {
            match field {
                "name" => a.name = value.as_str().unwrap_or_default().to_owned(),
                "asset_serial" => a.asset_serial = value.as_str().map(str::to_owned),
                "customer_id" => a.customer_id = value.as_i64(),
                "contact_id" => a.contact_id = value.as_i64(),
                "asset_type_id" => {
                    if let Some(t) = value.as_i64() {
                        a.asset_type_id = t;
                    }
                }
                _ => return false,
            }
        }
        a.updated_at = now;
        true
    }

    pub fn customer_json(&self, c: &Customer, style: TimestampStyle) -> Value {
        let business = c.business_name.clone();
        let fullname = format!("{} {}", c.firstname, c.lastname);
        let then_name = business.clone().unwrap_or_else(|| fullname.clone());
        let v = json!({
            "id": c.id, "firstname": c.firstname, "lastname": c.lastname, "fullname": fullname,
            "business_name": business, "email": c.email, "phone": c.phone, "mobile": null,
            "created_at": ts(c.created_at, style), "updated_at": ts(c.updated_at, style),
            "pdf_url": null, "address": "1 Main St", "address_2": null, "city": c.city,
            "state": "WA", "zip": "98101", "latitude": null, "longitude": null, "notes": null,
            "get_sms": false, "opt_out": false, "disabled": c.disabled, "no_email": false,
            "location_name": null, "location_id": null, "properties": {},
            "online_profile_url": format!("https://sandbox.syncromsp.com/my_profile/v2/index?portal_key=p{}", c.id),
            "tax_rate_id": null, "notification_email": null, "invoice_cc_emails": null
        });
        let more = json!({
            "invoice_term_id": null, "referred_by": null, "ref_customer_id": null,
            "business_and_full_name": match &c.business_name { Some(b) => format!("{b} - {fullname}"), None => fullname.clone() },
            "business_then_name": then_name,
            "contacts": []
        });
        let mut v = v;
        if let (Some(obj), Value::Object(more)) = (v.as_object_mut(), more) {
            obj.extend(more);
        }
        v
    }

    pub fn contact_json(&self, c: &Contact, style: TimestampStyle) -> Value {
        json!({
            "id": c.id, "name": c.name, "address1": null, "address2": null, "city": null,
            "state": null, "zip": null, "email": c.email, "phone": c.phone, "mobile": null,
            "latitude": null, "longitude": null, "customer_id": c.customer_id, "account_id": 1,
            "notes": null, "created_at": ts(c.created_at, style), "updated_at": ts(c.created_at, style),
            "vendor_id": null, "properties": {}, "opt_out": false, "extension": null
        })
    }

    /// The asset object of §3.3 with its nested customer, `rmm_store` (string triggers) and
    /// `address` (null for manual assets).
    pub fn render_asset(&self, a: &Asset, style: TimestampStyle) -> Value {
        let customer = a
            .customer_id
            .and_then(|c| self.customers.get(&c))
            .map(|c| self.customer_json(c, style))
            .unwrap_or(Value::Null);
        let agent = a.properties.contains_key("kabuto_information");
        let triggers: Map<String, Value> = [
            "bsod_triggered",
            "time_triggered",
            "no_av_triggered",
            "defrag_triggered",
            "firewall_triggered",
            "app_crash_triggered",
            "low_hd_space_triggered",
            "smart_failure_triggered",
            "device_manager_triggered",
            "agent_offline_triggered",
        ]
        .iter()
        .map(|k| ((*k).to_owned(), json!("false")))
        .collect();
        json!({
            "id": a.id,
            "name": a.name,
            "customer_id": a.customer_id,
            "contact_id": a.contact_id,
            "created_at": ts(a.created_at, style),
            "updated_at": ts(a.updated_at, style),
            "properties": a.properties,
            "asset_type": self.asset_types.get(&a.asset_type_id).cloned().unwrap_or_default(),
            "asset_serial": a.asset_serial,
            "external_rmm_link": null,
            "customer": customer,
            "rmm_links": [],
            "rmm_store": {
                "id": a.id + 500_000, "asset_id": a.id, "account_id": 1,
                "triggers": triggers, "windows_updates": {}, "emsisoft": {}, "general": {},
                "created_at": ts(a.created_at, style), "updated_at": ts(a.updated_at, style),
                "override_alert_agent_offline_mins": null,
                "override_alert_agent_rearm_after_mins": null,
                "override_low_hd_threshold": null,
                "override_autoresolve_offline_alert": null
            },
            "address": if agent { json!({
                "id": a.id, "name": "Office", "customer_id": a.customer_id, "address_type_id": 2,
                "address1": "1 Main St", "address2": null, "city": "Seattle", "state": "WA",
                "zip": "98101", "latitude": null, "longitude": null,
                "created_at": ts(a.created_at, style), "updated_at": ts(a.created_at, style),
                "account_id": 1 }) } else { Value::Null },
            "has_live_chat": false,
            "snmp_enabled": if agent { json!(false) } else { Value::Null },
        })
    }

    pub fn asset_json(&self, id: i64, style: TimestampStyle) -> Option<Value> {
        self.assets.get(&id).map(|a| self.render_asset(a, style))
    }

    pub fn ticket_json(&self, t: &Ticket, style: TimestampStyle, detail: bool) -> Value {
        let customer_name = self
            .customers
            .get(&t.customer_id)
            .map(|c| {
                c.business_name
                    .clone()
                    .unwrap_or_else(|| format!("{} {}", c.firstname, c.lastname))
            })
            .unwrap_or_default();
        let mut v = json!({
            "id": t.id, "number": t.number, "subject": t.subject,
            "created_at": ts(t.created_at, style), "customer_id": t.customer_id,
            "customer_business_then_name": customer_name, "due_date": ts(t.created_at, style),
            "resolved_at": null, "start_at": null, "end_at": null, "location_id": null,
            "location_name": null, "problem_type": t.problem_type, "status": t.status,
            "ticket_type_id": null, "ticket_type_name": null, "properties": {}, "user_id": null,
            "updated_at": ts(t.updated_at, style), "pdf_url": null, "priority": null,
            "billing_status": null, "tag_list": [], "sla_name": null, "creator_name_or_email": null
        });
        let more = json!({
            "contact_fullname": null, "contract_name": null, "address_id": null,
            "parent": false, "parent_id": null, "child": false, "recurring": false,
            "customer_reply": false, "total_formatted_billable_time": null,
            "contact_id": t.contact_id, "sla_breached": false, "sla_breaching_soon": false,
            "contract_id": null, "sla_id": null, "customer_tag_list": [], "resolution_time": null,
            "response_time": null, "customer_icons": [], "comments": [], "user": null
        });
        if let (Some(obj), Value::Object(more)) = (v.as_object_mut(), more) {
            obj.extend(more);
        }
        if detail {
            // §4.3: the detail (and create response) carries asset_ids and full assets; list
            // items in the SW copy do not.
            let assets: Vec<Value> = t
                .asset_ids
                .iter()
                .filter_map(|id| self.asset_json(*id, style))
                .collect();
            if let Some(obj) = v.as_object_mut() {
                obj.insert("asset_ids".into(), json!(t.asset_ids));
                for k in [
                    "attachments",
                    "ticket_timers",
                    "line_items",
                    "worksheet_results",
                    "appointments",
                    "ticket_fields",
                    "ticket_answers",
                ] {
                    obj.insert(k.into(), json!([]));
                }
                for k in [
                    "intake_form_html",
                    "signature_name",
                    "signature_date",
                    "outtake_form_name",
                    "outtake_form_date",
                    "outtake_form_html",
                    "ticket_type",
                    "address",
                ] {
                    obj.insert(k.into(), Value::Null);
                }
                let customer = self
                    .customers
                    .get(&t.customer_id)
                    .map(|c| self.customer_json(c, style));
                obj.insert("customer".into(), customer.unwrap_or(Value::Null));
                let contact = t
                    .contact_id
                    .and_then(|c| self.contacts.get(&c))
                    .map(|c| self.contact_json(c, style));
                obj.insert("contact".into(), contact.unwrap_or(Value::Null));
                obj.insert("assets".into(), Value::Array(assets));
                let comments = match &t.body {
                    Some(b) => json!([{ "id": t.id * 10, "created_at": ts(t.created_at, style),
                                        "updated_at": ts(t.created_at, style), "ticket_id": t.id,
                                        "subject": "Initial Issue", "body": b, "tech": "AssetDesk",
                                        "hidden": false, "user_id": null }]),
                    None => json!([]),
                };
                obj.insert("comments".into(), comments);
            }
        }
        v
    }

    /// `GET /settings` (§3.5): asset types, their fields, and dropdown answers.
    pub fn settings_json(&self) -> Value {
        let types: Vec<Value> = self
            .asset_types
            .iter()
            .map(|(id, name)| json!({"id": id, "name": name}))
            .collect();
        let fields: Vec<Value> = self
            .asset_type_fields
            .iter()
            .map(|f| {
                json!({"id": f.id, "name": f.name, "field_type": f.field_type,
                       "asset_type_id": f.asset_type_id, "position": f.position,
                       "required": f.required})
            })
            .collect();
        // Shape of answers is unknown (§9 Q7); emulated as {id, asset_type_field_id, value}.
        let answers: Vec<Value> = self
            .asset_type_fields
            .iter()
            .filter(|f| f.field_type == "Drop Down")
            .flat_map(|f| {
                ["Main office", "Branch", "Home office"].into_iter().enumerate().map(move |(i, v)| {
                    json!({"id": f.id * 10 + i as i64, "asset_type_field_id": f.id, "value": v})
                })
            })
            .collect();
        json!({
            "customers": { "required_fields": null, "customer_fields": [], "customer_field_answers": [] },
            "assets": { "asset_types": types, "asset_type_fields": fields, "asset_type_field_answers": answers },
            "locale": { "iso_code": "en", "currency_symbol": "$", "date_format": "mm-dd-yy",
                        "time_format": "hh:mm tt", "time_zone": "America/Los_Angeles",
                        "time_offset": "-08:00" },
            "ticket": { "ticket_types": [], "ticket_type_fields": [], "ticket_type_field_answers": [],
                        "problem_types": ["Virus", "TuneUp", "Hardware", "Software", "Other"],
                        "priorities": ["", "0 Urgent", "1 High", "2 Normal", "3 Low"] },
            "business_hours_enabled": false,
            "business_hours": [],
            "default_holiday_calendar": "USA",
            "msp_addon": null
        })
    }

    /// `GET /customer_assets/{id}/patches` data, derived from the id (agent assets only).
    pub fn patches_json(&self, a: &Asset) -> Value {
        let n = a.id % 4;
        let available: Vec<Value> = (0..n)
            .map(|i| json!({"kb": format!("KB50{:05}", a.id % 1000 * 10 + i), "title": "Cumulative Update for Windows 11",
                            "category": "Security Updates", "status": "Missing Patches",
                            "evaluated_at": "2026-01-04T10:30:00.000Z"}))
            .collect();
        json!({
            "installed_patches": [{"kb": "KB5026361", "title": "Update for Microsoft Defender Antivirus",
                                   "category": "Security Updates", "status": "Recently Installed",
                                   "installed_at": "2026-01-02T14:30:00.000Z"}],
            "available_patches": available,
            "available_patches_meta": {"page": 1, "per_page": 50, "total_pages": 1, "total_entries": n}
        })
    }
}

/// Renders a timestamp in the configured style.
pub fn ts(t: DateTime<Utc>, style: TimestampStyle) -> String {
    match style {
        TimestampStyle::UtcMillis => t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        TimestampStyle::Nanos => t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
        TimestampStyle::Offset => {
            // The account's `locale.time_offset` (-08:00 in GET /settings).
            match FixedOffset::west_opt(8 * 3600) {
                Some(tz) => t
                    .with_timezone(&tz)
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, false),
                None => t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            }
        }
    }
}
