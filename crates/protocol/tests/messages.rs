//! The message codec between the page and the worker: every number that crosses is finite or travels as an
//! explicit error naming the field, and extreme but finite values survive a round trip exactly.

use lethe_protocol::{BoundaryGrid, Command, EpochRecord, Event, Experiment, check_finite};

fn record(test_loss: f64) -> EpochRecord {
    EpochRecord {
        epoch: 7,
        train_loss: 0.5,
        test_loss,
        train_acc: 0.9,
        test_acc: 0.8,
        elapsed_seconds: 1.5,
        steps: 12,
    }
}

/* Source: serde_json writes a non-finite f64 as `null` and refuses to read it back into an f64; this is the
failure the codec must prevent. */
#[test]
fn serde_json_alone_loses_a_nan() {
    let json = serde_json::to_string(&record(f64::NAN)).unwrap();
    assert!(json.contains("\"test_loss\":null"), "{json}");
    assert!(serde_json::from_str::<EpochRecord>(&json).is_err());
}

#[test]
fn check_finite_names_the_path_of_the_first_bad_number() {
    assert_eq!(check_finite(&record(0.1)), Ok(()));
    assert_eq!(
        check_finite(&record(f64::INFINITY)),
        Err("test_loss is inf".into())
    );
    let event = Event::Boundary {
        run_id: 3,
        epoch: 2,
        grid: BoundaryGrid {
            x_range: (0.0, 1.0),
            y_range: (0.0, f32::NEG_INFINITY),
            resolution: 1,
            class: vec![0],
            confidence: vec![0.5],
        },
    };
    assert_eq!(check_finite(&event), Err("grid.y_range[1] is -inf".into()));
    let vectors = vec![vec![1.0f32, 2.0], vec![3.0, f32::NAN]];
    assert_eq!(check_finite(&vectors), Err("[1][1] is NaN".into()));
}

#[test]
fn a_progress_event_with_a_nan_travels_as_a_failure_of_its_run_not_of_the_gpu() {
    let event = Event::Progress {
        run_id: 12,
        epochs_total: 30,
        record: record(f64::NAN),
    };
    let back: Event = serde_json::from_str(&event.to_json()).expect("readable");
    match back {
        Event::Failed {
            run_id,
            message,
            gpu,
        } => {
            assert_eq!(run_id, 12);
            assert!(
                !gpu,
                "a NaN is not a GPU failure: the page keeps the backend"
            );
            assert!(message.contains("record.test_loss is NaN"), "{message}");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn a_dataset_with_an_infinity_travels_as_a_rejection() {
    let view = lethe_protocol::DatasetView {
        points: vec![1.0, f32::INFINITY],
        ..Default::default()
    };
    let event = Event::Dataset {
        request_id: 4,
        view: Box::new(view),
        imported: None,
    };
    match serde_json::from_str::<Event>(&event.to_json()).unwrap() {
        Event::Rejected {
            request_id,
            message,
        } => {
            assert_eq!(request_id, 4);
            assert!(message.contains("view.points[1] is inf"), "{message}");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
}

/* Source: closed form. serde_json prints the shortest representation that reads back to the same f64/f32, so
extreme finite values and the largest integers survive exactly. */
#[test]
fn extreme_finite_values_round_trip_exactly() {
    let mut extreme = record(f64::MAX);
    extreme.train_loss = f64::MIN_POSITIVE;
    extreme.train_acc = 5e-324; // the smallest subnormal
    extreme.elapsed_seconds = -0.0;
    extreme.epoch = usize::MAX;
    let events = [
        Event::Progress {
            run_id: u64::MAX,
            epochs_total: usize::MAX,
            record: extreme,
        },
        Event::Boundary {
            run_id: 1,
            epoch: 1,
            grid: BoundaryGrid {
                x_range: (f32::MIN, f32::MAX),
                y_range: (-f32::MIN_POSITIVE, 1e-45),
                resolution: 1,
                class: vec![u32::MAX],
                confidence: vec![f32::EPSILON],
            },
        },
        Event::Failed {
            run_id: 0,
            message: "\u{0}\"\\\n<script>é😀".into(),
            gpu: true,
        },
    ];
    for event in events {
        let back: Event = serde_json::from_str(&event.to_json()).unwrap();
        assert_eq!(back, event);
    }
    let mut experiment = Experiment::demo();
    experiment.seed = u64::MAX;
    experiment.train.learning_rate = f64::MIN_POSITIVE;
    let commands = [
        Command::Run {
            run_id: u64::MAX,
            experiment,
            base_run_id: Some(3),
            csv_text: Some("a,b\n1e38,\u{feff}x\n".into()),
        },
        Command::Cancel { run_id: 0 },
    ];
    for command in commands {
        let back: Command = serde_json::from_str(&command.to_json()).unwrap();
        assert_eq!(back, command);
    }
}

/* The messages of your own model: the weights ride on prepare (base64), the worker answers the architecture with
the data, and a row's model comes back as a file; each reads back as written, and a prepare without weights writes
no key (an older page's message is unchanged). */
#[test]
fn the_model_messages_read_back_as_written() {
    let prepare = Command::Prepare {
        request_id: 1,
        experiment: lethe_protocol::Experiment::demo(),
        csv_text: None,
        weights: Some("AAEC".into()),
    };
    assert_eq!(
        serde_json::from_str::<Command>(&prepare.to_json()).unwrap(),
        prepare
    );
    let plain = Command::Prepare {
        request_id: 1,
        experiment: lethe_protocol::Experiment::demo(),
        csv_text: None,
        weights: None,
    };
    assert!(!plain.to_json().contains("weights"));
    let save = Command::SaveModel {
        request_id: 2,
        run_id: 7,
        row: "scrub".into(),
    };
    assert!(save.to_json().contains(r#""type":"save_model""#));
    assert_eq!(
        serde_json::from_str::<Command>(&save.to_json()).unwrap(),
        save
    );
    let file = Event::ModelFile {
        request_id: 2,
        row: "scrub".into(),
        base64: "AAEC".into(),
    };
    assert!(file.to_json().contains(r#""type":"model_file""#));
    assert_eq!(
        serde_json::from_str::<Event>(&file.to_json()).unwrap(),
        file
    );
}
