//! Text from elsewhere placed inside our own sentences. (Dates, times and numbers are the
//! browser's `Intl`, in the instance's language: `crate::i18n`.)

/// Text from the server placed inside a sentence of ours, between first-strong isolate and
/// pop-isolate marks: whatever bidi controls it holds can't reorder the sentence around it.
/// (Elements get the same from `<bdi>` or `dir="auto"`; this is for plain strings.)
pub fn isolate(text: &str) -> String {
    format!("\u{2068}{text}\u{2069}")
}
