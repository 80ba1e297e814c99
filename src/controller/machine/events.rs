//! The machine's reactions to the worker's events: the handshake, readiness (and the job waiting for it), and the
//! routing of a run's events to the job with that run id. An event of a run the page no longer follows (cancelled,
//! replaced, failed) changes nothing.

use lethe_protocol::{BackendChoice, Command, Event, Fault};

use super::{Action, Machine, Phase, slot};
use crate::status::{CancelAnswer, Change, EngineStatus};

impl Machine {
    pub(super) fn on_event(
        &mut self,
        now: f64,
        chosen: BackendChoice,
        event: Event,
        out: &mut Vec<Action>,
    ) {
        match event {
            Event::Loaded { .. } => {
                let backend = self.backend(chosen);
                // Most faults go to the first worker only; a start-up crash to every worker.
                let s = &mut self.settings;
                let fault = match s.fault {
                    Some(Fault::StartCrash) => s.fault,
                    _ if s.fault_every => s.fault,
                    _ => s.fault.take(),
                };
                // Either engine gets the setting as it is: under Auto the CPU engine looks for an adapter, and the
                // WebGPU engine starts WebGPU on the hardware adapter, falling back to the CPU by itself.
                out.push(Action::Send(Box::new(Command::Hello {
                    protocol: s.protocol,
                    backend,
                    fault: fault.map(|f| f.to_string()),
                    step_ms: s.step_ms,
                })));
            }
            Event::Ready {
                backend,
                reason,
                adapter,
                ..
            } => {
                self.start_failures = 0;
                let auto = self.backend(chosen) == BackendChoice::Auto;
                if self.gpu_worker {
                    // The WebGPU engine names its adapter when it is a hardware one: Auto can use it after the
                    // user switches from WebGPU to Auto.
                    if adapter.is_some() {
                        self.adapter = adapter;
                    }
                } else if auto {
                    // The CPU engine under Auto looks for an adapter (none found clears an old one).
                    self.adapter = self.settings.fake_adapter.clone().or(adapter);
                }
                // The WebGPU engine started for a job under Auto: say why Auto took it.
                let reason = match &self.auto_reason {
                    Some(why) if auto && self.gpu_worker && backend == "webgpu" => {
                        crate::words::auto_reason(why)
                    }
                    _ => reason,
                };
                self.engine = EngineStatus::Ready { backend, reason };
                out.push(Action::Engine(self.engine.clone()));
                out.push(Action::RefreshData);
                if let Some(kind) = self.rerun.take()
                    && let Some(request) = self.jobs[slot(kind)].request.clone()
                {
                    self.launch(now, chosen, request, true, out);
                }
            }
            Event::StartFailed { message } => {
                if self.backend(chosen) != BackendChoice::Cpu {
                    out.push(Action::Notify(format!(
                        "{message}. Lethe switched to the CPU."
                    )));
                    self.force_cpu = true;
                    self.start(now, chosen, out);
                } else {
                    self.engine = EngineStatus::Failed(message);
                    out.push(Action::Engine(self.engine.clone()));
                }
            }
            Event::Progress {
                run_id,
                epochs_total,
                record,
            } => {
                if let Some(kind) = self.running(run_id) {
                    self.jobs[slot(kind)].epochs += 1;
                    // A record within CURVES_MS of the last redraw waits for the wake-up.
                    if self.held.record(run_id, epochs_total, record, now) {
                        self.flush(now, false, out);
                    } else {
                        self.wake(now, out);
                    }
                }
            }
            Event::Boundary { run_id, grid, .. } if self.running(run_id).is_some() => {
                if self.held.boundary(run_id, grid, now) {
                    self.flush(now, false, out);
                } else {
                    self.wake(now, out);
                }
            }
            Event::Working {
                run_id,
                stage,
                steps,
                part,
            } => {
                if let Some(kind) = self.running(run_id) {
                    self.jobs[slot(kind)].stage = Some(stage.clone());
                    out.push(Action::Job(kind, Change::Working { stage, steps, part }));
                }
            }
            Event::Done { run_id, report } => {
                if let Some(kind) = self.running(run_id) {
                    self.jobs[slot(kind)].phase = Phase::Done;
                    out.push(Action::Job(kind, Change::Done(report)));
                } else if report.kept_after_cancel()
                    && let Some(kind) = self.cancelling(run_id)
                {
                    // The engine answered the cancel with what it finished (a sweep's done points): the cancel is
                    // confirmed and the results kept.
                    self.cancel_deadline = None;
                    self.jobs[slot(kind)].phase = Phase::Done;
                    out.push(Action::Job(
                        kind,
                        Change::CancelAnswer(CancelAnswer::Confirmed(now - self.cancel_clicked)),
                    ));
                    out.push(Action::Job(kind, Change::Done(report)));
                }
            }
            Event::Cancelled { run_id, .. } if self.cancel_deadline.is_some() => {
                if let Some(kind) = self.cancelling(run_id) {
                    self.cancel_deadline = None;
                    self.jobs[slot(kind)].phase = Phase::Cancelled { answered: true };
                    out.push(Action::Job(
                        kind,
                        Change::CancelAnswer(CancelAnswer::Confirmed(now - self.cancel_clicked)),
                    ));
                }
            }
            Event::Failed {
                run_id,
                message,
                gpu,
            } => {
                if let Some(kind) = self.running(run_id) {
                    let epoch = self.jobs[slot(kind)].epochs;
                    if gpu && self.recover(kind, format!("GPU lost at epoch {epoch}"), out) {
                        out.push(Action::Notify(format!(
                            "The run failed on WebGPU ({message}). Lethe restarted the engine on the CPU and ran it again."
                        )));
                        self.start(now, chosen, out);
                    } else {
                        self.fail(kind, message, out);
                    }
                }
            }
            // Data views are the shell's (`Controller::on_data`); anything else is news of a run the page no
            // longer follows.
            _ => {}
        }
    }
}
