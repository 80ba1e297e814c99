//! The run bar's words for a job, per task kind: the status line and the progress fraction. Plain functions of the
//! job's state, so that the wording of every case (a restart, a job waiting for its engine) is written once and
//! tested natively.

use lethe_protocol::TaskKind;

use crate::status::{CancelAnswer, EngineStatus, RunState, RunStatus};

/// What the status line needs besides the job.
pub struct Context<'a> {
    pub engine: &'a EngineStatus,
    /// Optimiser steps per epoch, when the data is prepared (0 otherwise).
    pub steps_per_epoch: u64,
    /// The Train job's results come from other settings than the current ones.
    pub stale: bool,
    /// Why no job can start, besides a busy or loading engine (a CSV to choose).
    pub blocked: Option<&'static str>,
}

/// Seconds as "1.2 s" or "3 min 5 s".
pub fn human_seconds(s: f64) -> String {
    if s < 60.0 {
        format!("{s:.1} s")
    } else {
        format!("{} min {} s", (s / 60.0) as u64, (s % 60.0) as u64)
    }
}

/// The job's progress in [0, 1]: training moves by epochs and, within an epoch, by the heartbeat's steps (one epoch
/// can take minutes); the other tasks by their stages.
pub fn fraction(kind: TaskKind, r: &RunState, steps_per_epoch: u64) -> f64 {
    if r.status == RunStatus::Done {
        return 1.0;
    }
    if kind != TaskKind::Train {
        return match r.part {
            Some((done, total)) if total > 0 => done as f64 / total as f64,
            _ => 0.0,
        };
    }
    if r.epochs_total == 0 {
        return 0.0;
    }
    let by_epochs = r.history.len() as f64 / r.epochs_total as f64;
    let training = r
        .working
        .as_deref()
        .is_none_or(|w| w.starts_with("training"));
    let total_steps = steps_per_epoch * r.epochs_total as u64;
    if training && total_steps > 0 {
        by_epochs.max((r.steps as f64 / total_steps as f64).min(1.0))
    } else {
        by_epochs
    }
}

/// The status line.
pub fn status(kind: TaskKind, r: &RunState, cx: &Context) -> String {
    match &r.status {
        RunStatus::Idle => match (kind, cx.blocked, cx.engine) {
            (TaskKind::Train, Some(why), _) => why.into(),
            (TaskKind::Train, None, EngineStatus::Loading) => "engine loading…".into(),
            (TaskKind::Train, None, _) => "ready".into(),
            _ => String::new(),
        },
        _ if kind == TaskKind::Train && !r.running() && cx.blocked.is_some() => {
            cx.blocked.unwrap_or_default().into()
        }
        // Waiting for the engine Auto chose to load.
        RunStatus::Running if r.id == 0 && r.working.is_some() => {
            format!("{}…", r.working.as_deref().unwrap_or_default())
        }
        RunStatus::Running => running(kind, r, cx),
        RunStatus::Done => done(kind, r, cx),
        RunStatus::Cancelled(epoch) => {
            let at = match kind {
                TaskKind::Train => format!(" at epoch {epoch}"),
                _ => String::new(),
            };
            let answer = match r.cancel_answer {
                None => "stopping the engine…".to_string(),
                Some(CancelAnswer::Confirmed(ms)) => format!("the engine stopped in {ms:.0} ms"),
                Some(CancelAnswer::Restarted) => {
                    "the engine did not stop within a second and was restarted".into()
                }
            };
            let kept = match (kind, &r.cancel_answer) {
                (TaskKind::Unlearn, Some(CancelAnswer::Confirmed(_))) => {
                    "; the trained model is kept"
                }
                _ => "",
            };
            format!("cancelled{at} ({answer}){kept}")
        }
        RunStatus::Failed(message) => format!("failed: {message}"),
    }
}

fn running(kind: TaskKind, r: &RunState, cx: &Context) -> String {
    let stage = r.working.as_deref();
    match kind {
        // The Train job's worker names a training stage; the first epoch on a GPU also compiles the kernels.
        TaskKind::Train => match (stage, r.history.last()) {
            (Some(w), _) if !w.starts_with("training") => format!("{w}…"),
            (_, None) => match cx.engine {
                EngineStatus::Ready { backend, .. } if backend == "webgpu" => format!(
                    "training: epoch 1 of {} (compiling the GPU kernels first)…",
                    r.epochs_total
                ),
                _ if r.steps > 0 && cx.steps_per_epoch > 0 => format!(
                    "training: epoch 1 of {} · step {} of {}…",
                    r.epochs_total,
                    r.steps.min(cx.steps_per_epoch),
                    cx.steps_per_epoch
                ),
                _ => format!("training: epoch 1 of {}…", r.epochs_total),
            },
            (_, Some(rec)) => {
                let per_epoch = rec.elapsed_seconds / rec.epoch.max(1) as f64;
                let left = per_epoch * r.epochs_total.saturating_sub(rec.epoch) as f64;
                format!(
                    "training: epoch {} of {} · loss {:.4} · about {} left",
                    rec.epoch,
                    r.epochs_total,
                    rec.train_loss,
                    human_seconds(left)
                )
            }
        },
        // The lab's worker says "training" (or that the model is trained first) while epochs come in.
        TaskKind::Unlearn => match stage {
            None => "starting…".into(),
            Some(s)
                if (s == "training" || s.starts_with("training the model first"))
                    && !r.history.is_empty() =>
            {
                format!(
                    "training the model first: epoch {} of {}…",
                    r.history.len(),
                    r.epochs_total
                )
            }
            Some(s) => format!("unlearning: {s}…"),
        },
        TaskKind::Federated | TaskKind::Vbu => {
            stage.map_or("starting…".into(), |s| format!("{s}…"))
        }
    }
}

/// The task in the words of a notice: "The {training} results …".
pub fn task_name(kind: TaskKind) -> &'static str {
    match kind {
        TaskKind::Train => "training",
        TaskKind::Unlearn => "Forget",
        TaskKind::Federated => "federated",
        TaskKind::Vbu => "VBU",
    }
}

fn done(kind: TaskKind, r: &RunState, cx: &Context) -> String {
    let Some(rep) = r.report.as_ref() else {
        return "done".into();
    };
    let rows = rep.outcome.rows();
    match kind {
        TaskKind::Train => {
            let Some(run) = rows.first() else {
                return "done".into();
            };
            let earlier = if cx.stale {
                " (with earlier settings: press Train to update)"
            } else {
                ""
            };
            format!(
                "done: test accuracy {:.1}% in {}{earlier}",
                run.test_acc * 100.0,
                human_seconds(run.seconds)
            )
        }
        TaskKind::Unlearn => {
            let n = rows.len().saturating_sub(2);
            let methods = format!("{n} method{}", if n == 1 { "" } else { "s" });
            match rep.outcome.unlearn().and_then(|u| u.sweep.as_ref()) {
                Some(s) if s.cancelled => format!(
                    "cancelled during the sweep: kept {} of its {} points and the {methods} against retraining",
                    s.points.len(),
                    s.planned
                ),
                Some(s) => format!(
                    "done: {methods} and a sweep of {} points against retraining in {:.1} s",
                    s.points.len(),
                    rep.wall_seconds
                ),
                None => format!(
                    "done: {methods} against retraining in {:.1} s",
                    rep.wall_seconds
                ),
            }
        }
        TaskKind::Federated => format!(
            "done: client {} forgotten {} ways in {:.1} s",
            rep.outcome
                .federated()
                .map_or(0, |f| f.federation.target_client),
            rows.len().saturating_sub(1),
            rep.wall_seconds
        ),
        TaskKind::Vbu => format!("done: {} rows in {:.1} s", rows.len(), rep.wall_seconds),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx(engine: &EngineStatus) -> Context<'_> {
        Context {
            engine,
            steps_per_epoch: 10,
            stale: false,
            blocked: None,
        }
    }

    #[test]
    fn every_kind_words_a_cancel_and_its_answer_the_same_way() {
        let engine = EngineStatus::Loading;
        for kind in TaskKind::ALL {
            let mut r = RunState {
                status: RunStatus::Cancelled(3),
                ..RunState::default()
            };
            assert!(status(kind, &r, &cx(&engine)).contains("(stopping the engine…)"));
            r.cancel_answer = Some(CancelAnswer::Restarted);
            assert!(
                status(kind, &r, &cx(&engine)).contains("was restarted"),
                "{kind:?} says the engine was restarted (the VBU bar once lost this case)"
            );
            r.cancel_answer = Some(CancelAnswer::Confirmed(12.0));
            assert!(status(kind, &r, &cx(&engine)).contains("stopped in 12 ms"));
        }
        let r = RunState {
            status: RunStatus::Cancelled(3),
            cancel_answer: Some(CancelAnswer::Confirmed(12.0)),
            ..RunState::default()
        };
        assert_eq!(
            status(TaskKind::Train, &r, &cx(&engine)),
            "cancelled at epoch 3 (the engine stopped in 12 ms)"
        );
        assert_eq!(
            status(TaskKind::Unlearn, &r, &cx(&engine)),
            "cancelled (the engine stopped in 12 ms); the trained model is kept"
        );
    }

    #[test]
    fn a_job_waiting_for_its_engine_says_so_whatever_its_kind() {
        let engine = EngineStatus::Loading;
        let r = RunState {
            status: RunStatus::Running,
            working: Some("loading the WebGPU engine".into()),
            ..RunState::default()
        };
        for kind in TaskKind::ALL {
            assert_eq!(status(kind, &r, &cx(&engine)), "loading the WebGPU engine…");
        }
    }

    #[test]
    fn training_progress_moves_within_an_epoch_by_steps() {
        let r = RunState {
            status: RunStatus::Running,
            id: 1,
            epochs_total: 4,
            steps: 5,
            working: Some("training".into()),
            ..RunState::default()
        };
        // 5 of 4 × 10 steps.
        assert_eq!(fraction(TaskKind::Train, &r, 10), 0.125);
        let lab = RunState {
            part: Some((1, 4)),
            ..r.clone()
        };
        assert_eq!(fraction(TaskKind::Unlearn, &lab, 10), 0.25);
        let done = RunState {
            status: RunStatus::Done,
            ..RunState::default()
        };
        for kind in TaskKind::ALL {
            assert_eq!(fraction(kind, &done, 0), 1.0);
        }
    }
}
