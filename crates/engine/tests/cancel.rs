//! A cancel reaches every task: a host that answers `Stop` after a few optimiser steps ends each example's run as
//! `Outcome::Cancelled` (the worker then confirms the cancel to the page), never as a failure, at the first
//! checkpoint after the cancel (VBU's variational fits pause at every iteration, not only between stages).

use lethe_engine::host::{Flow, Host};
use lethe_engine::{Outcome, Runtime, block_on, prepare_data, run_experiment};
use lethe_protocol::{EpochRecord, Experiment};
use web_time::Instant;

/// Continues for `steps` pauses, then stops.
struct CancelAfter {
    steps: usize,
    pauses: usize,
    /// Stages the run announced (the lab's steps, federated rounds, VBU's fits).
    stages: usize,
}

impl Host for CancelAfter {
    async fn pause(&mut self) -> Flow {
        self.pauses += 1;
        if self.pauses > self.steps {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }
    fn epoch(&mut self, _record: &EpochRecord, _epochs_total: usize) -> lethe_engine::Result<()> {
        Ok(())
    }
    fn stage(&mut self, _label: &str, _done: usize, _total: usize) {
        self.stages += 1;
    }
}

fn cancelled_after(json: &str, steps: usize) -> Result<bool, String> {
    let experiment: Experiment = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let valid = experiment.validate().map_err(|e| e.to_string())?;
    let data = prepare_data(&valid, None).map_err(|e| e.to_string())?;
    let mut host = CancelAfter {
        steps,
        pauses: 0,
        stages: 0,
    };
    let outcome = block_on(run_experiment(
        &valid,
        &data,
        None,
        &Runtime::cpu(),
        &mut host,
        "cli",
        Instant::now(),
    ))
    .map_err(|e| e.to_string())?;
    // The run stops at the first checkpoint that sees the cancel: no step runs after it.
    assert_eq!(
        host.pauses,
        steps + 1,
        "the run paused {} times for a cancel after {steps} steps",
        host.pauses
    );
    // Within the stage it was in: a stage is never run to its end after a cancel.
    assert!(
        host.stages <= 1,
        "the run went on to {} stages after the cancel",
        host.stages
    );
    Ok(matches!(outcome, Outcome::Cancelled { .. }))
}

#[test]
fn every_task_ends_cancelled_when_the_host_stops_it() {
    for (name, json) in [
        ("train", include_str!("../../../examples/moons-mlp.json")),
        (
            "unlearn",
            include_str!("../../../examples/moons-unlearn-random.json"),
        ),
        (
            "federated",
            include_str!("../../../examples/moons-federated-dirichlet.json"),
        ),
        ("vbu", include_str!("../../../examples/moons-vbu.json")),
    ] {
        assert_eq!(
            cancelled_after(json, 5),
            Ok(true),
            "{name}: a cancel must end the run as cancelled"
        );
    }
}
