//! Timestamps on the wire are RFC 3339. The API's types read them with chrono's own RFC 3339
//! parser (`DateTime::parse_from_rfc3339`) instead of `DateTime`'s `Deserialize`, which goes
//! through chrono's general format-item parser: the same instants, and the widget's wasm
//! carries no general date parser (measured in docs/performance.md).

use chrono::{DateTime, Utc};
use serde::{de::Error, Deserialize, Deserializer};

/// `#[serde(deserialize_with = "crate::time::rfc3339")]`
pub fn rfc3339<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    parse(&String::deserialize(d)?).map_err(D::Error::custom)
}

/// The same for an optional timestamp (`null` or absent is `None`; pair with `#[serde(default)]`).
pub fn rfc3339_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    Option::<String>::deserialize(d)?
        .map(|text| parse(&text).map_err(D::Error::custom))
        .transpose()
}

fn parse(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[derive(Deserialize, serde::Serialize, PartialEq, Debug)]
    struct At {
        #[serde(deserialize_with = "rfc3339")]
        at: DateTime<Utc>,
        #[serde(default, deserialize_with = "rfc3339_opt")]
        until: Option<DateTime<Utc>>,
    }

    fn read(json: &str) -> Result<At, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn reads_what_chrono_writes_and_other_offsets() {
        let at = Utc.with_ymd_and_hms(2026, 10, 29, 12, 27, 19).unwrap()
            + chrono::Duration::milliseconds(12);
        let written = serde_json::to_string(&At {
            at,
            until: Some(at),
        })
        .unwrap();
        assert_eq!(
            read(&written).unwrap(),
            At {
                at,
                until: Some(at)
            }
        );
        let offset = read(r#"{"at":"2026-10-29T14:27:19.012+02:00"}"#).unwrap();
        assert_eq!(offset, At { at, until: None });
        let whole = read(r#"{"at":"2026-10-29T12:27:19Z","until":null}"#).unwrap();
        assert_eq!(whole.at, at - chrono::Duration::milliseconds(12));
    }

    #[test]
    fn refuses_what_is_not_rfc_3339() {
        for bad in [
            r#"{"at":"29 October 2026"}"#,
            r#"{"at":"2026-10-29"}"#,
            r#"{"at":"2026-10-29T12:27:19"}"#,
            r#"{"at":1793276839}"#,
            r#"{"at":"2026-10-29T12:27:19Z","until":"soon"}"#,
        ] {
            assert!(read(bad).is_err(), "{bad} was accepted");
        }
    }
}
