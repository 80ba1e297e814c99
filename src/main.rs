//! Lethe's page: a Leptos single-page app. It holds the settings, the data view and the results; the engine runs
//! in a Web Worker (`crates/worker`) and is reached only through `lethe_protocol` messages. This crate never
//! depends on burn, which keeps the page small and usable while the engine loads.

mod app;
mod charts;
mod components;
mod controller;
mod engine;
mod files;
mod page_options;
mod state;
mod storage;
mod url_state;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
