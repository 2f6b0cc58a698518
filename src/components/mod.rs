//! Reusable pieces that know nothing about contracts: tabs, dialog, error summary, character
//! count, star rating, status timeline.

pub mod char_count;
pub mod dialog;
pub mod error_summary;
pub mod stars;
pub mod tabs;
pub mod timeline;

pub use crate::dom::{use_root, DomRoot};
