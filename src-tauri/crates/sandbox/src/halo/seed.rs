//! Deterministic, realistic seed data for one tenant: the same seed always yields the same
//! clients, sites, users, asset types and assets.

use std::collections::BTreeMap;

use chrono::{Duration as ChronoDuration, NaiveDate, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, json};

use super::config::HaloConfig;
use super::model::{AssetTypeRec, ClientRec, Device, FieldDef, SiteRec, TicketRec, UserRec};

/// Info-field ids (tenant data; ids modelled on the captured create payload in
/// ProvisionData docs/CreateAsset.json, halopsa-api.md §4.3).
pub const F_DEVICE_NAME: i64 = 101;
pub const F_PRINTER_NAME: i64 = 102;
pub const F_SERIAL: i64 = 117;
pub const F_MODEL: i64 = 51;
pub const F_MANUFACTURER: i64 = 52;
pub const F_OS: i64 = 60;
pub const F_IP: i64 = 61;
pub const F_MAC: i64 = 62;
pub const F_PURCHASE_DATE: i64 = 24;
pub const F_RACK: i64 = 130;
pub const F_FIRMWARE: i64 = 131;

/// Asset type ids of the seeded tenant.
pub const T_WORKSTATION: i64 = 1;
pub const T_LAPTOP: i64 = 2;
pub const T_SERVER: i64 = 3;
pub const T_VM: i64 = 4;
pub const T_PRINTER: i64 = 5;
pub const T_FIREWALL: i64 = 6;

/// Asset statuses (tenant data, §5 "Asset status").
pub const STATUSES: &[(i64, &str)] = &[
    (1, "Active"),
    (2, "In Repair"),
    (3, "In Stock"),
    (4, "Retired"),
    (5, "Disposed"),
];

pub struct Seeded {
    pub fields: BTreeMap<i64, FieldDef>,
    pub types: BTreeMap<i64, AssetTypeRec>,
    pub groups: BTreeMap<i64, String>,
    pub statuses: BTreeMap<i64, String>,
    pub clients: BTreeMap<i64, ClientRec>,
    pub sites: BTreeMap<i64, SiteRec>,
    pub users: BTreeMap<i64, UserRec>,
    pub suppliers: BTreeMap<i64, String>,
    /// Client contracts: id → (client id, ref).
    pub contracts: BTreeMap<i64, (i64, String)>,
    pub assets: BTreeMap<i64, Device>,
    pub tickets: BTreeMap<i64, TicketRec>,
}

const CLIENT_NAMES: &[&str] = &[
    "Contoso Dental",
    "Northwind Logistics",
    "Fabrikam Legal",
    "Tailspin Architects",
    "Adventure Works Clinic",
    "Wingtip Accounting",
    "Litware Schools",
    "Proseware Labs",
];
const FIRST: &[&str] = &[
    "Ava", "Ben", "Chloe", "Dan", "Eve", "Finn", "Grace", "Hugo", "Isla", "Jack", "Kira", "Liam",
];
const LAST: &[&str] = &[
    "Patel", "Smith", "Nguyen", "Okafor", "Müller", "Rossi", "Kowalski", "Evans", "Silva",
];

fn fdef(id: i64, name: &str) -> (i64, FieldDef) {
    (
        id,
        FieldDef {
            id,
            name: name.into(),
        },
    )
}

pub fn seed(config: &HaloConfig) -> Seeded {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let fields: BTreeMap<i64, FieldDef> = [
        fdef(F_DEVICE_NAME, "Device Name"),
        fdef(F_PRINTER_NAME, "Printer Name"),
        fdef(F_SERIAL, "Serial Number"),
        fdef(F_MODEL, "Model"),
        fdef(F_MANUFACTURER, "Manufacturer"),
        fdef(F_OS, "Operating System"),
        fdef(F_IP, "IP Address"),
        fdef(F_MAC, "MAC Address"),
        fdef(F_PURCHASE_DATE, "Purchase Date"),
        fdef(F_RACK, "Rack Position"),
        fdef(F_FIRMWARE, "Firmware Version"),
    ]
    .into_iter()
    .collect();
    let computer = vec![
        F_DEVICE_NAME,
        F_SERIAL,
        F_MANUFACTURER,
        F_MODEL,
        F_OS,
        F_IP,
        F_MAC,
        F_PURCHASE_DATE,
    ];
    let ty = |id, name: &str, group_id, keyfield_id, field_ids: Vec<i64>, allowed: &[i64]| {
        (
            id,
            AssetTypeRec {
                id,
                name: name.into(),
                group_id,
                keyfield_id,
                field_ids,
                allowed_status: allowed.to_vec(),
                allowall_status: allowed.is_empty(),
            },
        )
    };
    let mut server_fields = computer.clone();
    server_fields.push(F_RACK);
    let types: BTreeMap<i64, AssetTypeRec> = [
        ty(
            T_WORKSTATION,
            "Workstation",
            1,
            F_DEVICE_NAME,
            computer.clone(),
            &[1, 2, 3, 4, 5],
        ),
        ty(
            T_LAPTOP,
            "Laptop",
            1,
            F_DEVICE_NAME,
            computer.clone(),
            &[1, 2, 3, 4, 5],
        ),
        ty(
            T_SERVER,
            "Server",
            2,
            F_DEVICE_NAME,
            server_fields,
            &[1, 2, 4, 5],
        ),
        // A type that allows every status: `allowed_status` stays empty (§5).
        ty(
            T_VM,
            "Virtual Machine",
            2,
            F_DEVICE_NAME,
            vec![F_DEVICE_NAME, F_OS, F_IP],
            &[],
        ),
        ty(
            T_PRINTER,
            "Printer",
            3,
            F_PRINTER_NAME,
            vec![
                F_PRINTER_NAME,
                F_SERIAL,
                F_MANUFACTURER,
                F_MODEL,
                F_IP,
                F_FIRMWARE,
            ],
            &[1, 2, 4],
        ),
        ty(
            T_FIREWALL,
            "Firewall",
            2,
            F_DEVICE_NAME,
            vec![
                F_DEVICE_NAME,
                F_SERIAL,
                F_MANUFACTURER,
                F_MODEL,
                F_IP,
                F_FIRMWARE,
            ],
            &[1, 2, 4],
        ),
    ]
    .into_iter()
    .collect();
    let groups = [(1, "Computers"), (2, "Infrastructure"), (3, "Peripherals")]
        .into_iter()
        .map(|(i, n)| (i, n.to_owned()))
        .collect();
    let statuses = STATUSES
        .iter()
        .map(|(i, n)| (*i, (*n).to_owned()))
        .collect();
    let suppliers: BTreeMap<i64, String> = [
        (1, "Dell Technologies"),
        (2, "HP Inc."),
        (3, "Ingram Micro"),
    ]
    .into_iter()
    .map(|(i, n)| (i, n.to_owned()))
    .collect();

    let mut clients = BTreeMap::new();
    let mut sites = BTreeMap::new();
    let mut users = BTreeMap::new();
    let mut contracts = BTreeMap::new();
    let n_clients = config.clients.max(1);
    for c in 0..n_clients {
        let id = 12 + c as i64;
        let base = CLIENT_NAMES[c % CLIENT_NAMES.len()];
        let name = if c < CLIENT_NAMES.len() {
            base.to_owned()
        } else {
            format!("{base} {}", c + 1)
        };
        clients.insert(
            id,
            ClientRec {
                id,
                name: name.clone(),
                inactive: false,
            },
        );
        contracts.insert(100 + c as i64, (id, format!("MSA-{:04}", 100 + c)));
        for s in 0..2 {
            let sid = 30 + (c as i64) * 2 + s;
            let sname = if s == 0 {
                "Head Office".to_owned()
            } else {
                "Branch".to_owned()
            };
            sites.insert(
                sid,
                SiteRec {
                    id: sid,
                    client_id: id,
                    name: sname,
                },
            );
            for u in 0..3 {
                let uid = 500 + sid * 10 + u;
                let first = FIRST[rng.random_range(0..FIRST.len())];
                let last = LAST[rng.random_range(0..LAST.len())];
                let domain: String = name
                    .to_lowercase()
                    .chars()
                    .filter(|ch| ch.is_ascii_alphanumeric())
                    .collect();
                users.insert(
                    uid,
                    UserRec {
                        id: uid,
                        client_id: id,
                        site_id: sid,
                        name: format!("{first} {last}"),
                        email: format!("{}.{}{uid}@{domain}.example", first.to_lowercase(), u),
                    },
                );
            }
        }
    }

    let site_ids: Vec<i64> = sites.keys().copied().collect();
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default();
    let base_stamp = Utc
        .with_ymd_and_hms(2026, 5, 1, 8, 0, 0)
        .single()
        .unwrap_or_default();
    let mut assets = BTreeMap::new();
    let mut next_id = 1000_i64;
    let mut last_server: Option<(i64, usize)> = None;
    let mut counters: BTreeMap<&str, u32> = BTreeMap::new();
    while assets.len() < config.assets {
        let id = next_id;
        next_id += 1;
        let site_id = site_ids[rng.random_range(0..site_ids.len())];
        let client_id = sites.get(&site_id).map(|s| s.client_id).unwrap_or(12);
        // A VM follows its host for a while, so hosts carry 1–4 VMs (host→VM sets).
        let (type_id, parents, site_id, client_id) = match last_server {
            Some((host, left)) if left > 0 => {
                let (hs, hc) = assets
                    .get(&host)
                    .map(|d: &Device| (d.site_id, d.client_id))
                    .unwrap_or((site_id, client_id));
                last_server = Some((host, left - 1));
                (T_VM, vec![host], hs, hc)
            }
            _ => {
                let roll = rng.random_range(0..100);
                let t = match roll {
                    0..40 => T_WORKSTATION,
                    40..75 => T_LAPTOP,
                    75..83 => T_SERVER,
                    83..93 => T_PRINTER,
                    _ => T_FIREWALL,
                };
                (t, vec![], site_id, client_id)
            }
        };
        if type_id == T_SERVER {
            last_server = Some((id, rng.random_range(1..=4)));
        }
        let (prefix, vendor, models): (&str, &str, &[&str]) = match type_id {
            T_WORKSTATION => (
                "WS",
                "Dell",
                &["OptiPlex 7010", "OptiPlex 5000", "Precision 3660"],
            ),
            T_LAPTOP => (
                "LT",
                "Lenovo",
                &["ThinkPad T14 Gen 4", "ThinkPad X1 Carbon", "ThinkBook 14"],
            ),
            T_SERVER => (
                "SRV",
                "HPE",
                &["ProLiant DL380 Gen10", "ProLiant ML350 Gen11"],
            ),
            T_VM => ("VM", "Microsoft", &["Hyper-V VM"]),
            T_PRINTER => ("PRN", "HP", &["LaserJet Pro M404", "Color LaserJet M479"]),
            _ => ("FW", "Fortinet", &["FortiGate 60F", "FortiGate 100F"]),
        };
        let n = counters.entry(prefix).or_insert(0);
        *n += 1;
        let name = format!("{prefix}-{:05}", *n);
        let mut fields = BTreeMap::new();
        let keyfield = if type_id == T_PRINTER {
            F_PRINTER_NAME
        } else {
            F_DEVICE_NAME
        };
        fields.insert(keyfield, json!(name));
        let has_serial = type_id != T_VM && rng.random_range(0..100) >= 6;
        if has_serial {
            let serial: String = (0..10)
                .map(|_| {
                    let c = rng.random_range(0..36u8);
                    char::from(if c < 10 { b'0' + c } else { b'A' + c - 10 })
                })
                .collect();
            fields.insert(F_SERIAL, json!(serial));
        }
        let ty_fields = types
            .get(&type_id)
            .map(|t| t.field_ids.clone())
            .unwrap_or_default();
        if ty_fields.contains(&F_MANUFACTURER) {
            fields.insert(F_MANUFACTURER, json!(vendor));
        }
        if ty_fields.contains(&F_MODEL) {
            fields.insert(F_MODEL, json!(models[rng.random_range(0..models.len())]));
        }
        if ty_fields.contains(&F_OS) {
            let os = match type_id {
                T_SERVER | T_VM => "Windows Server 2022",
                _ => ["Windows 11 Pro", "Windows 10 Pro", "macOS 14"][rng.random_range(0..3)],
            };
            fields.insert(F_OS, json!(os));
        }
        if ty_fields.contains(&F_IP) {
            fields.insert(
                F_IP,
                json!(format!(
                    "10.{}.{}.{}",
                    site_id % 250,
                    (id / 250) % 250,
                    id % 250
                )),
            );
        }
        if ty_fields.contains(&F_MAC) {
            fields.insert(
                F_MAC,
                json!(format!(
                    "00:1A:2B:{:02X}:{:02X}:{:02X}",
                    (id >> 16) & 0xff,
                    (id >> 8) & 0xff,
                    id & 0xff
                )),
            );
        }
        if ty_fields.contains(&F_RACK) {
            fields.insert(
                F_RACK,
                json!(format!(
                    "R{}-U{}",
                    rng.random_range(1..4),
                    rng.random_range(1..42)
                )),
            );
        }
        if ty_fields.contains(&F_FIRMWARE) {
            fields.insert(
                F_FIRMWARE,
                json!(format!(
                    "7.{}.{}",
                    rng.random_range(0..5),
                    rng.random_range(0..20)
                )),
            );
        }
        // Warranty ends spread over the past and next three years; VMs have none.
        let (warranty_start, warranty_end, purchase) = if type_id == T_VM {
            (None, None, None)
        } else {
            let end = today + ChronoDuration::days(rng.random_range(-3 * 365..3 * 365));
            let start = end - ChronoDuration::days(3 * 365);
            (Some(start), Some(end), Some(start))
        };
        if let (Some(p), true) = (purchase, ty_fields.contains(&F_PURCHASE_DATE)) {
            fields.insert(
                F_PURCHASE_DATE,
                json!(format!("{}T00:00:00", p.format("%Y-%m-%d"))),
            );
        }
        let site_users: Vec<i64> = users
            .values()
            .filter(|u| u.site_id == site_id)
            .map(|u| u.id)
            .collect();
        let users_of = if matches!(type_id, T_WORKSTATION | T_LAPTOP) && !site_users.is_empty() {
            vec![site_users[rng.random_range(0..site_users.len())]]
        } else {
            vec![]
        };
        let status_id = match rng.random_range(0..100) {
            0..88 => 1,
            88..92 => 2,
            92..95 => 3,
            _ => 4,
        };
        let mut customfields = BTreeMap::new();
        if type_id == T_SERVER || type_id == T_VM {
            customfields.insert(
                201,
                json!(["Nightly", "Weekly", "None"][rng.random_range(0..3)]),
            );
        }
        let mut extra = Map::new();
        extra.insert("device_number".into(), json!(id - 999));
        if rng.random_range(0..3) == 0 {
            extra.insert("ninjarmm_id".into(), json!(40_000 + id));
        }
        let stamp = base_stamp + ChronoDuration::milliseconds(rng.random_range(0..30 * 86_400_000));
        assets.insert(
            id,
            Device {
                id,
                inventory_number: Some(format!("AT-{id:06}")),
                client_id,
                site_id,
                assettype_id: type_id,
                status_id: if type_id == T_VM { 1 } else { status_id },
                inactive: status_id == 4 && rng.random_range(0..2) == 0,
                users: users_of,
                fields,
                customfields,
                warranty_start,
                warranty_end,
                warranty_note: warranty_end.map(|_| format!("{vendor} ProSupport")),
                notes: None,
                supplier_id: if type_id == T_VM {
                    None
                } else {
                    Some(rng.random_range(1..=3))
                },
                contract_id: None,
                parents,
                last_modified: stamp,
                fresh: false,
                extra,
            },
        );
    }

    let asset_ids: Vec<i64> = assets.keys().copied().collect();
    let mut tickets = BTreeMap::new();
    const SUMMARIES: &[&str] = &[
        "Laptop will not boot",
        "Printer offline",
        "Replace failing disk",
        "VPN drops every hour",
        "Renew warranty",
        "Slow performance after update",
    ];
    for t in 0..config.tickets {
        if asset_ids.is_empty() {
            break;
        }
        let id = 7000 + t as i64;
        let aid = asset_ids[rng.random_range(0..asset_ids.len())];
        let (client_id, site_id) = assets
            .get(&aid)
            .map(|a| (a.client_id, a.site_id))
            .unwrap_or((12, 30));
        let occurred = base_stamp - ChronoDuration::hours(rng.random_range(1..24 * 200));
        tickets.insert(
            id,
            TicketRec {
                id,
                summary: SUMMARIES[rng.random_range(0..SUMMARIES.len())].into(),
                details: "Reported by phone.".into(),
                client_id,
                site_id: Some(site_id),
                user_id: None,
                status_id: [1, 2, 9][rng.random_range(0..3)],
                asset_ids: vec![aid],
                dateoccurred: occurred.format("%Y-%m-%dT%H:%M:%S%.3f").to_string(),
            },
        );
    }
    Seeded {
        fields,
        types,
        groups,
        statuses,
        clients,
        sites,
        users,
        suppliers,
        contracts,
        assets,
        tickets,
    }
}
