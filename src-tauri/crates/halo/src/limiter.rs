//! The client-side rolling-window limiter: one per tenant, shared by every request of every
//! worker (halopsa-api.md §6 "Client rule": a shared budget; token and authinfo calls count).
//! A sliding log of send times is exact for a rolling window, unlike a token bucket, so a
//! full pull runs at the floor without tripping the server's limiter.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::settings::RateLimitSettings;

#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimitSettings,
    state: Mutex<LimiterState>,
}

#[derive(Debug, Default)]
struct LimiterState {
    sent: VecDeque<Instant>,
    /// After a 429 every caller waits until this instant.
    paused_until: Option<Instant>,
}

impl RateLimiter {
    /// A limiter for `limit`. The window is widened by 1 % + 25 ms: the server stamps a
    /// request when it arrives, a little after we sent it, so a window measured from send
    /// times alone would let the 301st request reach Halo a moment too early.
    pub fn new(limit: RateLimitSettings) -> Self {
        let window = limit.window.mul_f64(1.01) + Duration::from_millis(25);
        Self {
            limit: RateLimitSettings { window, ..limit },
            state: Mutex::new(LimiterState::default()),
        }
    }

    pub fn limit(&self) -> RateLimitSettings {
        self.limit
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LimiterState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until one more request fits in the window, then records it as sent.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut st = self.lock();
                let now = Instant::now();
                match st.paused_until {
                    Some(p) if p > now => Some(p - now),
                    _ => {
                        st.paused_until = None;
                        while st
                            .sent
                            .front()
                            .is_some_and(|t| now.duration_since(*t) >= self.limit.window)
                        {
                            st.sent.pop_front();
                        }
                        if st.sent.len() < self.limit.max_requests.max(1) as usize {
                            st.sent.push_back(now);
                            None
                        } else {
                            st.sent
                                .front()
                                .map(|t| self.limit.window.saturating_sub(now.duration_since(*t)))
                        }
                    }
                }
            };
            match wait {
                None => return,
                Some(w) => tokio::time::sleep(w.max(Duration::from_millis(1))).await,
            }
        }
    }

    /// Holds every caller back for `wait` (after the server answered 429).
    pub fn pause(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut st = self.lock();
        if st.paused_until.is_none_or(|p| p < until) {
            st.paused_until = Some(until);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn never_exceeds_the_window() {
        let l = RateLimiter::new(RateLimitSettings {
            max_requests: 3,
            window: Duration::from_secs(10),
        });
        let start = Instant::now();
        for _ in 0..3 {
            l.acquire().await;
        }
        assert!(start.elapsed() < Duration::from_millis(5));
        l.acquire().await;
        assert!(start.elapsed() >= Duration::from_secs(10));
        l.pause(Duration::from_secs(30));
        let before = Instant::now();
        l.acquire().await;
        assert!(before.elapsed() >= Duration::from_secs(30));
    }
}
