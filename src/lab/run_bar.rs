//! Forget and Cancel, the lab's progress (which step of how many) and its status line.

use leptos::prelude::*;
use lethe_protocol::Method;

use crate::controller::use_controller;
use crate::state::{CancelAnswer, RunStatus, use_app};

/// The lab's run controls.
#[component]
pub fn LabRunBar() -> impl IntoView {
    let app = use_app();
    let controller = use_controller();
    let running = move || app.lab.with(|r| r.status == RunStatus::Running);
    let fraction = move || {
        app.lab.with(|r| match (r.status.clone(), r.part) {
            (RunStatus::Done, _) => 1.0,
            (_, Some((done, total))) if total > 0 => done as f64 / total as f64,
            _ => 0.0,
        })
    };
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
    let status = move || {
        app.lab.with(|r| match &r.status {
            RunStatus::Idle => String::new(),
            RunStatus::Running => match &r.working {
                None => "starting…".into(),
                // The worker's training stage ("training", or the note that the model is trained first) while
                // epochs come in.
                Some(stage)
                    if (stage == "training" || stage.starts_with("training the model first"))
                        && !r.history.is_empty() =>
                {
                    format!(
                        "training the model first: epoch {} of {}…",
                        r.history.len(),
                        r.epochs_total
                    )
                }
                Some(stage) => format!("unlearning: {stage}…"),
            },
            RunStatus::Done => r.report.as_ref().map_or("done".into(), |rep| {
                format!(
                    "done: {} methods against retraining in {:.1} s",
                    rep.outcome.rows().len().saturating_sub(2),
                    rep.wall_seconds
                )
            }),
            RunStatus::Cancelled(_) => match r.cancel_answer {
                Some(CancelAnswer::Confirmed(ms)) => {
                    format!(
                        "cancelled (the engine stopped in {ms:.0} ms); the trained model is kept"
                    )
                }
                Some(CancelAnswer::Restarted) => {
                    "cancelled (the engine did not stop within a second and was restarted)".into()
                }
                None => "cancelled (stopping the engine…)".into(),
            },
            RunStatus::Failed(message) => format!("failed: {message}"),
        })
    };
    let forget = move |_| {
        // The lab's settings go into the experiment (and so into the link) when the user runs them.
        if app
            .experiment
            .with_untracked(|e| e.task.unlearn().is_none())
        {
            super::edit(&app, |_| {});
        }
        controller.with_value(|c| c.forget());
    };
    view! {
        <div class="run-bar lab-run-bar">
            <button id="lab-run" class="primary" disabled=move || !app.can_start() || app.train_blocked().is_some() on:click=forget>
                "Forget"
            </button>
            <button id="lab-cancel" disabled=move || !running() on:click=move |_| controller.with_value(|c| c.cancel())>
                "Cancel"
            </button>
            <progress id="lab-progress" max="1" prop:value=fraction aria-label="Unlearning progress"></progress>
            <span id="lab-status" role="status" class=move || app.lab.with(|r| match r.status {
                RunStatus::Failed(_) => "status failed",
                _ => "status",
            })>{status}</span>
        </div>
        <ol class="lab-steps" id="lab-steps" aria-label="Steps of the lab">
            {move || {
                let (done, current) = app.lab.with(|r| {
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
