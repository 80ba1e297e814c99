//! The lab's run bar and its steps (the retrains, then each method: done, running or waiting).

use leptos::prelude::*;
use lethe_protocol::{Method, TaskKind};

use crate::components::run_bar::RunBar;
use crate::state::use_app;
use crate::status::RunStatus;

/// The lab's run controls.
#[component]
pub fn LabRunBar() -> impl IntoView {
    let app = use_app();
    // The planned steps, in the lab's order: the retrains, then each method.
    let steps = move || {
        let config = super::config(&app);
        let mut steps: Vec<String> = (1..=config.retrain_seeds)
            .map(|i| format!("retrain (seed {i})"))
            .collect();
        steps.extend(
            config
                .methods
                .iter()
                .filter(|s| s.method != Method::Retrain)
                .map(|s| s.method.key().to_string()),
        );
        steps
    };
    // The lab's settings go into the experiment (and so into the link) when the user runs them.
    let before = move || {
        if app
            .experiment
            .with_untracked(|e| e.task.unlearn().is_none())
        {
            super::edit(&app, |_| {});
        }
    };
    view! {
        <RunBar kind=TaskKind::Unlearn before=before />
        <ol class="lab-steps" id="lab-steps" aria-label="Steps of the lab">
            {move || {
                let (done, current) = app.jobs.get(TaskKind::Unlearn).with(|r| {
                    let done = match (&r.status, r.part) {
                        (RunStatus::Done, _) => usize::MAX,
                        (_, Some((d, _))) => d,
                        _ => 0,
                    };
                    (done, r.status == RunStatus::Running)
                });
                steps()
                    .into_iter()
                    .enumerate()
                    .map(|(i, name)| {
                        let mark = if i < done {
                            "done"
                        } else if i == done && current {
                            "running"
                        } else {
                            "waiting"
                        };
                        view! { <li class=mark>{format!("{name}: {mark}")}</li> }
                    })
                    .collect_view()
            }}
        </ol>
    }
}
