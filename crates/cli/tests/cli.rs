//! The CLI end to end: report on stdout, --out, and clear errors.

use std::process::Command;

fn lethe(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lethe"))
        .args(args)
        .output()
        .expect("the CLI should start")
}

fn example(name: &str) -> String {
    // The run-time variable, not `env!`: a test binary built in another clone can be reused from a shared target.
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or(env!("CARGO_MANIFEST_DIR").into());
    format!("{root}/../../examples/{name}")
}

#[test]
fn run_prints_a_report_with_the_stable_keys() {
    let out = lethe(&["run", &example("moons-mlp.json")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "version",
        "lethe_version",
        "experiment",
        "backend",
        "seed",
        "dataset",
        "runs",
        "wall_seconds",
    ] {
        assert!(report.get(key).is_some(), "missing {key}");
    }
    let run = &report["runs"][0];
    for key in [
        "method",
        "seconds",
        "test_acc",
        "train_acc",
        "precision",
        "recall",
        "f1",
        "confusion",
        "history",
    ] {
        assert!(run.get(key).is_some(), "missing runs[0].{key}");
    }
    assert_eq!(report["backend"], "cpu");
    assert_eq!(report["seed"], 42);
    // Source: the acceptance figure for the MLP on two moons with noise 0.1.
    assert!(run["test_acc"].as_f64().unwrap() >= 0.97);
}

#[test]
fn out_writes_the_file() {
    let path = std::env::temp_dir().join(format!("lethe-cli-test-{}.json", std::process::id()));
    let out = lethe(&[
        "run",
        &example("breast-cancer-logistic.json"),
        "--out",
        path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(report["dataset"]["n_features"], 30);
    std::fs::remove_file(path).ok();
}

#[test]
fn a_bad_experiment_names_file_and_field() {
    let path = std::env::temp_dir().join(format!("lethe-cli-bad-{}.json", std::process::id()));
    let text = std::fs::read_to_string(example("moons-mlp.json"))
        .unwrap()
        .replace("\"epochs\": 40", "\"epochs\": 0");
    std::fs::write(&path, text).unwrap();
    let out = lethe(&["run", path.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("train.epochs must be between 1 and 10000, got 0"),
        "{err}"
    );
    std::fs::remove_file(path).ok();
}

#[test]
fn a_csv_experiment_reads_its_data_file() {
    let dir = std::env::temp_dir().join(format!("lethe-cli-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rows: Vec<String> = (0..40)
        .map(|i| format!("{},{},{}", i % 7, i, ["a", "b"][i % 2]))
        .collect();
    std::fs::write(
        dir.join("mine.csv"),
        format!("u,v,label\n{}\n", rows.join("\n")),
    )
    .unwrap();
    let exp = std::fs::read_to_string(example("moons-mlp.json"))
        .unwrap()
        .replace(
            "\"source\": \"moons\"",
            "\"source\": \"csv\", \"csv\": { \"file\": \"mine.csv\", \"label_column\": \"label\" }",
        );
    std::fs::write(dir.join("exp.json"), exp).unwrap();
    let out = lethe(&["run", dir.join("exp.json").to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["dataset"]["class_names"],
        serde_json::json!(["a", "b"])
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_bad_backend_is_named_and_wgpu_says_how_to_get_it() {
    let out = lethe(&["run", &example("moons-mlp.json"), "--backend", "tpu"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--backend") && err.contains("\"tpu\""),
        "{err}"
    );
    if cfg!(not(feature = "gpu")) {
        let out = lethe(&["run", &example("moons-mlp.json"), "--backend", "wgpu"]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--features gpu"), "{err}");
    }
}

/* Source: the stable keys for unlearning rows (docs/experiment-format.md). */
#[test]
fn an_unlearn_example_prints_a_row_per_method_with_the_stable_keys() {
    let out = lethe(&["run", &example("moons-unlearn-rows.json")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let methods: Vec<&str> = report["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["method"].as_str().unwrap())
        .collect();
    assert_eq!(
        methods,
        [
            "train",
            "retrain",
            "sisa",
            "amnesiac",
            "finetune",
            "neggrad_plus",
            "fisher"
        ]
    );
    for run in report["runs"].as_array().unwrap().iter().skip(1) {
        for key in [
            "method",
            "family",
            "guarantee",
            "seconds",
            "speedup_vs_retrain",
            "retain_acc",
            "forget_acc",
            "test_acc",
            "mia_auc",
            "js_to_retrain",
            "tow",
            "l2_to_retrain",
            "backdoor_asr",
            "relearn_epochs",
            "warnings",
            "confusion",
            "per_class",
            "params",
        ] {
            assert!(run.get(key).is_some(), "{}: missing {key}", run["method"]);
        }
        assert!(run["speedup_vs_retrain"].as_f64().unwrap() > 0.0);
    }
    assert_eq!(report["runs"][2]["family"], "data_driven");
    assert_eq!(report["runs"][2]["guarantee"], "exact");
    assert!(
        report["runs"][2]["l2_to_retrain"].is_null(),
        "an ensemble has no weight vector"
    );
    assert!(
        report["runs"][2]["backdoor_asr"].is_null(),
        "no backdoor here"
    );
    assert_eq!(report["forget"]["size"], 8);
    assert_eq!(report["forget"]["rows"][0], 19);
    assert!(report["distribution"]["retain"]["n"].as_u64().unwrap() > 700);
    assert!(report["wall_seconds"].as_f64().unwrap() > 0.0);
    // The train row keeps the shape of plain training, with the audit keys added.
    assert!(report["runs"][0]["family"].is_null());
    assert!(report["runs"][0]["history"].as_array().unwrap().len() == 40);
}

/* Source: the stable keys for federated rows (docs/experiment-format.md). */
#[test]
fn a_federated_example_prints_the_papers_table_keys() {
    let out = lethe(&["run", &example("moons-federated-dirichlet.json")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs = report["runs"].as_array().unwrap();
    let methods: Vec<&str> = runs.iter().map(|r| r["method"].as_str().unwrap()).collect();
    assert_eq!(
        methods,
        [
            "federated",
            "fed_retrain",
            "federaser",
            "federaser_no_calibration",
            "continue_without"
        ]
    );
    for key in [
        "learning_seconds",
        "unlearning_seconds",
        "unlearning_no_calibration_seconds",
        "retrain_seconds",
        "speedup_vs_retrain",
        "mia_precision",
        "mia_recall",
        "test_acc",
        "target_acc",
        "backdoor_asr",
        "angle_to_retrain_deg",
        "history_bytes",
        "client_epochs",
        "precision",
        "recall",
    ] {
        assert!(runs[2].get(key).is_some(), "no {key} in the federaser row");
    }
    assert!(runs[2]["unlearning_no_calibration_seconds"].is_number());
    assert_eq!(report["federation"]["clients"].as_array().unwrap().len(), 5);
    assert!(report["wall_seconds"].is_number());
}

#[test]
fn export_gives_the_split_and_the_initial_weights_of_the_run() {
    // The oracle is `lethe run` itself: the exported split has the report's sizes, and the weights have the
    // MLP's closed-form shapes, 64→128→128→10 in Keras's [in, out] layout.
    let out = lethe(&["export", &example("digits-mlp.json")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exported: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = lethe(&["run", &example("digits-mlp.json")]);
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(exported["train"]["rows"], report["dataset"]["n_train"]);
    assert_eq!(exported["test"]["rows"], report["dataset"]["n_test"]);
    assert_eq!(exported["n_features"], 64);
    let rows = exported["train"]["rows"].as_u64().unwrap() as usize;
    assert_eq!(exported["train"]["x"].as_array().unwrap().len(), rows * 64);
    let shapes: Vec<serde_json::Value> = exported["initial_weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["shape"].clone())
        .collect();
    let width = report["experiment"]["model"]["width"].as_u64().unwrap();
    assert_eq!(
        shapes,
        serde_json::json!([
            [64, width],
            [width],
            [width, width],
            [width],
            [width, 10],
            [10]
        ])
        .as_array()
        .unwrap()
        .clone()
    );
    // Every initial weight lies in PyTorch's default bound √(1 / fan_in).
    let first = exported["initial_weights"][0]["values"].as_array().unwrap();
    assert!(
        first
            .iter()
            .all(|v| v.as_f64().unwrap().abs() <= (1.0f64 / 64.0).sqrt())
    );
}

/* Source: the README's promise that every file in examples/ runs with `make cli EXPERIMENT=…`. The test lists the
folder, so a new example is covered without editing it; each report must read back as a `Report` and pass
`Report::check` (what the page checks before it draws a stored report). Then it must equal its golden report
(crates/cli/tests/golden/), key for key and number for number, timing keys left out: a refactor that changes a
report's numbers or keys fails here, and a meant change regenerates the goldens (`LETHE_GOLDEN=update`) in the same
commit. The numbers are compared exactly where this machine has the vector units that made the goldens (the engine
is deterministic there, run after run); elsewhere the keys, array lengths and strings are, and the test says so. */
#[test]
fn every_example_runs_and_its_report_passes_check() {
    let dir = example("");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("examples/ should be readable")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(names.len() >= 14, "examples/ holds {names:?}");
    // Two at a time: the machine has two cores, and each example is a separate process.
    let failures: Vec<String> = names
        .chunks(2)
        .flat_map(|pair| {
            let runs: Vec<_> = pair
                .iter()
                .map(|name| {
                    let name = name.clone();
                    let path = example(&name);
                    std::thread::spawn(move || (name, lethe(&["run", &path])))
                })
                .collect();
            runs.into_iter()
                .map(|r| r.join().expect("the thread should not panic"))
                .collect::<Vec<_>>()
        })
        .filter_map(|(name, out)| {
            if !out.status.success() {
                return Some(format!("{name}: {}", String::from_utf8_lossy(&out.stderr)));
            }
            match serde_json::from_slice::<lethe_protocol::Report>(&out.stdout) {
                Ok(report) => match report.check() {
                    Err(e) => Some(format!("{name}: {e}")),
                    Ok(()) => golden(&name, &out.stdout).err(),
                },
                Err(e) => Some(format!("{name}: the report does not read back: {e}")),
            }
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Keys whose values are wall times or ratios of them: they change from run to run and are left out of the golden
/// comparison.
fn is_timing(key: &str) -> bool {
    key == "seconds" || key.ends_with("_seconds") || key == "speedup_vs_retrain"
}

/// The vector units that decide how burn's CPU kernels round (x86-64: AVX2, FMA, AVX-512), as the goldens record
/// them: on a machine with other units the numbers may differ in the last bits and grow through training.
fn vector_units() -> String {
    #[cfg(target_arch = "x86_64")]
    {
        let units = [
            ("avx2", std::arch::is_x86_feature_detected!("avx2")),
            ("fma", std::arch::is_x86_feature_detected!("fma")),
            ("avx512f", std::arch::is_x86_feature_detected!("avx512f")),
        ];
        let on: Vec<&str> = units.iter().filter(|u| u.1).map(|u| u.0).collect();
        format!("x86_64 {}", on.join(" "))
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        std::env::consts::ARCH.to_string()
    }
}

/// Where `got` differs from `want`, timing keys left out: one line per difference, with its JSON path. With
/// `numbers` false only the keys, the array lengths and the strings are compared.
fn differences(
    want: &serde_json::Value,
    got: &serde_json::Value,
    path: &str,
    numbers: bool,
    out: &mut Vec<String>,
) {
    use serde_json::Value;
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            let keys: std::collections::BTreeSet<&String> = w.keys().chain(g.keys()).collect();
            for k in keys.into_iter().filter(|k| !is_timing(k)) {
                match (w.get(k), g.get(k)) {
                    (Some(a), Some(b)) => differences(a, b, &format!("{path}.{k}"), numbers, out),
                    (Some(_), None) => out.push(format!("{path}.{k}: missing")),
                    (None, Some(_)) => out.push(format!("{path}.{k}: new key")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(w), Value::Array(g)) if w.len() == g.len() => {
            for (i, (a, b)) in w.iter().zip(g).enumerate() {
                differences(a, b, &format!("{path}[{i}]"), numbers, out);
            }
        }
        _ if want == got => {}
        (Value::Number(_) | Value::Null, Value::Number(_) | Value::Null) if !numbers => {}
        _ => {
            let show = |v: &Value| {
                let s = v.to_string();
                if s.len() > 80 {
                    format!("{}…", &s[..80])
                } else {
                    s
                }
            };
            out.push(format!("{path}: {} → {}", show(want), show(got)));
        }
    }
}

/// Compares the report of example `name` with its golden report (crates/cli/tests/golden/`name`), key for key and
/// number for number, timing keys left out; numbers only where this machine has the vector units that made the
/// goldens (golden/VECTOR_UNITS), keys and strings everywhere. `LETHE_GOLDEN=update` writes the report as the new
/// golden instead.
fn golden(name: &str, stdout: &[u8]) -> Result<(), String> {
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or(env!("CARGO_MANIFEST_DIR").into());
    let path = format!("{root}/tests/golden/{name}");
    let units_path = format!("{root}/tests/golden/VECTOR_UNITS");
    let got: serde_json::Value =
        serde_json::from_slice(stdout).map_err(|e| format!("{name}: {e}"))?;
    if std::env::var("LETHE_GOLDEN").as_deref() == Ok("update") {
        let text = serde_json::to_string_pretty(&got).expect("a report serialises");
        std::fs::write(&path, text + "\n").map_err(|e| format!("{path}: {e}"))?;
        std::fs::write(&units_path, vector_units() + "\n")
            .map_err(|e| format!("{units_path}: {e}"))?;
        return Ok(());
    }
    let made_on = std::fs::read_to_string(&units_path).unwrap_or_default();
    let numbers = made_on.trim() == vector_units();
    if !numbers {
        eprintln!(
            "{name}: goldens made on \"{}\", this machine is \"{}\": keys and strings compared, numbers not",
            made_on.trim(),
            vector_units()
        );
    }
    let want: serde_json::Value = std::fs::read(&path)
        .map_err(|e| {
            format!("{name}: no golden report at {path} ({e}); make one with LETHE_GOLDEN=update")
        })
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| format!("{path}: {e}")))?;
    let mut out = Vec::new();
    differences(&want, &got, "", numbers, &mut out);
    if out.is_empty() {
        return Ok(());
    }
    let n = out.len();
    out.truncate(12);
    Err(format!(
        "{name}: {n} differences from its golden report (if the change is meant, regenerate with \
         LETHE_GOLDEN=update and say in the commit which keys changed and why):\n  {}",
        out.join("\n  ")
    ))
}
