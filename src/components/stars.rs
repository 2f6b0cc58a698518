//! A star rating that reads as text ("4.5 out of 5") and shows stars to sighted users.

use feedback_domain::rating_text;
use leptos::prelude::*;

#[component]
pub fn Stars(rating: f32) -> impl IntoView {
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
            <span class="fw-stars-text">{rating_text(rating)}</span>
        </span>
    }
}
