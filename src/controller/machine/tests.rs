//! The controller's rules, one test each, with the clock and the worker played by the test: no browser.

use lethe_protocol::{BackendChoice, Command, Event, Experiment, Fault, Report, TaskKind};

use super::{Action, Input, Machine, Request, Settings};
use crate::redraw::tests::record;
use crate::status::{CancelAnswer, Change, EngineStatus};

const MOONS: &str = include_str!("../../../examples/moons-mlp.json");
const LAB: &str = include_str!("../../../examples/moons-unlearn-random.json");
const CNN: &str = include_str!("../../../examples/digits-cnn.json");

/// The machine, its clock and the backend setting, with the worker's side played by hand.
struct Page {
    machine: Machine,
    now: f64,
    backend: BackendChoice,
}

fn experiment(json: &str) -> Experiment {
    serde_json::from_str(json).expect("an example experiment")
}

fn report(kind: TaskKind) -> Box<Report> {
    let json = match kind {
        TaskKind::Train => include_str!("../../../crates/cli/tests/golden/moons-mlp.json"),
        _ => include_str!("../../../crates/cli/tests/golden/moons-unlearn-random.json"),
    };
    Box::new(serde_json::from_str(json).expect("a golden report"))
}

impl Page {
    fn new(settings: Settings) -> Self {
        Self {
            machine: Machine::new(settings),
            now: 0.0,
            backend: BackendChoice::Auto,
        }
    }

    fn input(&mut self, input: Input) -> Vec<Action> {
        self.machine.handle(self.now, self.backend, input)
    }

    fn event(&mut self, event: Event) -> Vec<Action> {
        self.input(Input::Event(Box::new(event)))
    }

    fn ready(&mut self, backend: &str) -> Vec<Action> {
        self.event(Event::Loaded { protocol: 4 });
        self.event(Event::Ready {
            protocol: 4,
            lethe_version: "test".into(),
            backend: backend.into(),
            reason: "chosen".into(),
            adapter: None,
        })
    }

    /// A page whose CPU worker is ready.
    fn started(settings: Settings) -> Self {
        let mut page = Self::new(settings);
        page.input(Input::Start);
        page.ready("cpu");
        page
    }

    fn run(&mut self, kind: TaskKind, json: &str, base: Option<u64>) -> Vec<Action> {
        self.input(Input::Run(Box::new(Request {
            kind,
            experiment: experiment(json),
            shape: (768, 2, 2),
            base,
        })))
    }

    fn wait(&mut self, ms: f64) -> Vec<Action> {
        self.now += ms;
        self.input(Input::Tick)
    }
}

/// The run id of the first run command among `actions`.
fn sent_run(actions: &[Action]) -> Option<u64> {
    actions.iter().find_map(|a| match a {
        Action::Send(c) => match **c {
            Command::Run { run_id, .. } => Some(run_id),
            _ => None,
        },
        _ => None,
    })
}

fn starts(actions: &[Action]) -> usize {
    actions
        .iter()
        .filter(|a| matches!(a, Action::StartWorker { .. }))
        .count()
}

fn changes(actions: &[Action]) -> Vec<(TaskKind, Change)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Job(kind, change) => Some((*kind, change.clone())),
            _ => None,
        })
        .collect()
}

fn notices(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Notify(text) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

fn failed(actions: &[Action]) -> Option<String> {
    changes(actions).into_iter().find_map(|(_, c)| match c {
        Change::Failed(m) => Some(m),
        _ => None,
    })
}

fn hang(ms: f64) -> Settings {
    Settings {
        hang_ms: ms,
        ..Settings::default()
    }
}

#[test]
fn a_worker_silent_for_the_hang_timeout_is_replaced_and_the_job_redone() {
    let mut page = Page::started(hang(3000.0));
    let id = sent_run(&page.run(TaskKind::Train, MOONS, None)).unwrap();
    page.event(Event::Progress {
        run_id: id,
        epochs_total: 40,
        record: record(1),
    });
    assert_eq!(
        starts(&page.wait(2999.0)),
        0,
        "silent for less than the timeout"
    );
    let hung = page.wait(2.0);
    assert_eq!(starts(&hung), 1, "the hung worker is replaced");
    assert!(notices(&hung)[0].contains("crashed at epoch 1 (no answer for 3 s)"));
    assert!(changes(&hung).contains(&(
        TaskKind::Train,
        Change::Retried("engine crashed at epoch 1".into())
    )));
    // The new worker gets the job again, keeping the failed attempt on the curves.
    let again = page.ready("cpu");
    let rerun = sent_run(&again).expect("the job runs again on the new worker");
    assert_ne!(rerun, id);
    assert!(changes(&again).iter().any(|(_, c)| matches!(
        c,
        Change::Started {
            keep_attempts: true,
            ..
        }
    )));
    // A heartbeat keeps a long epoch alive.
    for _ in 0..5 {
        page.now += 2000.0;
        page.event(Event::Working {
            run_id: rerun,
            stage: "training".into(),
            steps: 1,
            part: None,
        });
        assert_eq!(starts(&page.input(Input::Tick)), 0);
    }
}

#[test]
fn a_job_is_rerun_once_and_a_second_failure_is_reported() {
    let mut page = Page::started(Settings::default());
    let id = sent_run(&page.run(TaskKind::Train, MOONS, None)).unwrap();
    let crash = page.input(Input::Crashed("boom".into()));
    assert_eq!(starts(&crash), 1);
    assert_eq!(failed(&crash), None, "the first crash is recovered");
    let rerun = sent_run(&page.ready("cpu")).unwrap();
    assert_ne!(rerun, id);
    let second = page.input(Input::Crashed("boom again".into()));
    assert_eq!(
        failed(&second).as_deref(),
        Some("the engine stopped at epoch 0: boom again"),
        "a second failure after a recovery is reported, not retried"
    );
    assert!(notices(&second)[0].contains("A new one was started"));
    // The new worker does not run the failed job again.
    assert_eq!(sent_run(&page.ready("cpu")), None);
    // The same rule for a lost GPU.
    let id = sent_run(&page.run(TaskKind::Train, MOONS, None)).unwrap();
    let lost = |run_id| Event::Failed {
        run_id,
        message: "device lost".into(),
        gpu: true,
    };
    let first = page.event(lost(id));
    assert_eq!((starts(&first), failed(&first)), (1, None));
    let rerun = sent_run(&page.ready("cpu")).unwrap();
    assert_eq!(
        failed(&page.event(lost(rerun))).as_deref(),
        Some("device lost")
    );
}

#[test]
fn three_start_crashes_in_a_row_stop_the_restarts() {
    let mut page = Page::new(Settings {
        fault: Some(Fault::StartCrash),
        ..Settings::default()
    });
    page.input(Input::Start);
    let mut restarts = 0;
    for _ in 0..3 {
        let hello = page.event(Event::Loaded { protocol: 4 });
        assert!(
            hello.iter().any(|a| matches!(a, Action::Send(c) if matches!(&**c, Command::Hello { fault: Some(f), .. } if f == "start-crash"))),
            "a start-up crash goes to every worker"
        );
        let crash = page.input(Input::Crashed("start".into()));
        restarts += starts(&crash);
        if restarts < 2 {
            assert_eq!(starts(&crash), 1);
        }
    }
    assert_eq!(
        restarts, 2,
        "the third crash in a row starts no fourth worker"
    );
    assert!(matches!(
        page.machine.engine,
        EngineStatus::Failed(ref why) if why.contains("crashed 3 times in a row")
    ));
    // A stray error from the dead worker starts nothing either.
    assert_eq!(starts(&page.input(Input::Crashed("start".into()))), 0);
}

#[test]
fn a_late_event_of_a_cancelled_run_is_ignored() {
    let mut page = Page::started(Settings::default());
    let id = sent_run(&page.run(TaskKind::Train, MOONS, None)).unwrap();
    let cancel = page.input(Input::Cancel);
    assert!(cancel.contains(&Action::Send(Box::new(Command::Cancel { run_id: id }))));
    assert!(changes(&cancel).contains(&(TaskKind::Train, Change::Cancelled(0))));
    // What the worker sent before it read the cancel changes nothing.
    for late in [
        Event::Progress {
            run_id: id,
            epochs_total: 40,
            record: record(1),
        },
        Event::Working {
            run_id: id,
            stage: "training".into(),
            steps: 3,
            part: None,
        },
        Event::Done {
            run_id: id,
            report: report(TaskKind::Train),
        },
    ] {
        assert_eq!(changes(&page.event(late)), vec![]);
    }
    page.now += 40.0;
    assert_eq!(
        changes(&page.event(Event::Cancelled {
            run_id: id,
            epoch: 1
        })),
        vec![(
            TaskKind::Train,
            Change::CancelAnswer(CancelAnswer::Confirmed(40.0))
        )]
    );
    // A second confirmation (or one after the grace period) is news of nothing.
    assert_eq!(
        changes(&page.event(Event::Cancelled {
            run_id: id,
            epoch: 1
        })),
        vec![]
    );
}

/// A sweep cancelled half-way: the worker answers the cancel with the lab's report and the finished points
/// (`sweep.cancelled`); the page confirms the cancel and keeps them. A full report after a cancel is still ignored.
#[test]
fn a_cancelled_sweep_answers_with_its_finished_points_and_they_are_kept() {
    let mut page = Page::started(Settings::default());
    let id = sent_run(&page.run(TaskKind::Unlearn, MOONS, None)).unwrap();
    page.input(Input::Cancel);
    let whole = report(TaskKind::Unlearn);
    assert!(!whole.kept_after_cancel());
    assert_eq!(
        changes(&page.event(Event::Done {
            run_id: id,
            report: whole.clone()
        })),
        vec![]
    );
    let mut kept = whole.clone();
    let json = include_str!("../../../crates/cli/tests/golden/moons-unlearn-sweep.json");
    let swept: Report = serde_json::from_str(json).expect("a golden report");
    let mut sweep = swept.outcome.unlearn().unwrap().sweep.clone().unwrap();
    sweep.cancelled = true;
    sweep.points.truncate(1);
    if let lethe_protocol::TaskReport::Unlearn(u) = &mut kept.outcome {
        u.sweep = Some(sweep);
    }
    assert!(kept.kept_after_cancel());
    page.now += 30.0;
    let answer = changes(&page.event(Event::Done {
        run_id: id,
        report: kept.clone(),
    }));
    assert_eq!(
        answer,
        vec![
            (
                TaskKind::Unlearn,
                Change::CancelAnswer(CancelAnswer::Confirmed(30.0))
            ),
            (TaskKind::Unlearn, Change::Done(kept)),
        ]
    );
    // Answered: no restart at the cancel's deadline.
    assert_eq!(starts(&page.wait(5000.0)), 0);
}

#[test]
fn a_worker_that_does_not_confirm_a_cancel_is_replaced() {
    let mut page = Page::started(Settings::default());
    page.run(TaskKind::Federated, MOONS, None);
    page.input(Input::Cancel);
    assert_eq!(starts(&page.wait(999.0)), 0, "within the grace period");
    let late = page.wait(2.0);
    assert_eq!(starts(&late), 1);
    assert!(changes(&late).contains(&(
        TaskKind::Federated,
        Change::CancelAnswer(CancelAnswer::Restarted)
    )));
}

#[test]
fn switching_engines_drops_the_kept_model_and_the_lab_says_so() {
    let mut page = Page::started(Settings::default());
    let id = sent_run(&page.run(TaskKind::Train, MOONS, None)).unwrap();
    page.event(Event::Done {
        run_id: id,
        report: report(TaskKind::Train),
    });
    assert!(page.machine.holds_model(id));
    // The lab on the same worker starts from the trained model, silently.
    let lab = page.run(TaskKind::Unlearn, LAB, Some(id));
    assert_eq!(notices(&lab), Vec::<String>::new());
    assert!(
        lab.iter().any(
            |a| matches!(a, Action::Send(c) if matches!(**c, Command::Run { base_run_id: Some(b), .. } if b == id))
        )
    );
    let lab_id = sent_run(&lab).unwrap();
    page.event(Event::Done {
        run_id: lab_id,
        report: report(TaskKind::Unlearn),
    });
    // Another engine: a fresh worker, without the model.
    page.backend = BackendChoice::Cpu;
    assert_eq!(starts(&page.input(Input::BackendChanged)), 1);
    page.ready("cpu");
    assert!(!page.machine.holds_model(id));
    let again = page.run(TaskKind::Unlearn, LAB, Some(id));
    assert!(
        notices(&again)[0].contains("no longer holds the trained model"),
        "{:?}",
        notices(&again)
    );
}

#[test]
fn auto_loads_the_engine_a_job_wants_and_starts_the_job_when_it_is_ready() {
    let mut page = Page::new(Settings {
        fake_adapter: Some("Test GPU".into()),
        ..Settings::default()
    });
    page.input(Input::Start);
    page.ready("cpu");
    // The digits CNN is large enough for a GPU (lethe_protocol::auto_backend's measured thresholds).
    let wants_gpu = page.input(Input::Run(Box::new(Request {
        kind: TaskKind::Train,
        experiment: experiment(CNN),
        shape: (1347, 64, 10),
        base: None,
    })));
    assert!(wants_gpu.contains(&Action::StartWorker { gpu: true }));
    assert_eq!(
        sent_run(&wants_gpu),
        None,
        "nothing runs until the WebGPU engine is ready"
    );
    assert!(changes(&wants_gpu).iter().any(|(_, c)| matches!(c,
        Change::Started { id: 0, waiting: Some(w), .. } if w == "loading the WebGPU engine")));
    let ready = page.ready("webgpu");
    assert!(sent_run(&ready).is_some());
    assert!(ready.iter().any(|a| matches!(a,
        Action::Engine(EngineStatus::Ready { reason, .. }) if reason.contains("Test GPU"))));
    // A cancel while waiting for the engine leaves nothing to start.
    let mut page = Page::new(Settings {
        fake_adapter: Some("Test GPU".into()),
        ..Settings::default()
    });
    page.input(Input::Start);
    page.ready("cpu");
    page.input(Input::Run(Box::new(Request {
        kind: TaskKind::Train,
        experiment: experiment(CNN),
        shape: (1347, 64, 10),
        base: None,
    })));
    page.input(Input::Cancel);
    assert_eq!(sent_run(&page.ready("webgpu")), None);
}

#[test]
fn chart_updates_are_held_between_redraws_and_flushed_before_the_end() {
    let mut page = Page::started(Settings::default());
    let id = sent_run(&page.run(TaskKind::Train, MOONS, None)).unwrap();
    let progress = |page: &mut Page, epoch| {
        page.event(Event::Progress {
            run_id: id,
            epochs_total: 40,
            record: record(epoch),
        })
    };
    assert_eq!(
        changes(&progress(&mut page, 1)).len(),
        1,
        "the first shows at once"
    );
    page.now += 100.0;
    let held = progress(&mut page, 2);
    assert_eq!(changes(&held), vec![]);
    assert!(held.contains(&Action::WakeAt(100.0 + crate::redraw::CURVES_MS)));
    page.now += 10.0;
    assert!(
        !progress(&mut page, 3)
            .iter()
            .any(|a| matches!(a, Action::WakeAt(_))),
        "one wake-up at a time"
    );
    let tick = page.wait(200.0);
    assert!(
        matches!(&changes(&tick)[..], [(TaskKind::Train, Change::Progress { records, .. })] if records.len() == 2)
    );
    // A record held when the job ends is applied before the report.
    page.now += 10.0;
    progress(&mut page, 4);
    let done = page.event(Event::Done {
        run_id: id,
        report: report(TaskKind::Train),
    });
    let kinds: Vec<_> = changes(&done)
        .into_iter()
        .map(|(_, c)| matches!(c, Change::Done(_)))
        .collect();
    assert_eq!(kinds, vec![false, true], "the held epoch, then the report");
}

#[test]
fn one_job_at_a_time_and_events_reach_the_job_with_their_run_id() {
    let mut page = Page::started(Settings::default());
    let id = sent_run(&page.run(TaskKind::Vbu, MOONS, None)).unwrap();
    assert_eq!(
        page.run(TaskKind::Train, MOONS, None),
        vec![],
        "a second job waits for the first"
    );
    let heartbeat = page.event(Event::Working {
        run_id: id,
        stage: "retraining".into(),
        steps: 2,
        part: Some((1, 4)),
    });
    assert!(matches!(
        &changes(&heartbeat)[..],
        [(TaskKind::Vbu, Change::Working { .. })]
    ));
    assert_eq!(
        changes(&page.event(Event::Working {
            run_id: id + 7,
            stage: "x".into(),
            steps: 0,
            part: None
        })),
        vec![],
        "an unknown run id reaches no job"
    );
    let unsent = page.input(Input::Unsent(id));
    assert_eq!(
        failed(&unsent).as_deref(),
        Some("the engine is not running")
    );
}
