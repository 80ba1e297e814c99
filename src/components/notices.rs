//! Messages for the user: the current input error (its field and value), and what the page did by itself.

use leptos::prelude::*;

use crate::state::use_app;

/// The input error and the notices, each dismissable.
#[component]
pub fn Notices() -> impl IntoView {
    let app = use_app();
    view! {
        <div class="notices" aria-live="polite">
            {move || {
                app.input_error
                    .get()
                    .map(|e| {
                        view! {
                            <p class="error" id="input-error" role="alert">
                                {e}
                                <button class="dismiss" aria-label="Dismiss" on:click=move |_| app.input_error.set(None)>
                                    "×"
                                </button>
                            </p>
                        }
                    })
            }}
            {move || {
                app.notices
                    .get()
                    .into_iter()
                    .enumerate()
                    .map(|(i, n)| {
                        view! {
                            <p class="notice">
                                {n}
                                <button
                                    class="dismiss"
                                    aria-label="Dismiss"
                                    on:click=move |_| app.notices.update(|v| { v.remove(i); })
                                >
                                    "×"
                                </button>
                            </p>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}
