//! The controller's reactions to time and to the worker's signals: Cancel, the watchdog, recovery after a crash
//! or a hang, and the throttled redraws.

use super::*;

impl Controller {
    /// Cancels the running job: the page stops listening at once; the worker stops at its next time slice and
    /// confirms.
    pub fn cancel(&self) {
        let Some(kind) = JobKind::active(&self.app) else {
            return;
        };
        let state = kind.state(&self.app);
        let run_id = state.with_untracked(|r| r.id);
        state.update(|r| r.status = RunStatus::Cancelled(r.history.len()));
        // A job waiting for its engine to load is not started once it is.
        self.inner.borrow_mut().rerun = None;
        self.engine.send(&Command::Cancel { run_id });
        let now = now_ms();
        let mut inner = self.inner.borrow_mut();
        inner.cancel_clicked = now;
        inner.cancel_deadline = Some(now + inner.cancel_ms);
    }

    /// Called every second: replaces a worker that ignores a cancel or has hung.
    pub fn watchdog(&self) {
        let now = now_ms();
        let (deadline, last) = {
            let inner = self.inner.borrow();
            (inner.cancel_deadline, inner.last_news_ms)
        };
        if deadline.is_some_and(|d| now > d) {
            self.inner.borrow_mut().cancel_deadline = None;
            // The job cancelled last is the one whose worker did not answer.
            for kind in JobKind::ALL {
                kind.state(&self.app).update(|r| {
                    if matches!(r.status, RunStatus::Cancelled(_)) && r.cancel_answer.is_none() {
                        r.cancel_answer = Some(CancelAnswer::Restarted);
                    }
                });
            }
            self.start(); // the worker is still busy with the cancelled job: stop it hard
        } else if JobKind::active(&self.app).is_some() && now - last > self.inner.borrow().hang_ms {
            let seconds = self.inner.borrow().hang_ms / 1000.0;
            self.on_signal(Signal::Crashed(format!("no answer for {seconds} s")));
        }
    }

    pub(super) fn on_signal(&self, signal: Signal) {
        self.inner.borrow_mut().last_news_ms = now_ms();
        // Whatever ends or replaces a run applies the chart updates held for it first.
        if !matches!(
            signal,
            Signal::Event(Event::Progress { .. } | Event::Boundary { .. } | Event::Working { .. })
        ) {
            self.redraw(true);
        }
        match signal {
            Signal::Event(event) => self.on_event(event),
            Signal::Crashed(message) => {
                let running = JobKind::active(&self.app);
                let (epoch, stage) = running.map_or((0, None), |k| {
                    k.state(&self.app)
                        .with_untracked(|r| (r.history.len(), r.working.clone()))
                });
                // Where it happened, in words: an epoch of training, or a step of the lab.
                let at = match (running, stage) {
                    (Some(JobKind::Forget), Some(stage)) => format!("while unlearning ({stage})"),
                    _ => format!("at epoch {epoch}"),
                };
                if let Some(kind) = running
                    && self.recover(kind, format!("engine crashed {at}"))
                {
                    self.app.notify(format!(
                        "The engine crashed {at} ({message}). Lethe started a new one on the CPU and ran the {} again; your settings and data are kept.",
                        match kind {
                            JobKind::Train => "experiment",
                            JobKind::Forget => "lab",
                            JobKind::Federated => "federation",
                            JobKind::Vbu => "VBU comparison",
                        }
                    ));
                } else {
                    if let Some(kind) = running {
                        kind.state(&self.app).update(|r| {
                            r.status =
                                RunStatus::Failed(format!("the engine stopped {at}: {message}"))
                        });
                    }
                    let ready =
                        matches!(self.app.engine.get_untracked(), EngineStatus::Ready { .. });
                    let failures = {
                        let mut inner = self.inner.borrow_mut();
                        if !ready {
                            inner.start_failures += 1;
                            // The first crash before ready: the next worker uses the CPU.
                            inner.force_cpu = true;
                        }
                        inner.start_failures
                    };
                    if failures >= MAX_START_FAILURES {
                        let why = format!(
                            "the engine could not start: it crashed {failures} times in a row, the last on the CPU ({message}). Reload the page to try again; your settings and data are kept."
                        );
                        self.app.engine.set(EngineStatus::Failed(why.clone()));
                        self.app.notify(why);
                        return;
                    }
                    self.app.notify(format!(
                        "The engine stopped unexpectedly ({message}). A new one was started; your settings and data are kept."
                    ));
                }
                self.start();
            }
        }
    }

    /// Marks the job's progress as a failed attempt and arranges a rerun on a fresh CPU worker (the caller starts
    /// it). Returns false when this job was already recovered once.
    pub(super) fn recover(&self, kind: JobKind, note: String) -> bool {
        let mut inner = self.inner.borrow_mut();
        if inner.recoveries >= 1 {
            return false;
        }
        inner.recoveries += 1;
        inner.force_cpu = true;
        inner.rerun = Some(kind);
        drop(inner);
        kind.state(&self.app).update(|r| {
            let history = std::mem::take(&mut r.history);
            r.attempts.push(Attempt { note, history });
        });
        true
    }

    /// Redraws now when `due`, otherwise makes sure a timer will.
    pub(super) fn redraw_when(&self, due: bool) {
        if due {
            self.redraw(false);
        } else {
            self.schedule_redraw();
        }
    }

    pub(super) fn schedule_redraw(&self) {
        if std::mem::replace(&mut self.inner.borrow_mut().held.scheduled, true) {
            return;
        }
        let me = self.clone();
        let tick = Closure::once_into_js(move || {
            me.inner.borrow_mut().held.scheduled = false;
            me.redraw(false);
        });
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                tick.unchecked_ref(),
                crate::redraw::CURVES_MS as i32,
            );
        }
    }

    /// Applies the held chart updates that are due (all of them when `all`) to their job's state.
    pub(super) fn redraw(&self, all: bool) {
        let (due, pending) = {
            let mut inner = self.inner.borrow_mut();
            let due = inner.held.take(now_ms(), all);
            (due, inner.held.pending())
        };
        if let Some(kind) = JobKind::running(&self.app, due.run_id)
            && (!due.records.is_empty() || due.boundary.is_some())
        {
            kind.state(&self.app).update(|r| {
                for (epochs_total, record) in due.records {
                    r.epochs_total = epochs_total;
                    r.history.push(record);
                }
                if let Some(grid) = due.boundary {
                    r.boundary = Some(grid);
                }
            });
        }
        if pending {
            self.schedule_redraw();
        }
    }
}
