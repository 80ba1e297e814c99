//! The hostile-input corpus: bad CSV files and bad experiments, each refused with a message that names the line,
//! the column, the field or the value, and property tests that no input makes a parser or the codec panic.
//! (The page keeping its previous state on each refusal is checked in tests/data.test.mjs.)

use lethe_engine::prepare_data;
use lethe_protocol::{Command, CsvSpec, DataSource, Event, Experiment};
use proptest::prelude::*;

/// A CSV experiment on `text`, prepared as the page and the CLI do.
fn prepare_csv(text: &str) -> Result<lethe_engine::data::Prepared, String> {
    let mut e = Experiment::demo();
    e.data.source = DataSource::Csv;
    e.data.csv = Some(CsvSpec {
        file: "hostile.csv".into(),
        label_column: String::new(),
        split_column: String::new(),
    });
    let valid = e.validate().map_err(|e| e.to_string())?;
    prepare_data(&valid, Some(text)).map_err(|e| e.to_string())
}

/// `n` good rows `a,b,label` with two classes, after `header`.
fn good(header: &str, n: usize) -> String {
    let mut text = String::from(header);
    for i in 0..n {
        text.push_str(&format!("{}.5,{},{}\n", i, i * 2 % 7, i % 2));
    }
    text
}

/// The good file with line `line` (1-based, counting the header) replaced.
fn with_line(line: usize, replacement: &str) -> String {
    let text = good("a,b,label\n", 20);
    let mut lines: Vec<&str> = text.lines().collect();
    lines[line - 1] = replacement;
    lines.join("\n")
}

#[test]
fn hostile_csv_files_are_refused_by_name() {
    let many_classes: String = (0..60).map(|i| format!("{i},{},{i}\n", i * 3)).collect();
    let cases: Vec<(&str, String, &[&str])> = vec![
        (
            "NaN cell",
            with_line(5, "NaN,1,0"),
            &["line 5", "\"a\"", "NaN"],
        ),
        (
            "inf cell",
            with_line(6, "1,inf,1"),
            &["line 6", "\"b\"", "inf"],
        ),
        (
            "-infinity cell",
            with_line(6, "1,-infinity,1"),
            &["line 6", "\"b\""],
        ),
        (
            "1e39 overflows f32",
            with_line(7, "1e39,1,0"),
            &["line 7", "\"a\"", "1e39", "32-bit"],
        ),
        (
            "±3.3e38: finite but unplottable",
            with_line(3, "3.3e38,1,1").replacen("\n4.5,", "\n-3.3e38,", 1),
            &["column \"a\"", "3.3e38", "rescale"],
        ),
        (
            "text feature",
            with_line(4, "abc,1,1"),
            &["line 4", "\"a\"", "\"abc\""],
        ),
        (
            "empty cell",
            with_line(8, ",1,1"),
            &["line 8", "\"a\"", "empty"],
        ),
        (
            "ragged row",
            with_line(9, "1,2,3,4"),
            &["line 9", "4 fields", "expected 3"],
        ),
        ("empty file", String::new(), &["empty"]),
        ("only blank lines", "\n\n \n".into(), &["empty"]),
        (
            "only a header",
            "a,b,label\n".into(),
            &["too few rows", "0 data rows"],
        ),
        (
            "too few rows",
            good("a,b,label\n", 5),
            &["too few rows", "5 data rows"],
        ),
        ("one column", "x\n1\n2\n3\n".into(), &["line 1", "1 column"]),
        (
            "binary file",
            String::from_utf8_lossy(&[0x89, b'P', b'N', b'G', 0, 0xff, 0xfe, 10, 1, 2, 3])
                .into_owned(),
            &["line"],
        ),
        (
            "one class",
            good("a,b,label\n", 20).replace(",1\n", ",0\n"),
            &["\"label\"", "one"],
        ),
        ("more than 50 classes", many_classes, &["label", "50"]),
        (
            "continuous label column",
            (0..30)
                .map(|i| format!("{i},{}\n", i as f64 * 0.37))
                .collect(),
            &["column 2"],
        ),
        (
            "a hostile header with markup",
            with_line(1, "<img src=x onerror=alert(1)>,b,label").replace("3.5", "<b>x</b>"),
            &["line 5", "\"<img src=x onerror=alert(1)>\"", "\"<b>x</b>\""],
        ),
        (
            "a quoted field with a delimiter inside",
            with_line(10, "\"1,5\",2,1"),
            &["line 10", "\"1,5\""],
        ),
        (
            "too many cells",
            "1,2,3\n".repeat(lethe_protocol::experiment::limits::MAX_CSV_CELLS / 3 + 10),
            &["cells", "2000000"],
        ),
    ];
    assert!(cases.len() >= 20);
    for (what, text, expected) in &cases {
        let message = match prepare_csv(text) {
            Ok(_) => panic!("{what}: accepted"),
            Err(m) => m,
        };
        for part in *expected {
            assert!(
                message.contains(part),
                "{what}: {part:?} not in {message:?}"
            );
        }
    }
}

/// Inputs that look hostile but are valid data, read as a person would expect.
#[test]
fn awkward_but_valid_csv_files_are_read_as_meant() {
    let bom = format!("\u{feff}{}", good("a,b,label\n", 20));
    let d = prepare_csv(&bom).unwrap();
    assert_eq!(
        d.raw.feature_names,
        ["a", "b"],
        "the BOM is not part of the first name"
    );
    let piped = good("a|b|label\n", 20).replace(',', "|");
    assert_eq!(prepare_csv(&piped).unwrap().raw.feature_names, ["a", "b"]);
    let quoted = good("\"a\",\"b\",\"label\"\n", 20);
    assert_eq!(prepare_csv(&quoted).unwrap().raw.feature_names, ["a", "b"]);
    // 1 and 1.0 are one class (numbers equal as numbers), listed once.
    let mixed = good("a,b,label\n", 20).replacen(",1\n", ",1.0\n", 3);
    assert_eq!(prepare_csv(&mixed).unwrap().raw.class_names.len(), 2);
    // CRLF line ends.
    let crlf = good("a,b,label\n", 20).replace('\n', "\r\n");
    assert_eq!(prepare_csv(&crlf).unwrap().raw.len(), 20);
}

#[test]
fn hostile_experiments_are_refused_by_field() {
    let demo = serde_json::to_value(Experiment::demo()).unwrap();
    let with = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut v = demo.clone();
        edit(&mut v);
        v.to_string()
    };
    let huge_rows = format!(
        r#"{{"version":1,"unlearn":{{"forget":{{"kind":"rows","rows":[{}]}}}}}}"#,
        vec!["1"; 600_000].join(",")
    );
    let cases: Vec<(&str, String, &[&str])> = vec![
        ("not JSON", "{nope".into(), &["experiment file"]),
        ("JSON but an array", "[1,2]".into(), &["version"]),
        (
            "another version",
            with(&|v| v["version"] = 99.into()),
            &["version 99"],
        ),
        (
            "version as text",
            with(&|v| v["version"] = "1".into()),
            &["version \"1\""],
        ),
        (
            "unknown key",
            with(&|v| v["model"]["depth"] = 3.into()),
            &["depth"],
        ),
        (
            "epochs 0",
            with(&|v| v["train"]["epochs"] = 0.into()),
            &["train.epochs", "0"],
        ),
        (
            "epochs huge",
            with(&|v| v["train"]["epochs"] = 10_000_000.into()),
            &["train.epochs", "10000000"],
        ),
        (
            "epochs negative",
            with(&|v| v["train"]["epochs"] = (-1).into()),
            &["invalid value", "-1"],
        ),
        (
            "epochs as text",
            with(&|v| v["train"]["epochs"] = "ten".into()),
            &["invalid type", "ten"],
        ),
        (
            "learning rate 0",
            with(&|v| v["train"]["learning_rate"] = 0.0.into()),
            &["train.learning_rate"],
        ),
        (
            "learning rate 1e308",
            with(&|v| v["train"]["learning_rate"] = 1e308.into()),
            &["train.learning_rate"],
        ),
        (
            "batch size 0",
            with(&|v| v["train"]["batch_size"] = 0.into()),
            &["train.batch_size", "0"],
        ),
        (
            "l2 negative",
            with(&|v| v["train"]["l2"] = (-0.5).into()),
            &["train.l2", "-0.5"],
        ),
        (
            "n_samples 3",
            with(&|v| v["data"]["n_samples"] = 3.into()),
            &["data.n_samples", "3"],
        ),
        (
            "n_samples 1e9",
            with(&|v| v["data"]["n_samples"] = 1_000_000_000.into()),
            &["data.n_samples"],
        ),
        (
            "noise 5",
            with(&|v| v["data"]["noise"] = 5.0.into()),
            &["data.noise", "5"],
        ),
        (
            "test fraction 1",
            with(&|v| v["data"]["test_fraction"] = 1.0.into()),
            &["data.test_fraction", "1"],
        ),
        (
            "plot feature 9",
            with(&|v| v["data"]["plot_features"] = serde_json::json!([0, 9])),
            &["data.plot_features", "9"],
        ),
        (
            "layers 0",
            with(&|v| v["model"]["layers"] = 0.into()),
            &["model.layers", "0"],
        ),
        (
            "width 1e6",
            with(&|v| v["model"]["width"] = 1_000_000.into()),
            &["model.width", "1000000"],
        ),
        (
            "cnn on moons",
            with(&|v| v["model"]["kind"] = "cnn".into()),
            &["model.kind", "cnn"],
        ),
        (
            "unknown source",
            with(&|v| v["data"]["source"] = "mnist".into()),
            &["mnist"],
        ),
        (
            "csv without a file",
            with(&|v| v["data"]["source"] = "csv".into()),
            &["data.csv"],
        ),
        (
            "seed as float",
            with(&|v| v["seed"] = 1.5.into()),
            &["invalid type", "1.5"],
        ),
        (
            "unknown method",
            with(
                &|v| v["unlearn"] = serde_json::json!({"forget": {"kind": "random", "fraction": 0.1}, "methods": ["magic"]}),
            ),
            &["unlearn.methods[0]", "magic"],
        ),
        ("huge array", huge_rows, &["too large", "1000000"]),
    ];
    assert!(cases.len() >= 25);
    for (what, text, expected) in &cases {
        let message = match Experiment::from_json(text).and_then(Experiment::validate) {
            Ok(_) => panic!("{what}: accepted"),
            Err(e) => e.to_string(),
        };
        for part in *expected {
            assert!(
                message.contains(part),
                "{what}: {part:?} not in {message:?}"
            );
        }
    }
}

/// A model too large to keep, and a step too large for the heartbeat, are refused with the numbers.
#[test]
fn oversized_models_and_steps_are_refused_with_the_numbers() {
    let mut e = Experiment::demo();
    e.data.source = DataSource::Digits;
    e.data.plot_features = [0, 1];
    e.model.layers = 8;
    e.model.width = 1024;
    e.model.kind = lethe_protocol::ModelKind::Mlp;
    e.train.batch_size = 8;
    // 64·1024 + 7·1024² + 1024·10 weights plus biases: 7 420 938 parameters, under the 10 M cap; 8 × 7.4 M
    // multiply-adds per step is under the 200 M cap too.
    let cost = e.model.cost(64, 10);
    assert_eq!(
        cost.parameters,
        64 * 1024 + 7 * 1024 * 1024 + 1024 * 10 + 8 * 1024 + 10
    );
    assert!(prepare_data(&e.clone().validate().unwrap(), None).is_ok());
    e.train.batch_size = 64;
    let message = prepare_data(&e.clone().validate().unwrap(), None)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("train.batch_size 64") && message.contains("at most 26"),
        "{message}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Any text: the CSV parser answers, it never panics.
    #[test]
    fn the_csv_parser_never_panics(text in "(?s).{0,400}", label in "[a-z0-9 ]{0,4}") {
        let _ = lethe_engine::data::parse_csv(&text, "p.csv", &label);
    }

    /// Numeric-looking CSV with random shapes and values: never panics, and whatever is accepted is finite.
    #[test]
    fn numeric_csv_never_panics(
        rows in proptest::collection::vec(proptest::collection::vec(
            prop_oneof![any::<f32>().prop_map(|v| v.to_string()), Just(String::new()), "[a-z]{1,3}"], 1..5), 0..30)
    ) {
        let text: String = rows.iter().map(|r| r.join(",") + "\n").collect();
        if let Ok(prepared) = prepare_csv(&text) {
            prop_assert!(prepared.train.x.iter().all(|v| v.is_finite()));
        }
    }

    /// Any text: the experiment parser answers, it never panics.
    #[test]
    fn the_experiment_parser_never_panics(text in "(?s).{0,300}") {
        let _ = Experiment::from_json(&text).and_then(Experiment::validate);
    }

    /// Any JSON-ish text: the message codec answers, it never panics.
    #[test]
    fn the_message_codec_never_panics(text in "\\{\"type\":\"[a-z_]{0,12}\"(,\"[a-z_]{1,10}\":[-0-9a-z.\\[\\]\"]{0,12}){0,5}\\}") {
        let _ = serde_json::from_str::<Command>(&text);
        let _ = serde_json::from_str::<Event>(&text);
    }

    /// Any float in an event: what is sent is readable back, finite or turned into a failure.
    #[test]
    fn events_with_any_float_stay_readable(v in any::<f64>()) {
        let event = Event::Progress {
            run_id: 1,
            epochs_total: 2,
            record: lethe_protocol::EpochRecord {
                epoch: 1,
                train_loss: v,
                test_loss: 0.0,
                train_acc: 1.0,
                test_acc: 1.0,
                elapsed_seconds: 0.0,
                steps: 0,
            },
        };
        let back: Event = serde_json::from_str(&event.to_json()).unwrap();
        prop_assert_eq!(v.is_finite(), matches!(back, Event::Progress { .. }));
    }
}
