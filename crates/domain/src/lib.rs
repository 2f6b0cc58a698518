//! The feedback product's rules, written once and used by the browser app and the server alike.
//!
//! Nothing here does I/O or knows about the UI: every function takes the instant "now" as an
//! argument, so the same code decides on the server (its clock, inside the write transaction)
//! and in the browser (the server's clock, carried by `server_now`).

pub mod api;
pub mod moderation;
pub mod permissions;
pub mod queue;
pub mod report;
pub mod text;
pub mod time;
pub mod window;
pub mod work_history;

pub use api::*;
pub use moderation::*;
pub use permissions::*;
pub use queue::*;
pub use report::*;
pub use text::*;
pub use window::*;
pub use work_history::*;
