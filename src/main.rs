//! Trunk's entry point: mount the standalone app. Everything else lives in the library.

fn main() {
    feedback_widget::start_standalone();
}
