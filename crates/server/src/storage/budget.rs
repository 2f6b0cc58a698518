//! A write budget every instance sees (`Store::take_shared_write`): who is counted, and at
//! what rate. The in-process limiter (`http::limits`) counts with the same values.

use std::net::IpAddr;

/// A rate: `per_minute` requests on average, up to `burst` at once. `per_minute == 0` is off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub per_minute: u32,
    pub burst: u32,
}

impl Rate {
    pub const OFF: Rate = Rate {
        per_minute: 0,
        burst: 0,
    };

    /// `N/min` or `N/min,BURST` (burst defaults to N/6, at least 1), or `off`.
    pub fn parse(s: &str) -> Result<Rate, String> {
        if s == "off" {
            return Ok(Rate::OFF);
        }
        let bad = || format!("expected N/min, N/min,BURST or off, got {s}");
        let (rate, burst) = match s.split_once(',') {
            Some((r, b)) => (r, Some(b.parse::<u32>().map_err(|_| bad())?)),
            None => (s, None),
        };
        let per_minute: u32 = rate
            .strip_suffix("/min")
            .and_then(|n| n.parse().ok())
            .filter(|n| *n > 0)
            .ok_or_else(bad)?;
        let burst = burst.unwrap_or((per_minute / 6).max(1)).max(1);
        Ok(Rate { per_minute, burst })
    }
}

/// Who is counted: the signed-in user, or the client address for requests without a valid token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Caller {
    User(i64),
    Addr(IpAddr),
}
