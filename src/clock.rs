//! The server's time in the browser. Countdowns and the window rule use the server's clock
//! (`server_now` from the last response) plus the time elapsed since, never the browser's
//! wall clock, which may be days off.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct ServerClock {
    /// server time − browser time, in ms; `None` until the first response.
    offset_ms: RwSignal<Option<i64>>,
    /// Browser time of the last tick; reading it makes a view re-render every second.
    tick: RwSignal<f64>,
}

fn browser_ms() -> f64 {
    js_sys::Date::now()
}

impl ServerClock {
    /// A clock that ticks once a second until the owning view is disposed.
    pub fn new() -> Self {
        let tick = RwSignal::new(browser_ms());
        let handle = set_interval_with_handle(
            move || tick.set(browser_ms()),
            std::time::Duration::from_secs(1),
        )
        .ok();
        on_cleanup(move || {
            if let Some(h) = handle {
                h.clear();
            }
        });
        Self {
            offset_ms: RwSignal::new(None),
            tick,
        }
    }

    /// Learns the offset from a `server_now` just received.
    pub fn sync(&self, server_now: DateTime<Utc>) {
        let offset = server_now.timestamp_millis() - browser_ms() as i64;
        self.offset_ms.set(Some(offset));
    }

    /// The server's "now", re-evaluated every tick (reactive).
    pub fn now(&self) -> DateTime<Utc> {
        let browser = self.tick.get() as i64;
        let offset = self.offset_ms.get().unwrap_or(0);
        DateTime::<Utc>::from_timestamp_millis(browser + offset).unwrap_or_default()
    }

    /// The server's "now" once, for a decision taken when a view is built.
    pub fn now_untracked(&self) -> DateTime<Utc> {
        untrack(|| self.now())
    }
}

impl Default for ServerClock {
    fn default() -> Self {
        Self::new()
    }
}
