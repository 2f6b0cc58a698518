//! The widget's words in the user's language. Each locale is a flat JSON catalog in `locales/`
//! (key → text, or key → plural forms by `Intl.PluralRules` category); English is compiled in,
//! the one other locale in use is fetched once (a content-hashed file, cached like the wasm).
//! Code names a message with `k!("history.title")`, checked and numbered at compile time.
//! Numbers, dates and plural choice come from the browser's `Intl` in that locale. A key a
//! catalog lacks falls back to English (a test fails first: `cargo test -p xtask`).

mod catalog;
mod intl;
mod key;
mod locale;
mod messages;

pub use catalog::Catalog;
pub use key::Key;
pub use locale::{negotiate, Locale, LOCALES};

use crate::k;
use std::cell::RefCell;

use chrono::{DateTime, Utc};
use leptos::prelude::*;

const NBSP: char = '\u{a0}';

/// One instance's language: its catalog (with English behind it) and its `Intl` formatters.
/// A `Copy` handle, so views and callbacks take it freely. What it points to never changes
/// once made, so it lives as long as the page and is shared: every instance in the same locale
/// with the same catalog gets the same one (a host that mounts the widget again and again
/// makes it once), and no reactive owner has to be alive to read it.
#[derive(Clone, Copy)]
pub struct I18n(&'static Inner);

struct Inner {
    locale: Locale,
    catalog: Catalog,
    intl: intl::Intl,
}

thread_local! {
    static SHARED: RefCell<Vec<&'static Inner>> = const { RefCell::new(Vec::new()) };
}

impl I18n {
    pub fn new(locale: Locale, catalog: Catalog) -> Self {
        SHARED.with_borrow_mut(|shared| {
            let same = |i: &&&Inner| i.locale == locale && i.catalog.same_as(&catalog);
            if let Some(inner) = shared.iter().find(same) {
                return Self(inner);
            }
            let intl = intl::Intl::new(locale.intl_tag());
            let inner = Box::leak(Box::new(Inner {
                locale,
                catalog,
                intl,
            }));
            shared.push(inner);
            Self(inner)
        })
    }

    /// English, compiled in: what tests and a failed catalog load fall back to.
    pub fn english() -> Self {
        Self::new(Locale::En, Catalog::english())
    }

    pub fn locale(&self) -> Locale {
        self.0.locale
    }

    /// `ltr` or `rtl`, for the root's `dir`.
    pub fn dir(&self) -> &'static str {
        self.0.locale.dir()
    }

    /// The text for `key`.
    pub fn t(&self, key: Key) -> String {
        self.tf(key, &[])
    }

    /// The text for `key` with `{name}` placeholders filled in.
    pub fn tf(&self, key: Key, args: &[(&str, &str)]) -> String {
        let text = self.0.catalog.text(key, None);
        fill(&text, args)
    }

    /// The text of `key` before and after its `{name}` placeholder, for sentences that hold an
    /// element (a `<bdi>` name) where the language puts it.
    pub fn around(&self, key: Key, name: &str) -> (String, String) {
        let text = self.t(key);
        let mark = format!("{{{name}}}");
        match text.split_once(&mark) {
            Some((before, after)) => (before.to_string(), after.to_string()),
            None => (text, String::new()),
        }
    }

    /// The plural form of `key` for `n` (`{n}` is `n`, formatted for the locale).
    pub fn tp(&self, key: Key, n: f64, args: &[(&str, &str)]) -> String {
        let category = self.0.intl.plural(n);
        let text = self.0.catalog.text(key, Some(&category));
        let number = self.number(n);
        let mut all = vec![("n", number.as_str())];
        all.extend_from_slice(args);
        fill(&text, &all)
    }

    /// "10,000" / "10.000" / "١٠٬٠٠٠".
    pub fn number(&self, n: f64) -> String {
        self.0.intl.number(n)
    }

    /// "3 days ago" / "vor 3 Tagen": `value` of `unit` (`day`, `hour`, `minute`) from now.
    pub fn relative(&self, value: f64, unit: &str) -> String {
        self.0.intl.relative(value, unit)
    }

    /// "12 March 2027" in the locale's words and order.
    pub fn date(&self, t: DateTime<Utc>) -> String {
        self.0.intl.date(t)
    }

    /// "12 March 2027, 17:05": the catalog says how a date and a time are joined.
    pub fn date_time(&self, t: DateTime<Utc>) -> String {
        self.join(&self.date(t), &self.0.intl.time(t))
    }

    /// "12 March 2027, 17:05 CET": a time a person reads is always labelled with its zone.
    pub fn date_time_zoned(&self, t: DateTime<Utc>) -> String {
        self.join(&self.date(t), &self.0.intl.time_zoned(t))
    }

    /// A date and a time as one phrase, in the locale's order (`format.date_time`).
    fn join(&self, date: &str, time: &str) -> String {
        self.tf(k!("format.date_time"), &[("date", date), ("time", time)])
    }

    /// "12 March 2027, 17:05 CET · 16:05 UTC": UTC (with its date when that differs) only
    /// when the user's own zone is not UTC at that instant.
    pub fn deadline(&self, t: DateTime<Utc>) -> String {
        let intl = &self.0.intl;
        if intl.local_is_utc(t) {
            return self.date_time_zoned(t);
        }
        let utc_time = format!("{}{NBSP}UTC", intl.utc_time(t));
        let utc = match intl.day(t, true) {
            day if day == intl.day(t, false) => utc_time,
            day => self.join(&day, &utc_time),
        };
        format!("{} · {utc}", self.date_time_zoned(t))
    }
}

/// Replaces `{name}` with its value; unknown placeholders stay as they are (a test checks every
/// catalog uses the same ones as English).
fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut out = text.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The language of the instance this component belongs to.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(I18n::english)
}
