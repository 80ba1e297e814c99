//! The worker's host for the training loop: it yields to the event loop by time slice, so that a Cancel message
//! gets through (Flex computes synchronously; microtasks do not let messages in, docs/architecture.md §6), and it streams
//! progress to the page.

use std::cell::Cell;
use std::rc::Rc;

use lethe_engine::{EngineError, Flow, Host};
use lethe_protocol::{BoundaryGrid, EpochRecord, Event, Fault};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::post::send;

/// Work between two yields, in milliseconds. Each yield cost 15-25 ms on the 2-core benchmark machine (the worker
/// thread waits for a core), so slices are long; a Cancel still gets through within 0.1 s.
const SLICE_MS: f64 = 100.0;
/// Least time between two decision-boundary grids, in milliseconds.
const BOUNDARY_EVERY_MS: f64 = 300.0;
/// Time between two heartbeats (`Event::Working`) while a run computes, in milliseconds.
const HEARTBEAT_MS: f64 = 1000.0;

/// Milliseconds since the worker started.
pub fn now_ms() -> f64 {
    js_sys::global()
        .unchecked_into::<web_sys::WorkerGlobalScope>()
        .performance()
        .map_or(0.0, |p| p.now())
}

/// A macrotask yield without setTimeout's 4 ms clamp: a message to ourselves through a MessageChannel.
async fn yield_to_event_loop() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let channel =
            web_sys::MessageChannel::new().expect("MessageChannel should exist in a worker");
        channel.port2().set_onmessage(Some(&resolve));
        channel
            .port1()
            .post_message(&JsValue::NULL)
            .expect("posting to our own port should work");
    });
    let _ = JsFuture::from(promise).await;
}

/// Host of one run in the worker.
pub struct TimeSliced {
    run_id: u64,
    /// A fault to inject (tests), and whether this run is on WebGPU.
    fault: Option<Fault>,
    on_gpu: bool,
    cancel: Rc<Cell<bool>>,
    last_yield: f64,
    last_boundary: f64,
    last_heartbeat: f64,
    /// What the run is doing, for heartbeats.
    stage: String,
    /// The stage's place among the run's stages, when it has one.
    part: Option<(usize, usize)>,
    /// Optimiser steps so far (calls to `pause`).
    steps: u64,
    /// The least length of one step in milliseconds (the test switch's `step_ms`; 0 for none).
    step_ms: f64,
    /// When the last step ended.
    last_step: f64,
    /// Each row's final model, as the engine hands them over (kept for `save_model`).
    pub models: Vec<(String, lethe_engine::unlearn::Fitted)>,
}

impl TimeSliced {
    /// A host for `run_id`, stopped when `cancel` is set; `fault` strikes at its epoch.
    pub fn new(
        run_id: u64,
        cancel: Rc<Cell<bool>>,
        now: f64,
        fault: Option<Fault>,
        on_gpu: bool,
    ) -> Self {
        Self {
            run_id,
            fault,
            on_gpu,
            cancel,
            last_yield: now,
            last_boundary: f64::NEG_INFINITY,
            last_heartbeat: now,
            stage: "training".into(),
            part: None,
            steps: 0,
            step_ms: 0.0,
            last_step: now,
            models: Vec::new(),
        }
    }

    /// Makes every step last at least `ms` milliseconds (tests: a run as slow as the test needs, on any machine).
    pub fn with_step_ms(mut self, ms: f64) -> Self {
        self.step_ms = ms;
        self
    }
}

impl TimeSliced {
    /// Says what the run does now (the next heartbeats carry it), at once.
    pub fn note(&mut self, stage: &str) {
        self.stage = stage.to_string();
        self.heartbeat();
    }

    /// Tells the page the run is alive, and doing what.
    fn heartbeat(&mut self) {
        self.last_heartbeat = now_ms();
        send(&Event::Working {
            run_id: self.run_id,
            stage: self.stage.clone(),
            steps: self.steps,
            part: self.part,
        });
    }
}

impl Host for TimeSliced {
    async fn pause(&mut self) -> Flow {
        self.steps += 1;
        if self.step_ms > 0.0 {
            // Busy, as a slow step is: the heartbeat and the yield below must come from the loop itself.
            let until = self.last_step + self.step_ms;
            while now_ms() < until {
                std::hint::spin_loop();
            }
            self.last_step = now_ms();
        }
        if now_ms() - self.last_heartbeat >= HEARTBEAT_MS {
            self.heartbeat();
        }
        if now_ms() - self.last_yield >= SLICE_MS {
            yield_to_event_loop().await;
            self.last_yield = now_ms();
        }
        if self.cancel.get() {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }

    fn epoch(&mut self, record: &EpochRecord, epochs_total: usize) -> lethe_engine::Result<()> {
        lethe_protocol::check_finite(record).map_err(|at| {
            EngineError::Data(format!(
                "epoch {}: {at}: training diverged; lower the learning rate",
                record.epoch
            ))
        })?;
        send(&Event::Progress {
            run_id: self.run_id,
            epochs_total,
            record: record.clone(),
        });
        match self.fault {
            Some(Fault::GpuLost(e)) if e == record.epoch && self.on_gpu => {
                Err(EngineError::Backend(format!(
                    "the WebGPU device was lost at epoch {e} (injected fault gpu-lost@{e})"
                )))
            }
            Some(Fault::WorkerCrash(e)) if e == record.epoch => {
                // An uncaught error, as a real crash: the page sees the worker's `error` event.
                panic!("injected fault worker-crash@{e}: the engine crashes at epoch {e}")
            }
            _ => Ok(()),
        }
    }

    fn stage(&mut self, label: &str, done: usize, total: usize) {
        self.part = Some((done, total));
        self.note(&format!("{label} ({} of {total})", done + 1));
    }

    fn model(&mut self, row: &str, model: &dyn std::any::Any) {
        if let Some(model) = model.downcast_ref::<lethe_engine::unlearn::Fitted>() {
            self.models.push((row.to_string(), model.clone()));
        }
    }

    fn wants_boundary(&mut self) -> bool {
        now_ms() - self.last_boundary >= BOUNDARY_EVERY_MS
    }

    fn boundary(&mut self, epoch: usize, grid: BoundaryGrid) {
        self.last_boundary = now_ms();
        send(&Event::Boundary {
            run_id: self.run_id,
            epoch,
            grid,
        });
    }
}
