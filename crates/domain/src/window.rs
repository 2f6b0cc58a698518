//! The response window: written feedback can be answered from the moment the contract ends until
//! exactly 28 × 24 hours later. Instants are UTC; the start is inclusive, the end exclusive.
//! Calendar days, time zones and DST play no part: the rule is a fixed duration.

use chrono::{DateTime, Duration, Utc};

/// Length of the response window, in days of exactly 24 hours.
pub const RESPONSE_WINDOW_DAYS: i64 = 28;

/// The response window as a duration.
pub fn response_window() -> Duration {
    Duration::hours(RESPONSE_WINDOW_DAYS * 24)
}

/// The first instant at which a response is no longer accepted.
pub fn window_closes_at(ended_at: DateTime<Utc>) -> DateTime<Utc> {
    ended_at + response_window()
}

/// Where `now` falls relative to a contract's response window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowState {
    /// The contract has not ended (or ends in the future): responding is not yet possible.
    NotStarted,
    /// Open; `remaining` is strictly positive.
    Open { remaining: Duration },
    /// Closed; `since` is how long ago it closed (zero at the exact deadline).
    Closed { since: Duration },
}

/// The window's state at `now` for a contract that ended at `ended_at` (`None`: still active).
pub fn window_state(ended_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> WindowState {
    let Some(ended_at) = ended_at else {
        return WindowState::NotStarted;
    };
    if now < ended_at {
        return WindowState::NotStarted;
    }
    let closes = window_closes_at(ended_at);
    if now < closes {
        WindowState::Open {
            remaining: closes - now,
        }
    } else {
        WindowState::Closed {
            since: now - closes,
        }
    }
}

/// True while a response can be posted: `ended_at <= now < ended_at + 28 days`.
pub fn is_window_open(ended_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    matches!(window_state(ended_at, now), WindowState::Open { .. })
}

/// Time left before the window closes, if it is open.
pub fn window_remaining(ended_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<Duration> {
    match window_state(ended_at, now) {
        WindowState::Open { remaining } => Some(remaining),
        _ => None,
    }
}

/// A whole unit of time, for countdowns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Day,
    Hour,
    Minute,
}

impl TimeUnit {
    /// The unit's name as `Intl.RelativeTimeFormat` and the message catalogs know it.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeUnit::Day => "day",
            TimeUnit::Hour => "hour",
            TimeUnit::Minute => "minute",
        }
    }
}

/// A countdown in the largest whole unit (rounded down), for wording in any language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Countdown {
    NotStarted,
    /// `n` of `unit` left, `n ≥ 1`.
    Left(i64, TimeUnit),
    LessThanAMinuteLeft,
    /// Closed `n` of `unit` ago, `n ≥ 1`.
    ClosedAgo(i64, TimeUnit),
    ClosedJustNow,
}

/// The countdown to (or since) the window's end at `now`.
pub fn window_countdown(ended_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Countdown {
    match window_state(ended_at, now) {
        WindowState::NotStarted => Countdown::NotStarted,
        WindowState::Open { remaining } => match coarse_unit(remaining) {
            Some((n, unit)) => Countdown::Left(n, unit),
            None => Countdown::LessThanAMinuteLeft,
        },
        WindowState::Closed { since } => match coarse_unit(since) {
            Some((n, unit)) => Countdown::ClosedAgo(n, unit),
            None => Countdown::ClosedJustNow,
        },
    }
}

/// The largest whole unit in `d`, or `None` under a minute.
fn coarse_unit(d: Duration) -> Option<(i64, TimeUnit)> {
    if d.num_days() >= 1 {
        Some((d.num_days(), TimeUnit::Day))
    } else if d.num_hours() >= 1 {
        Some((d.num_hours(), TimeUnit::Hour))
    } else if d.num_minutes() >= 1 {
        Some((d.num_minutes(), TimeUnit::Minute))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, TimeZone};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn window_is_open_at_the_instant_the_contract_ends() {
        let end = at("2026-03-01T12:00:00Z");
        assert!(is_window_open(Some(end), end));
    }

    #[test]
    fn window_is_not_open_before_the_contract_ends_or_while_active() {
        let end = at("2026-03-01T12:00:00Z");
        assert!(!is_window_open(Some(end), end - Duration::seconds(1)));
        assert!(!is_window_open(None, end));
        assert_eq!(window_state(None, end), WindowState::NotStarted);
    }

    #[test]
    fn window_is_open_at_27_days_23_59_59_and_closed_at_28_days() {
        let end = at("2026-03-01T12:00:00Z");
        let last_second = end + Duration::days(27) + Duration::seconds(23 * 3600 + 59 * 60 + 59);
        assert!(is_window_open(Some(end), last_second));
        assert_eq!(
            window_remaining(Some(end), last_second),
            Some(Duration::seconds(1))
        );
        assert!(!is_window_open(Some(end), end + Duration::days(28)));
        assert_eq!(
            window_state(Some(end), end + Duration::days(28)),
            WindowState::Closed {
                since: Duration::zero()
            }
        );
    }

    #[test]
    fn window_closes_exactly_28_times_24_hours_after_the_end() {
        let end = at("2026-03-01T12:00:00Z");
        assert_eq!(window_closes_at(end), at("2026-03-29T12:00:00Z"));
    }

    #[test]
    fn window_counts_the_leap_day() {
        // 2028 is a leap year: Feb 20 + 28 days is Mar 19, not Mar 20.
        let end = at("2028-02-20T08:30:00Z");
        assert_eq!(window_closes_at(end), at("2028-03-19T08:30:00Z"));
        // Ending on the leap day itself.
        assert_eq!(
            window_closes_at(at("2028-02-29T23:59:59Z")),
            at("2028-03-28T23:59:59Z")
        );
    }

    #[test]
    fn window_is_exact_hours_across_a_dst_change() {
        // A contract that ends in New York just before the US spring-forward (2027-03-14 02:00
        // local): the window is 672 real hours, so the local wall-clock deadline moves by one hour.
        let ny_before = FixedOffset::west_opt(5 * 3600).unwrap(); // EST
        let ny_after = FixedOffset::west_opt(4 * 3600).unwrap(); // EDT
        let end = ny_before
            .with_ymd_and_hms(2027, 3, 14, 1, 59, 0)
            .unwrap()
            .with_timezone(&Utc);
        let closes = window_closes_at(end);
        assert_eq!((closes - end).num_hours(), 672);
        let local = closes.with_timezone(&ny_after);
        assert_eq!(local.to_rfc3339(), "2027-04-11T02:59:00-04:00");
    }

    #[test]
    fn countdowns_use_the_largest_whole_unit() {
        use Countdown::*;
        use TimeUnit::*;
        let end = at("2026-03-01T00:00:00Z");
        let left = |d: Duration| window_countdown(Some(end), window_closes_at(end) - d);
        assert_eq!(left(Duration::days(3) + Duration::hours(5)), Left(3, Day));
        assert_eq!(left(Duration::days(1)), Left(1, Day));
        assert_eq!(
            left(Duration::hours(23) + Duration::minutes(59)),
            Left(23, Hour)
        );
        assert_eq!(left(Duration::hours(1)), Left(1, Hour));
        assert_eq!(left(Duration::minutes(12)), Left(12, Minute));
        assert_eq!(left(Duration::seconds(59)), LessThanAMinuteLeft);
        assert_eq!(left(Duration::seconds(1)), LessThanAMinuteLeft);
    }

    #[test]
    fn a_countdown_never_says_zero_left() {
        let end = at("2026-03-01T00:00:00Z");
        for secs in (1..=28 * 86_400).step_by(997) {
            let now = window_closes_at(end) - Duration::seconds(secs);
            let c = window_countdown(Some(end), now);
            assert!(
                !matches!(c, Countdown::Left(0, _) | Countdown::ClosedAgo(0, _)),
                "{c:?} at {secs}s left"
            );
        }
    }

    #[test]
    fn countdowns_after_the_deadline() {
        use Countdown::*;
        let end = at("2026-03-01T00:00:00Z");
        let after = |d: Duration| window_countdown(Some(end), window_closes_at(end) + d);
        assert_eq!(after(Duration::zero()), ClosedJustNow);
        assert_eq!(
            after(Duration::days(2) + Duration::hours(3)),
            ClosedAgo(2, TimeUnit::Day)
        );
        assert_eq!(after(Duration::hours(1)), ClosedAgo(1, TimeUnit::Hour));
        assert_eq!(window_countdown(None, end), NotStarted);
    }
}
