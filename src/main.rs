//! Lethe's page: a Leptos single-page app. It holds the settings, the data view and the results; the engine runs
//! in a Web Worker (`crates/worker`) and is reached only through `lethe_protocol` messages. This crate never
//! depends on burn, which keeps the page small and usable while the engine loads.

mod app;
mod charts;
mod components;
mod controller;
mod fed;
mod files;
mod jobs;
mod lab;
mod page_options;
mod place;
mod redraw;
mod run_words;
mod state;
mod status;
mod storage;
mod url_state;
mod vbu;
mod words;
mod worker_client;

fn main() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_internal_error(&info.to_string());
    }));
    leptos::mount::mount_to_body(app::App);
}

/// A panic aborts the page's wasm (wasm32 cannot unwind), so the page can no longer react: say so in plain
/// DOM, without Leptos, with what is kept. The settings and the last results are already in this browser.
fn show_internal_error(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(banner) = document.create_element("div") else {
        return;
    };
    banner.set_id("internal-error");
    let _ = banner.set_attribute("role", "alert");
    banner.set_text_content(Some(&format!(
        "Lethe hit an internal error and stopped responding: {}. Your settings and last results are kept in \
         this browser; reload the page to continue.",
        message.replace('\n', " ")
    )));
    if let Some(body) = document.body() {
        let _ = body.prepend_with_node_1(&banner);
    }
}
