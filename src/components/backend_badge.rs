//! The backend badge: "CPU" or "WebGPU", with the reason for the choice; "engine loading…" until ready.

use leptos::prelude::*;

use crate::state::{EngineStatus, use_app};

/// Shows where the engine runs and why.
#[component]
pub fn BackendBadge() -> impl IntoView {
    let app = use_app();
    move || {
        match app.engine.get() {
        EngineStatus::Loading => view! {
            <span class="badge loading" id="backend-badge" title="The engine's WebAssembly is loading in a Web Worker">
                "engine loading…"
            </span>
            <span class="badge-reason" id="backend-reason"></span>
        }
        .into_any(),
        EngineStatus::Ready { backend, reason } => {
            let name = if backend == "webgpu" { "WebGPU" } else { "CPU" };
            view! {
                <span class=format!("badge {backend}") id="backend-badge" title=reason.clone()>
                    {name}
                </span>
                <span class="badge-reason" id="backend-reason">{reason}</span>
            }
            .into_any()
        }
        EngineStatus::Failed(message) => view! {
            <span class="badge failed" id="backend-badge">"engine failed"</span>
            <span class="badge-reason" id="backend-reason">{message}</span>
        }
        .into_any(),
    }
    }
}
