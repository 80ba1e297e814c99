//! The machine's recovery rules: Cancel and its grace period, the watchdog (a hang after the timeout of silence),
//! the one rerun of a job whose worker crashed or lost its GPU, and the limit on start-up crashes in a row.

use lethe_protocol::{BackendChoice, Command, TaskKind};

use super::settings::MAX_START_FAILURES;
use super::{Action, Job, Machine, Phase, noun, slot};
use crate::status::{CancelAnswer, Change, EngineStatus};

impl Machine {
    /// Cancels the running job: the page stops listening at once; the worker stops at its next time slice and
    /// confirms, or is replaced after the grace period.
    pub(super) fn cancel(&mut self, now: f64, out: &mut Vec<Action>) {
        let Some(kind) = self.active() else {
            return;
        };
        let job = &mut self.jobs[slot(kind)];
        job.phase = Phase::Cancelled { answered: false };
        out.push(Action::Job(kind, Change::Cancelled(job.epochs)));
        // A job waiting for its engine to load is not started once it is.
        self.rerun = None;
        out.push(Action::Send(Box::new(Command::Cancel { run_id: job.id })));
        self.cancel_clicked = now;
        self.cancel_deadline = Some(now + self.settings.cancel_ms);
    }

    /// The watchdog and the redraw timer.
    pub(super) fn tick(&mut self, now: f64, chosen: BackendChoice, out: &mut Vec<Action>) {
        if self.wake_at.is_some_and(|t| now >= t) {
            self.wake_at = None;
        }
        self.flush(now, false, out);
        if self.cancel_deadline.is_some_and(|d| now > d) {
            self.cancel_deadline = None;
            // The job cancelled last is the one whose worker did not answer: stop it hard.
            for kind in TaskKind::ALL {
                let job = &mut self.jobs[slot(kind)];
                if job.phase == (Phase::Cancelled { answered: false }) {
                    job.phase = Phase::Cancelled { answered: true };
                    out.push(Action::Job(
                        kind,
                        Change::CancelAnswer(CancelAnswer::Restarted),
                    ));
                }
            }
            self.start(now, chosen, out);
        } else if self.active().is_some() && now - self.last_news > self.settings.hang_ms {
            let seconds = self.settings.hang_ms / 1000.0;
            self.flush(now, true, out);
            self.crashed(now, chosen, format!("no answer for {seconds} s"), out);
        }
    }

    /// Marks the job's progress as a failed attempt and arranges a rerun on a fresh CPU worker (the caller starts
    /// it). False when this job was already recovered once.
    pub(super) fn recover(&mut self, kind: TaskKind, note: String, out: &mut Vec<Action>) -> bool {
        if self.recoveries >= 1 {
            return false;
        }
        self.recoveries += 1;
        self.force_cpu = true;
        self.rerun = Some(kind);
        self.jobs[slot(kind)].epochs = 0;
        out.push(Action::Job(kind, Change::Retried(note)));
        true
    }

    /// The worker died (or hung).
    pub(super) fn crashed(
        &mut self,
        now: f64,
        chosen: BackendChoice,
        message: String,
        out: &mut Vec<Action>,
    ) {
        let running = self.active();
        // Where it happened, in words: an epoch of training, or a step of the lab.
        let at = match running.map(|k| (k, &self.jobs[slot(k)])) {
            Some((
                TaskKind::Unlearn,
                Job {
                    stage: Some(stage), ..
                },
            )) => format!("while unlearning ({stage})"),
            Some((_, job)) => format!("at epoch {}", job.epochs),
            None => "at epoch 0".into(),
        };
        if let Some(kind) = running
            && self.recover(kind, format!("engine crashed {at}"), out)
        {
            out.push(Action::Notify(format!(
                "The engine crashed {at} ({message}). Lethe started a new one on the CPU and ran the {} again; your settings and data are kept.",
                noun(kind)
            )));
            self.start(now, chosen, out);
            return;
        }
        if let Some(kind) = running {
            self.fail(kind, format!("the engine stopped {at}: {message}"), out);
        }
        if !matches!(self.engine, EngineStatus::Ready { .. }) {
            self.start_failures += 1;
            // The first crash before ready: the next worker uses the CPU.
            self.force_cpu = true;
        }
        if self.start_failures >= MAX_START_FAILURES {
            let why = format!(
                "the engine could not start: it crashed {} times in a row, the last on the CPU ({message}). Reload the page to try again; your settings and data are kept.",
                self.start_failures
            );
            self.engine = EngineStatus::Failed(why.clone());
            out.push(Action::Engine(self.engine.clone()));
            out.push(Action::Notify(why));
            return;
        }
        out.push(Action::Notify(format!(
            "The engine stopped unexpectedly ({message}). A new one was started; your settings and data are kept."
        )));
        self.start(now, chosen, out);
    }
}
