//! The controller's routing of the worker's events to the job they belong to.

use super::*;

impl Controller {
    pub(super) fn on_event(&self, event: Event) {
        let app = self.app;
        match event {
            Event::Loaded { .. } => {
                // Either engine gets the setting as it is: under Auto the CPU engine looks for an adapter, and the
                // WebGPU engine starts WebGPU on the hardware adapter, falling back to the CPU by itself.
                let backend = self.backend_choice();
                // Most faults go to the first worker only; a start-up crash to every worker.
                let (fault, protocol, step_ms) = {
                    let mut inner = self.inner.borrow_mut();
                    let fault = match inner.fault {
                        Some(Fault::StartCrash) => inner.fault,
                        _ if inner.fault_every => inner.fault,
                        _ => inner.fault.take(),
                    };
                    (fault, inner.protocol, inner.step_ms)
                };
                self.engine.send(&Command::Hello {
                    protocol,
                    backend,
                    fault: fault.map(|f| f.to_string()),
                    step_ms,
                });
            }
            Event::Ready {
                backend,
                reason,
                adapter,
                ..
            } => {
                let reason = {
                    let mut inner = self.inner.borrow_mut();
                    inner.start_failures = 0;
                    let auto = self.app.experiment.get_untracked().backend == BackendChoice::Auto
                        && !inner.force_cpu;
                    if inner.gpu_worker {
                        // The WebGPU engine names its adapter when it is a hardware one: Auto can use it after
                        // the user switches from WebGPU to Auto.
                        if adapter.is_some() {
                            inner.adapter = adapter;
                        }
                    } else if auto {
                        // The CPU engine under Auto looks for an adapter (none found clears an old one).
                        inner.adapter = inner.fake_adapter.clone().or(adapter);
                    }
                    // The WebGPU engine started for a job under Auto: say why Auto took it.
                    match &inner.auto_reason {
                        Some(why) if auto && inner.gpu_worker && backend == "webgpu" => why.clone(),
                        _ => reason,
                    }
                };
                app.engine.set(EngineStatus::Ready { backend, reason });
                self.refresh_data();
                let rerun = self.inner.borrow().rerun;
                if let Some(kind) = rerun {
                    let attempts = kind.state(&app).get_untracked().attempts;
                    self.launch(kind, attempts);
                }
            }
            Event::StartFailed { message } => {
                if self.backend_choice() != BackendChoice::Cpu {
                    app.notify(format!("{message}. Lethe switched to the CPU."));
                    self.inner.borrow_mut().force_cpu = true;
                    self.start();
                } else {
                    app.engine.set(EngineStatus::Failed(message));
                }
            }
            Event::Dataset { request_id, view } => {
                let pending = self
                    .inner
                    .borrow_mut()
                    .pending
                    .take_if(|(id, _)| *id == request_id);
                if let Some((_, commit)) = pending {
                    let chosen = commit.is_some();
                    let (experiment, csv) = match commit {
                        Some((experiment, csv)) => (experiment, csv),
                        None => (app.experiment.get_untracked(), app.csv.get_untracked()),
                    };
                    self.inner.borrow_mut().prepared = Some(data_key(&experiment, csv.as_ref()));
                    // Results kept from an earlier visit must have been computed on this very data: a file
                    // replaced under the same name gives another checksum.
                    let mismatch = app.run.with_untracked(|r| {
                        r.report.as_ref().is_some_and(|report| {
                            report.experiment == experiment
                                && report.dataset.checksum != view.checksum
                        })
                    });
                    if app.experiment.get_untracked() != experiment
                        || app.csv.get_untracked() != csv
                    {
                        app.csv.set(csv);
                        app.experiment.set(experiment);
                        if chosen {
                            app.remember_settings();
                        }
                    }
                    app.input_error.set(None);
                    if mismatch {
                        app.run.set(RunState::default());
                        app.notify(format!(
                            "The kept results were computed on other data than \"{}\" now holds (its checksum differs), so they were set aside. Press Train to compute them again.",
                            view.name
                        ));
                    }
                    app.dataset.set(Some(*view));
                }
            }
            Event::Rejected {
                request_id,
                message,
            } if self
                .inner
                .borrow_mut()
                .pending
                .take_if(|(id, _)| *id == request_id)
                .is_some() =>
            {
                app.input_error.set(Some(message));
            }
            Event::Progress {
                run_id,
                epochs_total,
                record,
            } => {
                let due =
                    self.inner
                        .borrow_mut()
                        .held
                        .record(run_id, epochs_total, record, now_ms());
                self.redraw_when(due);
            }
            Event::Working {
                run_id,
                stage,
                steps,
                part,
            } => {
                if let Some(kind) = JobKind::running(&app, run_id) {
                    kind.state(&app).update(|r| {
                        r.working = Some(stage);
                        r.steps = steps;
                        r.part = part.or(r.part);
                    })
                }
            }
            Event::Boundary { run_id, grid, .. } => {
                let due = self
                    .inner
                    .borrow_mut()
                    .held
                    .boundary(run_id, grid, now_ms());
                self.redraw_when(due);
            }
            Event::Done { run_id, report } => {
                if let Some(kind) = JobKind::running(&app, run_id) {
                    kind.state(&app).update(|r| {
                        r.status = RunStatus::Done;
                        r.report = Some(*report);
                    })
                }
            }
            Event::Cancelled { run_id, .. } if self.inner.borrow().cancel_deadline.is_some() => {
                if let Some(kind) = JobKind::owning(&app, run_id) {
                    let waited = {
                        let mut inner = self.inner.borrow_mut();
                        inner.cancel_deadline = None;
                        now_ms() - inner.cancel_clicked
                    };
                    kind.state(&app)
                        .update(|r| r.cancel_answer = Some(CancelAnswer::Confirmed(waited)));
                }
            }
            Event::Failed {
                run_id,
                message,
                gpu,
            } => {
                if let Some(kind) = JobKind::running(&app, run_id) {
                    let epoch = kind.state(&app).with_untracked(|r| r.history.len());
                    if gpu && self.recover(kind, format!("GPU lost at epoch {epoch}")) {
                        app.notify(format!(
                            "The run failed on WebGPU ({message}). Lethe restarted the engine on the CPU and ran it again."
                        ));
                        self.start();
                    } else {
                        kind.state(&app)
                            .update(|r| r.status = RunStatus::Failed(message));
                    }
                }
            }
            _ => {} // news of a run the page no longer follows
        }
    }
}
