//! A star rating that reads as text ("4.5 out of 5") and shows stars to sighted users.

use crate::k;
use leptos::prelude::*;

#[component]
pub fn Stars(rating: f32) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    // One decimal at most, in the locale's digits and separator ("4,5 von 5").
    let value = i18n.number(f64::from((rating * 10.0).round()) / 10.0);
    let text = i18n.tf(k!("rating"), &[("rating", &value)]);
    let full = rating.floor() as usize;
    let half = rating - rating.floor() >= 0.5;
    let stars: String = (0..5)
        .map(|i| {
            if i < full {
                '★'
            } else if i == full && half {
                '⯪'
            } else {
                '☆'
            }
        })
        .collect();
    view! {
        <span class="fw-stars">
            <span aria-hidden="true" class="fw-stars-glyphs">{stars}</span>
            <span class="fw-stars-text">{text}</span>
        </span>
    }
}
