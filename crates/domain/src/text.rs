//! Text rules for responses and report descriptions.
//!
//! Length is counted in **Unicode scalar values (Rust `char`s) after trimming leading and trailing
//! whitespace** — the same count in the browser (this code, compiled to wasm) and on the server.
//! An emoji such as "👍" is one; a flag such as "🇫🇷" (two regional indicators) is two.
//!
//! **Invisible text.** Format characters (Unicode category Cf: zero-width space, BOM, word
//! joiner, …) count as blank when deciding whether text is empty, so "\u{200b}\u{feff}" is
//! refused as empty in the browser and on the server alike. **Bidi controls** that open an
//! embedding, override or isolate (U+202A–U+202E, U+2066–U+2069) are refused: a person never
//! types them, and they can make text read differently from what it says ("Trojan source").
//! The marks LRM, RLM and ALM, which right-to-left keyboards do insert, stay allowed. Whatever
//! is stored is still rendered isolated (`dir="auto"`, `unicode-bidi: isolate`), so text from
//! any backend can't reorder the page around it.

use thiserror::Error;

/// Longest public response, in scalar values after trimming.
pub const RESPONSE_MAX_CHARS: usize = 1_500;
/// Shortest report description: enough for a factual account, not just "bad".
pub const REPORT_DESCRIPTION_MIN_CHARS: usize = 30;
/// Longest report description.
pub const REPORT_DESCRIPTION_MAX_CHARS: usize = 3_000;
/// At most this many evidence links per report.
pub const REPORT_EVIDENCE_MAX_LINKS: usize = 5;
/// Longest evidence link.
pub const EVIDENCE_LINK_MAX_CHARS: usize = 500;

/// Why a piece of text was refused. The messages are written for the person typing.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    #[error("Enter some text.")]
    Empty,
    #[error("Must be {min} characters or more (it has {actual}).")]
    TooShort { min: usize, actual: usize },
    #[error("Must be {max} characters or fewer (it has {actual}).")]
    TooLong { max: usize, actual: usize },
    #[error("Contains an invisible control character; remove it and try again.")]
    ControlCharacter,
    #[error("Contains an invisible text-direction control; remove it and try again.")]
    BidiControl,
}

impl TextError {
    /// The machine-readable form the API sends beside the English message.
    pub fn code(&self) -> crate::FieldCode {
        use crate::FieldCode as C;
        match *self {
            TextError::Empty => C::new("empty"),
            TextError::TooShort { min, actual } => C {
                min: Some(min),
                actual: Some(actual),
                ..C::new("too_short")
            },
            TextError::TooLong { max, actual } => C {
                max: Some(max),
                actual: Some(actual),
                ..C::new("too_long")
            },
            TextError::ControlCharacter => C::new("control_character"),
            TextError::BidiControl => C::new("bidi_control"),
        }
    }
}

/// Unicode 15.1 general category Cf (format characters), as inclusive ranges.
const FORMAT_CHARS: &[(char, char)] = &[
    ('\u{ad}', '\u{ad}'),
    ('\u{600}', '\u{605}'),
    ('\u{61c}', '\u{61c}'),
    ('\u{6dd}', '\u{6dd}'),
    ('\u{70f}', '\u{70f}'),
    ('\u{890}', '\u{891}'),
    ('\u{8e2}', '\u{8e2}'),
    ('\u{180e}', '\u{180e}'),
    ('\u{200b}', '\u{200f}'),
    ('\u{202a}', '\u{202e}'),
    ('\u{2060}', '\u{2064}'),
    ('\u{2066}', '\u{206f}'),
    ('\u{feff}', '\u{feff}'),
    ('\u{fff9}', '\u{fffb}'),
    ('\u{110bd}', '\u{110bd}'),
    ('\u{110cd}', '\u{110cd}'),
    ('\u{13430}', '\u{1343f}'),
    ('\u{1bca0}', '\u{1bca3}'),
    ('\u{1d173}', '\u{1d17a}'),
    ('\u{e0001}', '\u{e0001}'),
    ('\u{e0020}', '\u{e007f}'),
];

/// A format character (category Cf): invisible on its own.
pub fn is_format_char(c: char) -> bool {
    FORMAT_CHARS.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
}

/// An explicit bidi embedding, override or isolate control (refused in new text).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Blank for the emptiness rule: whitespace or a format character.
fn is_blank(c: char) -> bool {
    c.is_whitespace() || is_format_char(c)
}

/// The length as the rules count it: scalar values of the trimmed text.
pub fn counted_len(text: &str) -> usize {
    text.trim().chars().count()
}

/// Checks `text` against `min..=max` counted characters; returns the trimmed text to store.
pub fn validate_text(text: &str, min: usize, max: usize) -> Result<&str, TextError> {
    let trimmed = text.trim();
    if trimmed.chars().all(is_blank) {
        return Err(TextError::Empty);
    }
    // Newline, carriage return (part of a CRLF) and tab are ordinary typing; other controls are not.
    if trimmed
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(TextError::ControlCharacter);
    }
    if trimmed.chars().any(is_bidi_control) {
        return Err(TextError::BidiControl);
    }
    let actual = trimmed.chars().count();
    if actual < min {
        return Err(TextError::TooShort { min, actual });
    }
    if actual > max {
        return Err(TextError::TooLong { max, actual });
    }
    Ok(trimmed)
}

/// A public response: 1 to [`RESPONSE_MAX_CHARS`] characters.
pub fn validate_response(text: &str) -> Result<&str, TextError> {
    validate_text(text, 1, RESPONSE_MAX_CHARS)
}

/// A report description: [`REPORT_DESCRIPTION_MIN_CHARS`] to [`REPORT_DESCRIPTION_MAX_CHARS`].
pub fn validate_report_description(text: &str) -> Result<&str, TextError> {
    validate_text(
        text,
        REPORT_DESCRIPTION_MIN_CHARS,
        REPORT_DESCRIPTION_MAX_CHARS,
    )
}

/// Why an evidence link was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LinkError {
    #[error("Add at most {max} links.")]
    TooMany { max: usize },
    #[error("Link {index} must start with https:// or http:// and contain no spaces.")]
    NotAWebAddress { index: usize },
    #[error("Link {index} must be {max} characters or fewer.")]
    TooLong { index: usize, max: usize },
}

impl LinkError {
    /// The machine-readable form the API sends beside the English message.
    pub fn code(&self) -> crate::FieldCode {
        use crate::FieldCode as C;
        match *self {
            LinkError::TooMany { max } => C {
                max: Some(max),
                ..C::new("too_many_links")
            },
            LinkError::NotAWebAddress { index } => C {
                index: Some(index),
                ..C::new("not_a_web_address")
            },
            LinkError::TooLong { index, max } => C {
                index: Some(index),
                max: Some(max),
                ..C::new("link_too_long")
            },
        }
    }
}

/// Evidence links: optional, at most [`REPORT_EVIDENCE_MAX_LINKS`], each an absolute http(s) URL.
/// Blank entries are dropped; the rest are returned trimmed. `index` in errors is 1-based.
pub fn validate_evidence_links(links: &[String]) -> Result<Vec<String>, LinkError> {
    let kept: Vec<String> = links
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if kept.len() > REPORT_EVIDENCE_MAX_LINKS {
        return Err(LinkError::TooMany {
            max: REPORT_EVIDENCE_MAX_LINKS,
        });
    }
    for (i, link) in kept.iter().enumerate() {
        let index = i + 1;
        if link.chars().count() > EVIDENCE_LINK_MAX_CHARS {
            return Err(LinkError::TooLong {
                index,
                max: EVIDENCE_LINK_MAX_CHARS,
            });
        }
        let rest = link
            .strip_prefix("https://")
            .or_else(|| link.strip_prefix("http://"));
        let ok = rest.is_some_and(|r| {
            let host = r.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !r.chars().any(|c| c.is_whitespace() || c.is_control())
        });
        if !ok {
            return Err(LinkError::NotAWebAddress { index });
        }
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn empty_and_whitespace_only_text_is_refused() {
        assert_eq!(validate_response(""), Err(TextError::Empty));
        assert_eq!(validate_response(" \n\t "), Err(TextError::Empty));
    }

    #[test]
    fn text_is_trimmed_before_it_is_counted_and_stored() {
        assert_eq!(validate_response("  Thanks!  \n"), Ok("Thanks!"));
        assert_eq!(counted_len("  ab  "), 2);
    }

    #[test]
    fn length_is_counted_in_scalar_values_not_bytes() {
        let text = "é".repeat(RESPONSE_MAX_CHARS); // 2 bytes each
        assert!(validate_response(&text).is_ok());
        let emoji = "👍".repeat(RESPONSE_MAX_CHARS + 1);
        assert_eq!(
            validate_response(&emoji),
            Err(TextError::TooLong {
                max: RESPONSE_MAX_CHARS,
                actual: RESPONSE_MAX_CHARS + 1
            })
        );
        assert_eq!(counted_len("🇫🇷"), 2);
    }

    #[test]
    fn the_maximum_is_inclusive() {
        assert!(validate_response(&"a".repeat(RESPONSE_MAX_CHARS)).is_ok());
        assert!(validate_response(&"a".repeat(RESPONSE_MAX_CHARS + 1)).is_err());
    }

    #[test]
    fn newlines_and_tabs_are_allowed_other_controls_are_not() {
        assert!(validate_response("line one\r\nline\ttwo").is_ok());
        assert_eq!(
            validate_response("bell\u{7}"),
            Err(TextError::ControlCharacter)
        );
        assert_eq!(
            validate_response("nul\u{0}x"),
            Err(TextError::ControlCharacter)
        );
        assert_eq!(
            validate_response("esc\u{1b}[31m"),
            Err(TextError::ControlCharacter)
        );
    }

    #[test]
    fn text_made_only_of_format_characters_is_empty() {
        assert_eq!(validate_response("\u{200b}\u{feff}"), Err(TextError::Empty));
        assert_eq!(
            validate_response(" \u{2060}\n\u{200d} \u{ad}"),
            Err(TextError::Empty)
        );
        // Format characters inside visible text are kept (ZWJ joins emoji sequences).
        assert_eq!(validate_response("👩\u{200d}💻 ok"), Ok("👩\u{200d}💻 ok"));
    }

    #[test]
    fn bidi_overrides_are_refused_but_direction_marks_are_not() {
        for c in [
            '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}',
        ] {
            assert_eq!(
                validate_response(&format!("abc{c}def")),
                Err(TextError::BidiControl),
                "U+{:04X}",
                c as u32
            );
        }
        assert!(validate_response("שלום\u{200f} ok\u{200e}").is_ok());
        assert!(validate_response("مرحبا\u{61c}").is_ok());
    }

    #[test]
    fn format_char_table_matches_known_members() {
        // Independent spot checks from the Unicode character database (category Cf).
        for c in [
            '\u{ad}',
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{2060}',
            '\u{feff}',
            '\u{e0001}',
            '\u{e007f}',
        ] {
            assert!(is_format_char(c), "U+{:04X}", c as u32);
        }
        for c in ['a', ' ', '\u{200a}', '\u{2028}', '\u{3000}', 'é', '👍'] {
            assert!(!is_format_char(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn report_description_has_a_minimum() {
        assert_eq!(
            validate_report_description("too short"),
            Err(TextError::TooShort {
                min: REPORT_DESCRIPTION_MIN_CHARS,
                actual: 9
            })
        );
        assert!(validate_report_description(&"x".repeat(REPORT_DESCRIPTION_MIN_CHARS)).is_ok());
        assert!(
            validate_report_description(&"x".repeat(REPORT_DESCRIPTION_MAX_CHARS + 1)).is_err()
        );
    }

    #[test]
    fn error_messages_read_as_instructions() {
        assert_eq!(
            TextError::TooLong {
                max: 10,
                actual: 12
            }
            .to_string(),
            "Must be 10 characters or fewer (it has 12)."
        );
    }

    #[test]
    fn evidence_links_must_be_web_addresses() {
        let v = |l: &[&str]| {
            validate_evidence_links(&l.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        };
        assert_eq!(
            v(&[" https://example.com/a ", "", "http://x.org"]),
            Ok(vec!["https://example.com/a".into(), "http://x.org".into()])
        );
        assert_eq!(
            v(&["javascript:alert(1)"]),
            Err(LinkError::NotAWebAddress { index: 1 })
        );
        assert_eq!(
            v(&["https://ok.example", "https:// spaced"]),
            Err(LinkError::NotAWebAddress { index: 2 })
        );
        assert_eq!(
            v(&["https://"]),
            Err(LinkError::NotAWebAddress { index: 1 })
        );
        assert_eq!(
            v(&["https://a.b"; REPORT_EVIDENCE_MAX_LINKS + 1]),
            Err(LinkError::TooMany {
                max: REPORT_EVIDENCE_MAX_LINKS
            })
        );
        let long = format!("https://a.b/{}", "x".repeat(EVIDENCE_LINK_MAX_CHARS));
        assert_eq!(
            v(&[long.as_str()]),
            Err(LinkError::TooLong {
                index: 1,
                max: EVIDENCE_LINK_MAX_CHARS
            })
        );
    }

    proptest! {
        #[test]
        fn accepted_text_is_trimmed_non_empty_and_within_limits(s in "\\PC{0,1600}") {
            if let Ok(kept) = validate_response(&s) {
                prop_assert_eq!(kept, kept.trim());
                prop_assert!(!kept.is_empty());
                prop_assert!(kept.chars().count() <= RESPONSE_MAX_CHARS);
                prop_assert_eq!(counted_len(&s), kept.chars().count());
            }
        }

        #[test]
        fn surrounding_whitespace_never_changes_the_verdict(s in "\\PC{0,200}", pad in "[ \\t\\n]{0,5}") {
            let padded = format!("{pad}{s}{pad}");
            prop_assert_eq!(validate_response(&s), validate_response(&padded));
        }

        #[test]
        fn any_disallowed_control_character_is_refused(
            a in "[a-z]{1,20}", b in "[a-z]{1,20}",
            c in prop::char::range('\u{0}', '\u{1f}').prop_filter("allowed", |c| !matches!(c, '\n' | '\r' | '\t'))
        ) {
            let s = format!("{a}{c}{b}");
            prop_assert_eq!(validate_response(&s), Err(TextError::ControlCharacter));
        }

        #[test]
        fn printable_text_within_the_limit_is_accepted(s in "[^\\p{C}\\s][^\\p{C}]{0,1400}[^\\p{C}\\s]") {
            prop_assert!(validate_response(&s).is_ok());
        }
    }
}
