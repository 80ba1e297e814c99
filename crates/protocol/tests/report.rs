//! Reports kept in a browser are checked before the page indexes into them.

use lethe_protocol::Report;
use serde_json::{Value, json};

fn report() -> Value {
    json!({
        "version": 1, "lethe_version": "0.1.0",
        "experiment": serde_json::from_str::<Value>(&lethe_protocol::Experiment::demo().to_json()).unwrap(),
        "seed": 42, "backend": "cpu", "host": "browser",
        "dataset": { "name": "d", "n_features": 2, "n_classes": 2, "n_train": 3, "n_test": 2,
                     "class_names": ["a", "b"], "feature_names": ["x", "y"], "checksum": "0" },
        "runs": [{
            "method": "train", "seconds": 0.1, "epochs": 1, "train_loss": 0.5, "train_acc": 1.0, "test_acc": 0.5,
            "precision": 0.5, "recall": 0.5, "f1": 0.5, "confusion": [[1, 0], [1, 0]],
            "per_class": [
                { "class": "a", "precision": 0.5, "recall": 1.0, "f1": 0.67, "support": 1 },
                { "class": "b", "precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1 }
            ],
            "history": [{ "epoch": 1, "train_loss": 0.5, "test_loss": 0.6, "train_acc": 1.0, "test_acc": 0.5, "elapsed_seconds": 0.1 }],
            "misclassified": [{ "row": 4, "label": 1, "predicted": 0 }]
        }],
        "wall_seconds": 0.2
    })
}

/// A tampering and the message it must give.
type Case = (&'static str, fn(&mut Value));

fn check(v: &Value) -> Result<(), String> {
    serde_json::from_value::<Report>(v.clone())
        .map_err(|e| e.to_string())?
        .check()
}

#[test]
fn a_consistent_report_passes_and_each_tampering_is_named() {
    assert_eq!(check(&report()), Ok(()));
    let cases: [Case; 5] = [
        ("runs is empty", |r| r["runs"] = json!([])),
        ("runs[0].confusion is not 2 × 2", |r| {
            r["runs"][0]["confusion"] = json!([[1, 0]])
        }),
        ("runs[0].misclassified names class 7 of 2", |r| {
            r["runs"][0]["misclassified"][0]["predicted"] = json!(7)
        }),
        ("dataset.class_names has 1 names for 2 classes", |r| {
            r["dataset"]["class_names"] = json!(["a"])
        }),
        ("runs[0].per_class has 1 entries for 2 classes", |r| {
            r["runs"][0]["per_class"] = json!([r["runs"][0]["per_class"][0].clone()])
        }),
    ];
    for (expected, tamper) in cases {
        let mut r = report();
        tamper(&mut r);
        assert_eq!(check(&r), Err(expected.to_string()));
    }
}

/* Source: the report format (docs/experiment-format.md): a report written before the `task` key takes its task from
its experiment, and a report written now says its task. */
#[test]
fn a_report_without_task_takes_it_from_its_experiment() {
    let r: Report = serde_json::from_value(report()).unwrap();
    assert_eq!(r.outcome.kind(), lethe_protocol::TaskKind::Train);
    let again: Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(again["task"], "train");
    assert_eq!(serde_json::from_value::<Report>(again).unwrap(), r);
}

/* Source: the warning format (docs/experiment-format.md): a warning is its kind and numbers, with one sentence from
`WarningKind::text`; the sentence is the one the CLI printed before warnings were data. */
#[test]
fn a_warning_is_data_with_its_sentence() {
    use lethe_protocol::{WarnedMetric, Warning, WarningKind};
    let w = Warning::from(WarningKind::OverUnlearning {
        metric: WarnedMetric::ForgetAcc,
        value: 0.393,
        band: [0.424, 0.524],
    });
    let v = serde_json::to_value(&w).unwrap();
    assert_eq!(v["kind"], "over_unlearning");
    assert_eq!(v["metric"], "forget_acc");
    assert_eq!(v["band"], json!([0.424, 0.524]));
    assert_eq!(
        v["text"],
        "over-unlearning: forget accuracy 0.393 is below the retrain band [0.424, 0.524]; the forget set now stands out, itself a leak"
    );
    assert_eq!(serde_json::from_value::<Warning>(v).unwrap(), w);
    let few = WarningKind::FewAttackPairs { pairs: 8, min: 50 };
    assert_eq!(few.name(), "few attack pairs");
    assert!(
        few.text()
            .contains("only 8 member/non-member pairs (fewer than 50)")
    );
}
