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
    // The planned steps, in the lab's order: the retrains (as many parts of the job as seeds), then each method.
    let steps = move || {
        let config = super::config(&app);
        let seeds = config.retrain_seeds.max(1);
        let mut steps: Vec<(String, usize)> = vec![(
            if seeds == 1 {
                "retrain".to_string()
            } else {
                format!("retrain ({seeds} seeds)")
            },
            seeds,
        )];
        steps.extend(
            config
                .methods
                .iter()
                .filter(|s| s.method != Method::Retrain)
                .map(|s| (s.method.key().to_string(), 1)),
        );
        let points = config.sweep_points().len();
        if points > 0 {
            steps.push((format!("sweep ({points} points)"), points));
        }
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
                // Each step covers `parts` parts of the job from `first`; the retrains say how many are done.
                let mut first = 0;
                steps()
                    .into_iter()
                    .map(|(name, parts)| {
                        let (start, end) = (first, first + parts);
                        first = end;
                        let mark = if done >= end {
                            "done".to_string()
                        } else if done >= start && current {
                            if parts > 1 {
                                format!("running, {} of {parts} done", done - start)
                            } else {
                                "running".to_string()
                            }
                        } else {
                            "waiting".to_string()
                        };
                        let class = mark.split(',').next().unwrap_or_default().to_string();
                        view! { <li class=class>{format!("{name}: {mark}")}</li> }
                    })
                    .collect_view()
            }}
        </ol>
    }
}
