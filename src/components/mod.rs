//! Reusable pieces that know nothing about contracts: tabs, dialog, error summary, character
//! count, star rating, status timeline.

pub mod char_count;
pub mod dialog;
pub mod error_summary;
pub mod pager;
pub mod stars;
pub mod tabs;
pub mod timeline;
pub mod use_debounce_fn;

pub use crate::dom::{use_root, DomRoot};
