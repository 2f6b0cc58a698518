//! A star rating that reads as text ("4.5 out of 5") and shows stars to sighted users.

use crate::k;
use leptos::prelude::*;

#[component]
pub fn Stars(rating: f32) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    // One decimal at most, in the locale's digits and separator ("4,5 von 5").
    let value = i18n.number(f64::from((rating * 10.0).round()) / 10.0);
    let text = i18n.tf(k!("rating"), &[("rating", &value)]);
    let full = rating.floor().clamp(0.0, 5.0) as usize;
    let half = full < 5 && rating - rating.floor() >= 0.5;
    // A half star is an empty star with a full one over its first half (CSS): the glyph for a
    // half star (U+2BEA) is missing from most fonts and showed as an empty box.
    let empty = 5 - full - usize::from(half);
    view! {
        <span class="fw-stars">
            <span aria-hidden="true" class="fw-stars-glyphs">
                {"★".repeat(full)}
                {half.then(|| view! { <span class="fw-star-half">"☆"</span> })}
                {"☆".repeat(empty)}
            </span>
            <span class="fw-stars-text">{text}</span>
        </span>
    }
}
