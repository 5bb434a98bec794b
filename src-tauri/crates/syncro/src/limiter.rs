//! The process-wide request limiter. Syncro limits requests per *source IP*
//! (syncro-api.md §6.2), so every connection of this process that talks to Syncro draws on
//! one budget, whichever account it belongs to; a 429 seen by one connection pauses them all.
//!
//! Hand-written rather than `governor`: besides a sliding-window budget we need a shared
//! "pause until" set from `Retry-After`, and a budget that can be tightened at run time.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

use tokio::time::{Duration, Instant};

use crate::settings::RateBudget;

#[derive(Debug)]
struct State {
    budget: RateBudget,
    sent: VecDeque<Instant>,
    paused_until: Option<Instant>,
}

/// A sliding-window limiter: at most `budget.requests` sends in any `budget.window`.
#[derive(Debug)]
pub(crate) struct SharedLimiter {
    state: Mutex<State>,
}

fn registry() -> &'static Mutex<HashMap<String, Arc<SharedLimiter>>> {
    static REGISTRY: OnceLock<Mutex<HashMap<String, Arc<SharedLimiter>>>> = OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Which budget a host draws on: every `*.syncromsp.com` account shares one (the limit is
/// per source IP, not per account); any other host (a sandbox, a proxy) has its own.
pub(crate) fn budget_key(host: &str, port: Option<u16>) -> String {
    let host = host.to_ascii_lowercase();
    if host == "syncromsp.com" || host.ends_with(".syncromsp.com") {
        "syncromsp.com".to_owned()
    } else {
        format!("{host}:{}", port.unwrap_or(443))
    }
}

impl SharedLimiter {
    /// The limiter for `key`, created on first use. If connections configure different
    /// budgets, the most restrictive wins (the IP budget is one, whoever asks).
    pub(crate) fn shared(key: &str, budget: RateBudget) -> Arc<SharedLimiter> {
        let mut reg = registry().lock().unwrap_or_else(|p| p.into_inner());
        let limiter = reg
            .entry(key.to_owned())
            .or_insert_with(|| {
                Arc::new(SharedLimiter {
                    state: Mutex::new(State {
                        budget,
                        sent: VecDeque::new(),
                        paused_until: None,
                    }),
                })
            })
            .clone();
        {
            let mut st = limiter.lock();
            let current = st.budget.requests as f64 / st.budget.window.as_secs_f64().max(1e-9);
            let asked = budget.requests as f64 / budget.window.as_secs_f64().max(1e-9);
            if asked < current {
                st.budget = budget;
            }
        }
        limiter
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until one more request fits the budget, then records it as sent.
    pub(crate) async fn acquire(&self) {
        loop {
            let wait_until = {
                let mut st = self.lock();
                let now = Instant::now();
                let window = st.budget.window;
                while st
                    .sent
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= window)
                {
                    st.sent.pop_front();
                }
                match st.paused_until {
                    Some(until) if until > now => until,
                    _ => {
                        st.paused_until = None;
                        if st.sent.len() < st.budget.requests.max(1) as usize {
                            st.sent.push_back(now);
                            return;
                        }
                        // The oldest send leaves the window at front + window.
                        st.sent.front().map(|t| *t + window).unwrap_or(now)
                    }
                }
            };
            tokio::time::sleep_until(wait_until).await;
        }
    }

    /// Holds every request of this budget back for `pause` (after a 429).
    pub(crate) fn pause(&self, pause: Duration) {
        let mut st = self.lock();
        let until = Instant::now() + pause;
        if st.paused_until.is_none_or(|u| u < until) {
            st.paused_until = Some(until);
        }
    }

    /// The window of the budget (backoff delays scale with it).
    pub(crate) fn window(&self) -> Duration {
        self.lock().budget.window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syncro_accounts_share_one_budget() {
        assert_eq!(budget_key("acme.syncromsp.com", Some(443)), "syncromsp.com");
        assert_eq!(budget_key("Other.SyncroMSP.com", None), "syncromsp.com");
        assert_eq!(budget_key("127.0.0.1", Some(9000)), "127.0.0.1:9000");
    }

    #[tokio::test]
    async fn never_exceeds_the_budget_in_any_window() {
        let budget = RateBudget {
            requests: 5,
            window: Duration::from_millis(200),
        };
        let limiter = SharedLimiter::shared("test-limiter-window:1", budget);
        let start = Instant::now();
        let mut stamps = Vec::new();
        for _ in 0..12 {
            limiter.acquire().await;
            stamps.push(start.elapsed());
        }
        for w in stamps.windows(6) {
            assert!(
                w[5] - w[0] >= Duration::from_millis(195),
                "6 sends within one window: {w:?}"
            );
        }
        // 12 sends at 5 per 200 ms need at least two full windows.
        assert!(start.elapsed() >= Duration::from_millis(395));
    }

    #[tokio::test]
    async fn pause_holds_everyone_back_and_tighter_budget_wins() {
        let a = SharedLimiter::shared(
            "test-limiter-pause:1",
            RateBudget {
                requests: 100,
                window: Duration::from_secs(1),
            },
        );
        let b = SharedLimiter::shared(
            "test-limiter-pause:1",
            RateBudget {
                requests: 10,
                window: Duration::from_secs(1),
            },
        );
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(a.lock().budget.requests, 10);
        a.pause(Duration::from_millis(120));
        let t = Instant::now();
        b.acquire().await;
        assert!(t.elapsed() >= Duration::from_millis(110));
    }
}
