//! Your own model: weights written by real libraries (scikit-learn through the safetensors package, and numpy in
//! PyTorch's and Keras's layouts) read into Lethe, measured, unlearned and written back. The oracles are those
//! libraries' own predictions and a numpy forward pass (tests/oracle/your_model.py, run by the Python `make test`
//! prepares).

#[path = "oracle/python.rs"]
mod python;

use burn::prelude::*;
use lethe_engine::data::Prepared;
use lethe_engine::fit::predict::net_probabilities;
use lethe_engine::model::Classifier;
use lethe_engine::train::Trained;
use lethe_engine::unlearn::Fitted;
use lethe_engine::weights::{self, Imported, Origin};
use lethe_engine::{Flow, Host, Outcome, Runtime, block_on, prepare_data, run_experiment};
use lethe_protocol::{EpochRecord, Experiment, Report, TaskReport, ValidExperiment};
use python::{ask, python};

/// A host that keeps every row's final model.
#[derive(Default)]
struct Keeper {
    kept: Vec<(String, Fitted)>,
}

impl Host for Keeper {
    async fn pause(&mut self) -> Flow {
        Flow::Continue
    }
    fn epoch(&mut self, _: &EpochRecord, _: usize) -> lethe_engine::Result<()> {
        Ok(())
    }
    fn model(&mut self, row: &str, model: &Fitted) {
        self.kept.push((row.into(), model.clone()));
    }
}

fn experiment(data: &str, model: &str, extra: &str) -> ValidExperiment {
    let json = format!(
        r#"{{"version":1,"seed":3,"data":{data},"model":{model},
        "train":{{"optimizer":"adam","learning_rate":0.003,"batch_size":64,"epochs":3}}{extra}}}"#
    );
    Experiment::from_json(&json)
        .and_then(Experiment::validate)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A scratch directory of its own per test.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lethe-your-model-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rows(x: &[f32], d: usize) -> Vec<Vec<f32>> {
    x.chunks(d).map(<[f32]>::to_vec).collect()
}

/// Reads the experiment's file from `dir`, resolves its architecture and builds the model on the data.
fn load(
    e: ValidExperiment,
    dir: &std::path::Path,
) -> Result<(ValidExperiment, Prepared, Imported, Classifier, Origin), String> {
    let import = e.model.import.clone().unwrap();
    let bytes = std::fs::read(dir.join(&import.file)).map_err(|e| e.to_string())?;
    let tensors = weights::read::safetensors(bytes, &import.file).map_err(|e| e.to_string())?;
    let (e, imported) = weights::resolve(e, tensors).map_err(|e| e.to_string())?;
    let data = prepare_data(&e, None).map_err(|e| e.to_string())?;
    let (model, origin) = imported
        .classifier(&data, &import.classes, &Runtime::cpu().device)
        .map_err(|e| e.to_string())?;
    Ok((e, data, imported, model, origin))
}

fn probabilities(model: &Classifier, x: &[f32], d: usize) -> Vec<f32> {
    block_on(net_probabilities(model, x, d, &Runtime::cpu().eval)).unwrap()
}

fn run(e: &ValidExperiment, data: &Prepared, model: Classifier) -> (Report, Keeper) {
    let mut keeper = Keeper::default();
    let outcome = block_on(run_experiment(
        e,
        data,
        Some(Trained::imported(model)),
        &Runtime::cpu(),
        &mut keeper,
        "cli",
        web_time::Instant::now(),
    ))
    .unwrap();
    let Outcome::Finished { report, .. } = outcome else {
        panic!("cancelled")
    };
    (*report, keeper)
}

/// Largest |a − b| over two flat lists of the same length.
fn max_gap(a: &[f32], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(&a, &b)| (a as f64 - b).abs())
        .fold(0.0, f64::max)
}

fn flat(value: &serde_json::Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()))
        .collect()
}

/* Source: scikit-learn's own MLPClassifier.predict_proba. Its network is Lethe's MLP (ReLU hidden layers, softmax
output); its float64 weights become float32 in Lethe, so the probabilities agree to float32 rounding: within 1e-5
(the issue's bound). The unlearned model's exported file is read back with numpy and run in float64: its logits equal
Lethe's float32 logits within 1e-5 of their scale (max(1, |logit|)). */
#[test]
fn a_scikit_learn_mlp_is_read_unlearned_and_written_back() {
    let Some(python) = python() else { return };
    let dir = scratch("mlp");
    let e = experiment(
        r#"{"source":"digits","plot_features":[33,26]}"#,
        r#"{"kind":"mlp","import":{"file":"mlp.safetensors","layout":"pytorch"}}"#,
        r#","unlearn":{"forget":{"kind":"class","classes":[3]},"methods":["neggrad_plus"],"retrain_seeds":1}"#,
    );
    let raw = prepare_data(&e, None).unwrap();
    let d = raw.n_features();
    let answer = ask(
        &python,
        "your_model.py",
        &serde_json::json!({
            "action": "mlp", "hidden": [48, 24], "max_iter": 80,
            "x": rows(&raw.train.x, d), "y": raw.train.y,
            "probe": rows(&raw.raw.x, d), "path": dir.join("mlp.safetensors"),
        }),
    );
    let (e, data, imported, model, _) = load(e, &dir).unwrap();
    // 64·48 + 48 + 48·24 + 24 + 24·10 + 10 = 4,546 parameters, in closed form.
    assert_eq!(
        imported.describe(d, 10),
        "MLP 64 → 48 → 24 → 10, ReLU, 4,546 parameters, from mlp.safetensors"
    );
    assert_eq!(e.model.widths, vec![48, 24]);
    let sklearn = flat(&answer["proba"]);
    let lethe = probabilities(&model, &data.raw.x, d);
    let gap = max_gap(&lethe, &sklearn);
    assert!(gap <= 1e-5, "probabilities differ by {gap}");

    let (report, keeper) = run(&e, &data, model);
    let TaskReport::Unlearn(lab) = &report.outcome else {
        panic!("an unlearn report")
    };
    // The train row measures the imported model: no epochs, and the test accuracy of scikit-learn's predictions.
    let train = &lab.runs[0].run;
    assert_eq!((train.method.as_str(), train.epochs), ("train", 0));
    let test_rows: Vec<usize> = data.test_rows().collect();
    let right = test_rows
        .iter()
        .zip(&data.test.y)
        .filter(|&(&row, &y)| {
            let p = &sklearn[row * 10..row * 10 + 10];
            let best = (0..10).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap();
            best as u32 == y
        })
        .count();
    assert_eq!(train.test_acc, right as f64 / test_rows.len() as f64);
    assert_eq!(
        report
            .experiment
            .model
            .import
            .as_ref()
            .map(|i| i.file.as_str()),
        Some("mlp.safetensors")
    );

    let (_, unlearned) = keeper
        .kept
        .iter()
        .find(|(r, _)| r == "neggrad_plus")
        .unwrap();
    let Fitted::Net(net) = unlearned else {
        panic!("a network")
    };
    let origin = Origin::sequential(&e.model, 10);
    let path = dir.join("unlearned.safetensors");
    std::fs::write(
        &path,
        block_on(weights::export::safetensors(unlearned, &origin)).unwrap(),
    )
    .unwrap();
    let probe = &data.raw.x[..40 * d];
    let back = ask(
        &python,
        "your_model.py",
        &serde_json::json!({ "action": "forward", "path": path, "probe": rows(probe, d) }),
    );
    assert_eq!(
        back["names"],
        serde_json::json!([
            "0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"
        ])
    );
    assert_eq!(back["shapes"]["2.weight"], serde_json::json!([24, 48]));
    let logits: Vec<f32> = net
        .valid()
        .forward(Tensor::<2>::from_data(
            TensorData::new(probe.to_vec(), [40, d]),
            &Runtime::cpu().eval,
        ))
        .into_data()
        .iter::<f32>()
        .collect();
    for (l, n) in logits.iter().zip(flat(&back["logits"])) {
        assert!(
            (*l as f64 - n).abs() <= 1e-5 * n.abs().max(1.0),
            "lethe {l} vs numpy {n}"
        );
    }
    // And the unlearned model forgot: digit 3 is now rarely predicted on the forget set.
    assert!(lab.runs[2].audit.forgetting.forget_acc < train.train_acc);
}
