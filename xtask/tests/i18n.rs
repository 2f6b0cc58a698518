//! The message catalogs (`locales/`) and the widget's source, checked together: every catalog
//! has every key English has and no other, with the same placeholders and the plural forms its
//! language needs; every message is asked for by the code (which the compiler checks against
//! English); the pseudo-locale is English made pseudo; and no user-visible English is left as a
//! string literal in view code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn catalog(tag: &str) -> BTreeMap<String, Value> {
    let text = std::fs::read_to_string(root().join(format!("locales/{tag}.json"))).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("locales/{tag}.json: {e}"))
}

const LOCALES: [&str; 6] = ["es", "fr", "de", "pt-BR", "ja", "ar"];

/// The plural categories of `Intl.PluralRules` a language uses for whole numbers (CLDR).
fn plural_forms(tag: &str) -> &'static [&'static str] {
    match tag {
        "ja" => &["other"],
        "ar" => &["zero", "one", "two", "few", "many", "other"],
        _ => &["one", "other"],
    }
}

fn placeholders(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.insert(rest[start + 1..start + len].to_string());
        rest = &rest[start + len + 1..];
    }
    out
}

/// Every text of a message: the string, or each plural form.
fn texts(v: &Value) -> Vec<(&str, &str)> {
    match v {
        Value::String(s) => vec![("", s.as_str())],
        Value::Object(forms) => forms
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or("")))
            .collect(),
        _ => vec![],
    }
}

/// Problems in one catalog measured against English.
fn catalog_problems(
    tag: &str,
    en: &BTreeMap<String, Value>,
    tr: &BTreeMap<String, Value>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for key in en.keys().filter(|k| !tr.contains_key(*k)) {
        problems.push(format!("{tag}: missing {key}"));
    }
    for key in tr.keys().filter(|k| !en.contains_key(*k)) {
        problems.push(format!("{tag}: {key} is not an English key"));
    }
    for (key, value) in tr.iter().filter(|(k, _)| en.contains_key(*k)) {
        let wanted: BTreeSet<String> = texts(&en[key])
            .iter()
            .flat_map(|(_, t)| placeholders(t))
            .collect();
        for (form, text) in texts(value) {
            if text.trim().is_empty() {
                problems.push(format!("{tag}: {key} {form} is blank"));
            }
            let used = placeholders(text);
            if let Some(extra) = used.difference(&wanted).next() {
                problems.push(format!(
                    "{tag}: {key} {form} has {{{extra}}}, unknown in English"
                ));
            }
            // A plural form may leave out the number ("one day"); everything else is said.
            let needed: BTreeSet<_> = wanted
                .iter()
                .filter(|p| {
                    form.is_empty() || form == "other" || !["n", "min", "max"].contains(&p.as_str())
                })
                .cloned()
                .collect();
            if let Some(missing) = needed.difference(&used).next() {
                problems.push(format!("{tag}: {key} {form} lacks {{{missing}}}"));
            }
        }
        if let Value::Object(forms) = value {
            for form in plural_forms(tag) {
                if !forms.contains_key(*form) {
                    problems.push(format!("{tag}: {key} lacks the plural form {form}"));
                }
            }
        }
    }
    problems
}

#[test]
fn every_catalog_has_every_key_with_the_same_placeholders_and_its_plural_forms() {
    let en = catalog("en");
    let problems: Vec<String> = LOCALES
        .iter()
        .flat_map(|tag| catalog_problems(tag, &en, &catalog(tag)))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_catalog_check_finds_what_it_is_for() {
    let en: BTreeMap<String, Value> = serde_json::from_str(
        r#"{"a": "Hi {name}", "b": {"one": "{n} day", "other": "{n} days"}, "c": "x"}"#,
    )
    .unwrap();
    let bad: BTreeMap<String, Value> =
        serde_json::from_str(r#"{"a": "Hallo {nom}", "b": {"one": "ein Tag"}, "d": "y"}"#).unwrap();
    let found = catalog_problems("de", &en, &bad).join("\n");
    for expected in [
        "missing c",
        "d is not an English key",
        "has {nom}",
        "lacks {name}",
        "lacks the plural form other",
    ] {
        assert!(found.contains(expected), "{expected}: {found}");
    }
}

/// Every source file of the widget.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(sources(&p));
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The string literals of Rust source outside comments, with their line numbers.
fn literals(source: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let code = line.trim_start();
        // `i18n-ignore` marks text for developers (an error thrown to the host page's code).
        if code.starts_with("//") || line.contains("i18n-ignore") {
            continue;
        }
        let mut chars = line.chars().peekable();
        let mut current: Option<String> = None;
        let mut prev = ' ';
        while let Some(c) = chars.next() {
            match (&mut current, c) {
                (None, '/') if chars.peek() == Some(&'/') => break,
                (None, '"') if prev != '\'' => current = Some(String::new()),
                (Some(s), '\\') => {
                    s.push(c);
                    if let Some(n) = chars.next() {
                        s.push(n);
                    }
                }
                (Some(_), '"') => out.push((i + 1, current.take().unwrap())),
                (Some(s), _) => s.push(c),
                _ => {}
            }
            prev = c;
        }
    }
    out
}

/// Text a person would read: two words of letters, or a capitalised word, that isn't a
/// catalog key, a CSS class list, an id, a key name or an HTTP header.
fn looks_like_words(s: &str) -> bool {
    const TECHNICAL: &[&str] = &[
        "ArrowRight",
        "ArrowLeft",
        "Home",
        "End",
        "Authorization",
        "Content-Type",
        "Bearer {t}",
        "TrustedHTML",
    ];
    if TECHNICAL.contains(&s) || s.contains("fw-") || s.starts_with('{') {
        return false;
    }
    let words: Vec<&str> = s
        .split(|c: char| !c.is_alphabetic() && c != '\'')
        .filter(|w| w.chars().count() > 1)
        .collect();
    let capitalised = words.first().is_some_and(|w| {
        let mut c = w.chars();
        c.next().is_some_and(char::is_uppercase) && c.next().is_some_and(char::is_lowercase)
    });
    let is_key = s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-{}".contains(c));
    !is_key && (words.len() >= 2 && s.contains(' ') || capitalised)
}

/// View code: the components, pages and the app shell (not the API client's own English
/// fallbacks, the JS crash screen's defaults, or the language names, which are each language's
/// own name).
fn is_view_code(path: &Path) -> bool {
    let p = path.to_string_lossy();
    (p.contains("/src/pages/") || p.contains("/src/components/"))
        || ["lib.rs", "language.rs", "widget.rs", "title.rs"]
            .iter()
            .any(|f| p.ends_with(&format!("/src/{f}")))
}

fn visible_literals(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    literals(&text)
        .into_iter()
        .filter(|(_, s)| looks_like_words(s))
        .map(|(line, s)| format!("{}:{line}: {s:?}", path.display()))
        .collect()
}

#[test]
fn no_user_visible_english_is_left_in_view_code() {
    let found: Vec<String> = sources(&root().join("src"))
        .into_iter()
        .filter(|p| is_view_code(p))
        .flat_map(|p| visible_literals(&p))
        .collect();
    assert!(
        found.is_empty(),
        "text to move into locales/en.json:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_finds_a_literal_left_in_a_view() {
    let sample = r#"view! { <button class="fw-button">"Send report"</button> } // "Not this""#;
    let found: Vec<_> = literals(sample)
        .into_iter()
        .filter(|(_, s)| looks_like_words(s))
        .collect();
    assert_eq!(found, [(1, "Send report".to_string())]);
    assert!(looks_like_words("Continue"));
    assert!(!looks_like_words("report.send"));
    assert!(!looks_like_words("fw-button fw-primary"));
}

/// The keys the code makes from the domain's machine names (`category.{name}` and so on).
/// Every message English has is asked for by the widget (`k!("…")`, which the compiler checks
/// against English the other way round): a message no code uses costs bytes in every catalog
/// and work in every translation.
#[test]
fn every_message_is_asked_for_by_the_code() {
    let code: String = sources(&root().join("src"))
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let unused: Vec<String> = catalog("en")
        .into_keys()
        .filter(|key| !code.contains(&format!("k!(\"{key}\")")))
        .collect();
    assert!(unused.is_empty(), "messages no code asks for: {unused:?}");
}

/// The pseudo-locale's text for an English one: letters accented, about 40 % longer (a dot for
/// every two and a half letters), in brackets that show where a layout cuts a text off;
/// `{placeholders}` stay as they are, so the widget fills them like any catalog's.
fn pseudo(text: &str) -> String {
    const FROM: &str = "aeiouAEIOUcnyCNY";
    const TO: [char; 16] = [
        'ȧ', 'ḗ', 'ī', 'ǿ', 'ŭ', 'Ȧ', 'Ḗ', 'Ī', 'Ǿ', 'Ŭ', 'ç', 'ñ', 'ẏ', 'Ç', 'Ñ', 'Ẏ',
    ];
    let mut out = String::new();
    let (mut letters, mut in_placeholder) = (0, false);
    for c in text.chars() {
        match c {
            '{' => in_placeholder = true,
            '}' => in_placeholder = false,
            _ if in_placeholder => {}
            _ => {
                letters += usize::from(c.is_alphabetic());
                if let Some(i) = FROM.find(c) {
                    out.push(TO[i]);
                    continue;
                }
            }
        }
        out.push(c);
    }
    if letters == 0 {
        return out;
    }
    format!("[{out} {}]", "·".repeat((letters * 2).div_ceil(5)))
}

/// English's catalog, every text (and plural form) made pseudo.
fn pseudo_catalog(en: &BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    let pseudo_value = |v: &Value| match v {
        Value::String(s) => Value::String(pseudo(s)),
        Value::Object(forms) => Value::Object(
            forms
                .iter()
                .map(|(form, text)| {
                    (
                        form.clone(),
                        Value::String(pseudo(text.as_str().unwrap_or(""))),
                    )
                })
                .collect(),
        ),
        other => other.clone(),
    };
    en.iter()
        .map(|(k, v)| (k.clone(), pseudo_value(v)))
        .collect()
}

const PSEUDO: &str = "en-XA";

/// `locales/en-XA.json` is generated: served like any catalog, so the wasm carries no code for
/// it. `UPDATE_PSEUDO=1 cargo test -p xtask --test i18n pseudo` writes it again.
#[test]
fn the_pseudo_locale_is_english_made_pseudo() {
    let wanted = pseudo_catalog(&catalog("en"));
    if std::env::var_os("UPDATE_PSEUDO").is_some() {
        let text = serde_json::to_string_pretty(&wanted).unwrap() + "\n";
        std::fs::write(root().join(format!("locales/{PSEUDO}.json")), text).unwrap();
    }
    assert!(
        catalog(PSEUDO) == wanted,
        "locales/{PSEUDO}.json is not English made pseudo: run UPDATE_PSEUDO=1 cargo test -p xtask --test i18n pseudo"
    );
}

#[test]
fn pseudo_text_is_accented_longer_and_keeps_its_placeholders() {
    let english = "Showing {first}–{last} of {n} contracts";
    let text = pseudo(english);
    assert!(text.starts_with("[Şh") || text.starts_with("[Sh"), "{text}");
    assert!(text.contains("çǿñtrȧçts"), "{text}");
    for placeholder in ["{first}", "{last}", "{n}"] {
        assert!(text.contains(placeholder), "{text}");
    }
    let letters = english.chars().filter(|c| c.is_alphabetic()).count() as f64;
    let longer = (text.chars().count() - english.chars().count()) as f64;
    assert!(longer >= 0.35 * letters, "{text}");
    assert_eq!(pseudo("12"), "12", "no letters: nothing to stretch");
}

/// The declarations (`property`, `value`) of a style sheet, comments left out: what ends in
/// `{` is a selector or an at-rule, what ends in `;` or `}` is a declaration.
fn declarations(css: &str) -> Vec<(String, String)> {
    let mut text = String::new();
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        rest = rest[start..]
            .find("*/")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    text.push_str(rest);
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if matches!(c, '{' | ';' | '}') {
            if c != '{' {
                if let Some((property, value)) = current.split_once(':') {
                    out.push((property.trim().to_lowercase(), value.trim().to_lowercase()));
                }
            }
            current.clear();
        } else {
            current.push(c);
        }
    }
    out
}

/// A declaration that names a physical side (`border-left`, `float: right`, `inset-inline`
/// is fine), or a four-value box shorthand whose left and right differ: either would not turn
/// in a right-to-left page.
fn physical(property: &str, value: &str) -> bool {
    let sided = |s: &str| {
        s.split(|c: char| !(c.is_ascii_alphanumeric()))
            .any(|word| word == "left" || word == "right")
    };
    let four_sides = [
        "margin",
        "padding",
        "inset",
        "border-width",
        "border-style",
        "border-color",
    ];
    let values: Vec<&str> = value.split_whitespace().collect();
    sided(property)
        || sided(value)
        || (four_sides.contains(&property) && values.len() == 4 && values[1] != values[3])
}

fn physical_declarations(css: &str) -> Vec<String> {
    declarations(css)
        .into_iter()
        .filter(|(p, v)| physical(p, v))
        .map(|(p, v)| format!("{p}: {v}"))
        .collect()
}

/// Right-to-left layout comes from CSS logical properties, so every side the style sheets
/// name is a start or an end (the widget's own and the demo host page's).
#[test]
fn style_sheets_name_no_physical_side() {
    for dir in ["style", "public"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "css") {
                let css = std::fs::read_to_string(&path).unwrap();
                let found = physical_declarations(&css);
                assert!(found.is_empty(), "{}: {found:?}", path.display());
            }
        }
    }
}

#[test]
fn the_style_scan_finds_physical_sides() {
    let css = "/* margin-left: 1em */ .a:hover { border-left: 4px solid red; color: red }\n\
               @media (min-width: 30em) { .b { float: right; margin: 0 1em 0 2em; } }\n\
               .c { padding-inline-start: 1em; margin: 0 1em 0 1em; filter: brightness(1.1); inset-inline-end: 0 }";
    assert_eq!(
        physical_declarations(css),
        [
            "border-left: 4px solid red",
            "float: right",
            "margin: 0 1em 0 2em"
        ]
    );
}
