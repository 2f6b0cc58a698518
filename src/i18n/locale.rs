//! The locales the widget speaks and how a requested one is matched.

/// Every locale with a catalog in `locales/`, plus the pseudo-locale for layout tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    Es,
    Fr,
    De,
    PtBr,
    Ja,
    Ar,
    /// `en-XA`: English, accented and ~40 % longer, for layout tests (not offered in the
    /// switcher; its catalog is generated from English's by `xtask/tests/i18n.rs`).
    Pseudo,
}

/// The locales offered to people, in the switcher's order.
pub const LOCALES: [Locale; 7] = [
    Locale::En,
    Locale::Es,
    Locale::Fr,
    Locale::De,
    Locale::PtBr,
    Locale::Ja,
    Locale::Ar,
];

impl Locale {
    /// The BCP 47 tag: the `lang` attribute and the catalog's file name.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Es => "es",
            Locale::Fr => "fr",
            Locale::De => "de",
            Locale::PtBr => "pt-BR",
            Locale::Ja => "ja",
            Locale::Ar => "ar",
            Locale::Pseudo => "en-XA",
        }
    }

    /// The tag `Intl` formats with. English reads dates day first with a 24-hour clock
    /// (as before there were other languages); the pseudo-locale formats as English.
    pub fn intl_tag(self) -> &'static str {
        match self {
            Locale::En | Locale::Pseudo => "en-GB",
            other => other.tag(),
        }
    }

    /// The language's own name, for the switcher.
    pub fn autonym(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Es => "Español",
            Locale::Fr => "Français",
            Locale::De => "Deutsch",
            Locale::PtBr => "Português (Brasil)",
            Locale::Ja => "日本語",
            Locale::Ar => "العربية",
            Locale::Pseudo => "Ƥşḗḗŭŭḓǿǿ",
        }
    }

    pub fn dir(self) -> &'static str {
        match self {
            Locale::Ar => "rtl",
            _ => "ltr",
        }
    }

    fn exact(tag: &str) -> Option<Locale> {
        LOCALES
            .into_iter()
            .chain([Locale::Pseudo])
            .find(|l| l.tag().eq_ignore_ascii_case(tag))
    }
}

/// The best supported locale for the tags a person prefers, in order: an exact match, else the
/// same language (`de-AT` → `de`, `pt-PT` → `pt-BR`), else English.
pub fn negotiate<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Locale {
    for tag in preferred {
        let tag = tag.trim();
        if let Some(l) = Locale::exact(tag) {
            return l;
        }
        let language = tag.split(['-', '_']).next().unwrap_or("");
        if let Some(l) = LOCALES.into_iter().find(|l| {
            l.tag()
                .split('-')
                .next()
                .is_some_and(|base| base.eq_ignore_ascii_case(language))
        }) {
            return l;
        }
    }
    Locale::En
}
