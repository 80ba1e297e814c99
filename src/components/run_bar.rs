//! Train and Cancel, the progress bar (epoch, loss, time left) and the run's status line.

use leptos::prelude::*;

use crate::controller::use_controller;
use crate::state::{CancelAnswer, EngineStatus, RunStatus, use_app};

/// Seconds as "1.2 s" or "3 min 5 s".
pub fn human_seconds(s: f64) -> String {
    if s < 60.0 {
        format!("{s:.1} s")
    } else {
        format!("{} min {} s", (s / 60.0) as u64, (s % 60.0) as u64)
    }
}

/// The run controls and status.
#[component]
pub fn RunBar() -> impl IntoView {
    let app = use_app();
    let controller = use_controller();
    let running = move || app.run.with(|r| r.status == RunStatus::Running);
    // Optimiser steps per epoch, when the data is prepared: ⌈training points / batch size⌉.
    let steps_per_epoch = move || {
        let n = app.dataset.with(|d| d.as_ref().map_or(0, |v| v.n_train));
        let batch = app.experiment.with(|e| e.train.batch_size).max(1);
        n.div_ceil(batch) as u64
    };
    // Training progress, moved within an epoch by the heartbeat's step count (a single epoch can take minutes).
    let fraction = move || {
        app.run.with(|r| {
            if r.epochs_total == 0 {
                return 0.0;
            }
            let by_epochs = r.history.len() as f64 / r.epochs_total as f64;
            let training = r
                .working
                .as_deref()
                .is_none_or(|w| w.starts_with("training"));
            let total_steps = steps_per_epoch() * r.epochs_total as u64;
            if training && total_steps > 0 {
                by_epochs.max((r.steps as f64 / total_steps as f64).min(1.0))
            } else {
                by_epochs
            }
        })
    };
    let status = move || {
        app.run.with(|r| {
            let last = r.history.last();
            if r.status != RunStatus::Running
                && let Some(why) = app.train_blocked()
            {
                return why.to_string();
            }
            match &r.status {
                RunStatus::Idle => match app.engine.get() {
                    EngineStatus::Loading => "engine loading…".to_string(),
                    _ => "ready".to_string(),
                },
                // The unlearning lab after training: its heartbeat names the step.
                RunStatus::Running
                    if r.working
                        .as_deref()
                        .is_some_and(|w| !w.starts_with("training")) =>
                {
                    format!("unlearning: {}…", r.working.as_deref().unwrap_or_default())
                }
                RunStatus::Running => match last {
                    // On a GPU the first epoch also compiles the kernels: seconds on a real GPU, more on a
                    // software adapter (docs/BENCHMARKS.md).
                    None => match app.engine.get() {
                        EngineStatus::Ready { backend, .. } if backend == "webgpu" => format!(
                            "training: epoch 1 of {} (compiling the GPU kernels first)…",
                            r.epochs_total
                        ),
                        _ if r.steps > 0 && steps_per_epoch() > 0 => format!(
                            "training: epoch 1 of {} · step {} of {}…",
                            r.epochs_total,
                            r.steps.min(steps_per_epoch()),
                            steps_per_epoch()
                        ),
                        _ => format!("training: epoch 1 of {}…", r.epochs_total),
                    },
                    Some(rec) => {
                        let per_epoch = rec.elapsed_seconds / rec.epoch as f64;
                        let left = per_epoch * (r.epochs_total - rec.epoch) as f64;
                        format!(
                            "training: epoch {} of {} · loss {:.4} · about {} left",
                            rec.epoch,
                            r.epochs_total,
                            rec.train_loss,
                            human_seconds(left)
                        )
                    }
                },
                RunStatus::Done => r.report.as_ref().map_or("done".into(), |rep| {
                    let Some(run) = rep.outcome.rows().first().copied() else {
                        return "done".to_string();
                    };
                    let earlier = if app.results_stale.get() {
                        " (with earlier settings: press Train to update)"
                    } else {
                        ""
                    };
                    format!(
                        "done: test accuracy {:.1}% in {}{earlier}",
                        run.test_acc * 100.0,
                        human_seconds(run.seconds)
                    )
                }),
                RunStatus::Cancelled(epoch) => {
                    let answer = match r.cancel_answer {
                        None => " (stopping the engine…)".to_string(),
                        Some(CancelAnswer::Confirmed(ms)) => {
                            format!(" (the engine stopped in {ms:.0} ms)")
                        }
                        Some(CancelAnswer::Restarted) => {
                            " (the engine did not stop within a second and was restarted)".into()
                        }
                    };
                    format!("cancelled at epoch {epoch}{answer}")
                }
                RunStatus::Failed(message) => format!("failed: {message}"),
            }
        })
    };
    view! {
        <div class="run-bar">
            <button
                id="train"
                class="primary"
                disabled=move || !app.can_start() || app.train_blocked().is_some()
                on:click=move |_| controller.with_value(|c| c.train())
            >
                "Train"
            </button>
            <button id="cancel" disabled=move || !running() on:click=move |_| controller.with_value(|c| c.cancel())>
                "Cancel"
            </button>
            <progress
                id="progress"
                max="1"
                prop:value=fraction
                aria-label="Training progress"
            ></progress>
            <span id="status" role="status" class=move || app.run.with(|r| match r.status {
                RunStatus::Failed(_) => "status failed",
                _ => "status",
            })>
                {status}
            </span>
        </div>
    }
}
