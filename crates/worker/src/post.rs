//! The worker's one way to answer: an [`Event`] as JSON, posted to the page.

use lethe_protocol::Event;
use wasm_bindgen::prelude::*;
use web_sys::DedicatedWorkerGlobalScope;

/// The worker's global scope.
pub(crate) fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Sends one event to the page.
pub(crate) fn send(event: &Event) {
    if let Err(e) = scope().post_message(&JsValue::from_str(&event.to_json())) {
        web_sys::console::error_1(&e);
    }
}
