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
    fn model(&mut self, row: &str, model: &dyn std::any::Any) {
        let model = model
            .downcast_ref::<Fitted>()
            .expect("the lab's models are Fitted");
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

/// A scratch directory of its own per test, removed when dropped.
struct Scratch(std::path::PathBuf);

impl std::ops::Deref for Scratch {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("lethe-your-model-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
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

/* Source: a numpy forward pass (PyTorch's cross-correlation with zero padding, ReLU, max-pool, a channels-first
flatten, the dense layers) over seeded random weights, the same weights written in PyTorch's layout and in
Keras's (kernels [kh, kw, in, out], the first dense kernel's rows in channels-last order). Both files must give the
numpy logits within float32 rounding (1e-4 of their scale: sums of up to 144 products), and writing the Keras one
back must give the very tensors it came with. */
#[test]
fn a_cnn_in_pytorch_and_keras_layouts_gives_numpys_logits() {
    let Some(python) = python() else { return };
    let dir = scratch("cnn");
    let convs = r#"[{"channels":6,"kernel":3,"padding":1,"pool":1},{"channels":4,"kernel":3,"padding":0,"pool":2}]"#;
    let data = r#"{"source":"digits","plot_features":[33,26]}"#;
    let torch = experiment(
        data,
        &format!(
            r#"{{"kind":"cnn","convs":{convs},"import":{{"file":"cnn.safetensors","layout":"pytorch"}}}}"#
        ),
        "",
    );
    let raw = prepare_data(&torch, None).unwrap();
    let d = raw.n_features();
    let probe = &raw.raw.x[..12 * d];
    let answer = ask(
        &python,
        "your_model.py",
        &serde_json::json!({
            "action": "cnn", "seed": 5, "side": 8,
            "convs": [[6, 3, 1, 1], [4, 3, 0, 2]], "widths": [20, 10],
            "probe": rows(probe, d),
            "path": dir.join("cnn.safetensors"), "keras_path": dir.join("cnn-keras.safetensors"),
        }),
    );
    let expected = flat(&answer["logits"]);
    let keras = experiment(
        data,
        &format!(
            r#"{{"kind":"cnn","convs":{convs},"import":{{"file":"cnn-keras.safetensors","layout":"keras"}}}}"#
        ),
        "",
    );
    for e in [torch, keras] {
        let layout = e.model.import.as_ref().unwrap().layout;
        let (e, _, imported, model, origin) = load(e, &dir).unwrap();
        // 6·9 + 6 + 4·6·9 + 4 + (4·3·3)·20 + 20 + 20·10 + 10 = 1,230 parameters, in closed form.
        assert_eq!(
            imported.describe(d, 10),
            format!(
                "CNN 8×8 → conv 6@3×3 pad 1 → conv 4@3×3, pool 2 → 20 → 10, ReLU, 1,230 parameters, from {}",
                e.model.import.as_ref().unwrap().file
            )
        );
        let logits: Vec<f32> = model
            .forward(Tensor::<2>::from_data(
                TensorData::new(probe.to_vec(), [12, d]),
                &Runtime::cpu().device,
            ))
            .into_data()
            .iter::<f32>()
            .collect();
        for (l, n) in logits.iter().zip(&expected) {
            assert!(
                (*l as f64 - n).abs() <= 1e-4 * n.abs().max(1.0),
                "{layout:?}: lethe {l} vs numpy {n}"
            );
        }
        // Written back, the file holds the tensors it was read from (float64 → float32 → float32).
        let file = dir.join(&e.model.import.as_ref().unwrap().file);
        let written = block_on(weights::export::safetensors(&Fitted::Net(model), &origin)).unwrap();
        let name = e.model.import.as_ref().unwrap().file.clone();
        let again = weights::read::safetensors(written, &name).unwrap();
        let first = weights::read::safetensors(std::fs::read(file).unwrap(), &name).unwrap();
        assert_eq!(again, first, "{layout:?}");
    }
}

/* Source: scikit-learn's binary LogisticRegression on breast cancer, one output unit (coef_ [1, 30]) for its
classes_[1]. Lethe holds it as two outputs [0, z], whose softmax is [1 − σ(z), σ(z)]: predict_proba within 1e-5.
Trained on flipped labels and imported with model.import.classes naming the file's order (benign first), the
unit scores "malignant", Lethe's class 0: the probabilities come back in the data's order. Written back, the head
is one unit again. */
#[test]
fn a_binary_model_maps_its_one_unit_to_two_classes_in_the_order_given() {
    let Some(python) = python() else { return };
    let dir = scratch("binary");
    let data = r#"{"source":"breast_cancer","plot_features":[27,22],"scaling":"standardize"}"#;
    for flipped in [false, true] {
        let classes = if flipped {
            r#","classes":["benign","malignant"]"#
        } else {
            ""
        };
        let e = experiment(
            data,
            &format!(
                r#"{{"kind":"logistic","import":{{"file":"lr.safetensors","layout":"pytorch"{classes}}}}}"#
            ),
            "",
        );
        let raw = prepare_data(&e, None).unwrap();
        let d = raw.n_features();
        assert_eq!(raw.raw.class_names, ["malignant", "benign"]);
        let y: Vec<u32> = raw
            .train
            .y
            .iter()
            .map(|&y| if flipped { 1 - y } else { y })
            .collect();
        let answer = ask(
            &python,
            "your_model.py",
            &serde_json::json!({
                "action": "logistic", "x": rows(&raw.train.x, d), "y": y,
                "probe": rows(&raw.test.x, d), "path": dir.join("lr.safetensors"),
            }),
        );
        let (_, data, imported, model, origin) = load(e, &dir).unwrap();
        assert!(imported.describe(d, 2).starts_with(
            "logistic regression 30 → 2, 62 parameters (one output unit for the second class, held as two)"
        ));
        let mut sklearn = flat(&answer["proba"]);
        if flipped {
            sklearn.chunks_mut(2).for_each(|p| p.swap(0, 1));
        }
        let gap = max_gap(&probabilities(&model, &data.test.x, d), &sklearn);
        assert!(
            gap <= 1e-5,
            "flipped {flipped}: probabilities differ by {gap}"
        );
        let written = block_on(weights::export::safetensors(&Fitted::Net(model), &origin)).unwrap();
        let back = weights::read::safetensors(written, "lr.safetensors").unwrap();
        let shapes: Vec<_> = back
            .iter()
            .map(|t| (t.name.as_str(), t.shape.clone()))
            .collect();
        assert_eq!(shapes, [("bias", vec![1]), ("weight", vec![1, 30])]);
        let first =
            weights::read::safetensors(std::fs::read(dir.join("lr.safetensors")).unwrap(), "lr")
                .unwrap();
        let gap = max_gap(
            &back[1].values,
            &first[1]
                .values
                .iter()
                .map(|&v| v as f64)
                .collect::<Vec<_>>(),
        );
        assert!(gap <= 1e-6, "the unit written back differs by {gap}");
    }
}

/// A safetensors file of float32 tensors `(name, shape)`, each filled with `0.01 · index`.
fn file_of(tensors: &[(&str, &[usize])]) -> Vec<u8> {
    let bytes: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
        .iter()
        .map(|(name, shape)| {
            let n: usize = shape.iter().product();
            let values: Vec<u8> = (0..n)
                .flat_map(|i| (i as f32 * 0.01).to_le_bytes())
                .collect();
            (name.to_string(), shape.to_vec(), values)
        })
        .collect();
    let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = bytes
        .iter()
        .map(|(name, shape, values)| {
            let view = safetensors::tensor::TensorView::new(
                safetensors::Dtype::F32,
                shape.clone(),
                values,
            )
            .unwrap();
            (name.clone(), view)
        })
        .collect();
    safetensors::serialize(views, None).unwrap()
}

/// A file whose header is `header` (JSON) followed by `data`.
fn raw_file(header: &str, data: &[u8]) -> Vec<u8> {
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend(header.as_bytes());
    out.extend(data);
    out
}

/// The message of importing `bytes` as `file` in `layout` for `model` on digits.
fn refusal(model: &str, bytes: Vec<u8>) -> String {
    let dir = scratch(&format!("refusal-{:x}", bytes.len() ^ model.len() << 20));
    let e = experiment(r#"{"source":"digits","plot_features":[33,26]}"#, model, "");
    let file = e.model.import.as_ref().unwrap().file.clone();
    std::fs::write(dir.join(&file), bytes).unwrap();
    match load(e, &dir) {
        Ok(_) => panic!("{model}: imported"),
        Err(message) => message,
    }
}

const MLP: &str = r#"{"kind":"mlp","import":{"file":"m.safetensors","layout":"pytorch"}}"#;

/* Every file that does not fit is refused with the tensor, its shape and what was expected; nothing is built
before every check passed (the classifier is made last, from checked values). */
#[test]
fn a_file_that_does_not_fit_is_refused_naming_the_tensor_and_the_shape_expected() {
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            MLP,
            file_of(&[
                ("0.weight", &[32, 64]),
                ("0.bias", &[32]),
                ("0.gamma", &[32]),
            ]),
            "model.import: m.safetensors: unknown tensor 0.gamma [32]: a PyTorch state_dict of Linear and Conv2d layers \
             holds only <layer>.weight and <layer>.bias",
        ),
        (
            MLP,
            file_of(&[
                ("0.weight", &[32, 64]),
                ("0.bias", &[32]),
                ("2.weight", &[10, 32]),
            ]),
            "model.import: m.safetensors: missing tensor 2.bias: Lethe's layers all have a weight and a bias",
        ),
        (
            MLP,
            file_of(&[
                ("0.weight", &[32, 64]),
                ("0.bias", &[32]),
                ("1.running_mean", &[32]),
            ]),
            "model.import: m.safetensors: tensor 1.running_mean [32] belongs to a normalisation layer (batch norm); \
             Lethe's models have none: fold it into the layer before it, or train without it",
        ),
        (
            MLP,
            file_of(&[
                ("0.weight", &[32, 64]),
                ("0.bias", &[32]),
                ("2.weight", &[10, 30]),
                ("2.bias", &[10]),
            ]),
            "model.import: m.safetensors: tensor 2.weight [10, 30] takes 30 inputs, but the layer before it \
             (0.weight [32, 64]) gives 32",
        ),
        (
            MLP,
            file_of(&[
                ("0.weight", &[32, 30]),
                ("0.bias", &[32]),
                ("2.weight", &[10, 32]),
                ("2.bias", &[10]),
            ]),
            "model.import: m.safetensors: tensor 0.weight [32, 30] takes 30 inputs, but the data has 64 features",
        ),
        (
            MLP,
            file_of(&[
                ("0.weight", &[32, 64]),
                ("0.bias", &[32]),
                ("2.weight", &[3, 32]),
                ("2.bias", &[3]),
            ]),
            "model.import: m.safetensors: tensor 2.weight [3, 32] gives 3 outputs, but the data has 10 classes \
             (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)",
        ),
        (
            MLP,
            file_of(&[("0.weight", &[32, 64]), ("0.bias", &[31])]),
            "model.import: m.safetensors: tensor 0.bias has shape [31]; the bias of 0.weight [32, 64] has shape [32]",
        ),
        (
            r#"{"kind":"cnn","convs":[{"channels":8,"kernel":3,"padding":1,"pool":2}],"import":{"file":"c.safetensors","layout":"pytorch"}}"#,
            file_of(&[("0.weight", &[10, 64]), ("0.bias", &[10])]),
            "model.import: c.safetensors has no convolution, but model.convs lists 1: leave model.convs out for a \
             model without convolutions",
        ),
        (
            r#"{"kind":"mlp","widths":[16],"import":{"file":"m.safetensors","layout":"pytorch"}}"#,
            file_of(&[
                ("0.weight", &[32, 64]),
                ("0.bias", &[32]),
                ("2.weight", &[10, 32]),
                ("2.bias", &[10]),
            ]),
            "model.import: m.safetensors has hidden layers of [32] units, but model.widths is [16]: leave model.widths \
             out (the file says it) or make them agree",
        ),
        (
            r#"{"kind":"cnn","import":{"file":"c.safetensors","layout":"pytorch"}}"#,
            file_of(&[
                ("1.weight", &[8, 1, 3, 3]),
                ("1.bias", &[8]),
                ("4.weight", &[10, 288]),
                ("4.bias", &[10]),
            ]),
            "model.import: c.safetensors has 1 convolutions (1.weight [8, 1, 3, 3]), and model.convs lists 0: give \
             each one's padding and pool in model.convs, which a weights file cannot say",
        ),
        (
            r#"{"kind":"cnn","convs":[{"channels":8,"kernel":3,"padding":1,"pool":2}],"import":{"file":"c.safetensors","layout":"pytorch"}}"#,
            file_of(&[
                ("1.weight", &[8, 3, 3, 3]),
                ("1.bias", &[8]),
                ("4.weight", &[10, 128]),
                ("4.bias", &[10]),
            ]),
            "model.import: c.safetensors: tensor 1.weight [8, 3, 3, 3] takes 3 input channels; Lethe's images have one \
             (grayscale)",
        ),
        (
            r#"{"kind":"cnn","convs":[{"channels":8,"kernel":3,"padding":0,"pool":2}],"import":{"file":"c.safetensors","layout":"pytorch"}}"#,
            file_of(&[
                ("1.weight", &[8, 1, 3, 3]),
                ("1.bias", &[8]),
                ("4.weight", &[10, 128]),
                ("4.bias", &[10]),
            ]),
            "model.import: c.safetensors: tensor 4.weight [10, 128] takes 128 inputs, but the convolutions leave 72 \
             numbers per image (model.convs' padding and pool decide how many)",
        ),
        (
            r#"{"kind":"cnn","convs":[{"channels":8,"kernel":3,"padding":1,"pool":2}],"import":{"file":"c.safetensors","layout":"pytorch"}}"#,
            file_of(&[
                ("1.weight", &[8, 1, 3, 2]),
                ("1.bias", &[8]),
                ("4.weight", &[10, 128]),
                ("4.bias", &[10]),
            ]),
            "model.import: c.safetensors: tensor 1.weight [8, 1, 3, 2] is a convolution with a kernel that is not \
             square; Lethe's convolutions have square kernels",
        ),
        (
            r#"{"kind":"mlp","import":{"file":"k.safetensors","layout":"keras"}}"#,
            file_of(&[("0", &[64, 32]), ("1", &[32]), ("kernel", &[32, 10])]),
            "model.import: k.safetensors: unknown tensor kernel [32, 10]: the Keras layout names its 3 tensors 0 to 2 \
             in the order of model.get_weights()",
        ),
        (
            r#"{"kind":"mlp","import":{"file":"k.safetensors","layout":"keras"}}"#,
            file_of(&[("0", &[64, 32]), ("1", &[32]), ("2", &[32, 10])]),
            "model.import: k.safetensors: 3 tensors; the Keras layout pairs each kernel with its bias (tensor 2 has \
             none after it)",
        ),
        (
            MLP,
            file_of(&[]),
            "model.import: m.safetensors: the file holds no tensors",
        ),
    ];
    for (model, bytes, expected) in cases {
        assert_eq!(refusal(model, bytes), expected);
    }
}

/* Hostile files: each is refused by the reader before any tensor is allocated (a claimed 10 GB tensor in a file of
a few bytes is checked against the file's length first), with the file named. */
#[test]
fn hostile_files_are_refused_without_allocating_what_they_claim() {
    let good = file_of(&[("0.weight", &[10, 64]), ("0.bias", &[10])]);
    let logistic = r#"{"kind":"logistic","import":{"file":"m.safetensors","layout":"pytorch"}}"#;
    let unreadable = "model.import: m.safetensors: not a readable safetensors file";
    let hostile: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated", good[..good.len() - 7].to_vec(), unreadable),
        ("empty", Vec::new(), unreadable),
        (
            "a header length past the end",
            u64::MAX.to_le_bytes().to_vec(),
            unreadable,
        ),
        (
            "a 10 GB tensor claimed",
            raw_file(
                r#"{"0.weight":{"dtype":"F32","shape":[50000,50000],"data_offsets":[0,10000000000]}}"#,
                &[0; 16],
            ),
            unreadable,
        ),
        (
            "offsets that lie about the size",
            raw_file(
                r#"{"0.weight":{"dtype":"F32","shape":[10,64],"data_offsets":[0,8]}}"#,
                &[0; 8],
            ),
            unreadable,
        ),
        ("not JSON", raw_file("{not json", &[]), unreadable),
        (
            "integers",
            raw_file(
                r#"{"0.bias":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"0.weight":{"dtype":"I64","shape":[1,1],"data_offsets":[8,16]}}"#,
                &[0; 16],
            ),
            "model.import: m.safetensors: tensor 0.bias [1] holds I64; a layer's weights are floating-point numbers",
        ),
        (
            "a NaN",
            raw_file(
                r#"{"0.bias":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"0.weight":{"dtype":"F32","shape":[1,1],"data_offsets":[4,8]}}"#,
                &[0, 0, 0xc0, 0x7f, 0, 0, 0, 0],
            ),
            "model.import: m.safetensors: tensor 0.bias [1] holds NaN at index 0; weights must be finite",
        ),
    ];
    for (what, bytes, expected) in hostile {
        let message = refusal(logistic, bytes);
        assert!(message.starts_with(expected), "{what}: {message}");
    }
    // Larger than any model Lethe keeps: refused by its size before it is parsed.
    let huge = vec![0u8; lethe_protocol::experiment::MAX_WEIGHTS_BYTES + 1];
    let message = weights::read::safetensors(huge, "huge.safetensors")
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with(
            "model.import: huge.safetensors: 81048577 bytes; Lethe reads weights files of at most"
        ),
        "{message}"
    );
}

/* Methods that start from the trained model start from the imported one; SISA trains its own shards from scratch,
and its row says so (a warning as data, which the page's table shows). */
#[test]
fn methods_that_train_their_own_model_say_so_for_an_imported_one() {
    let dir = scratch("own");
    let e = experiment(
        r#"{"source":"breast_cancer","plot_features":[27,22],"scaling":"standardize"}"#,
        // The kind follows from the file: one linear layer is a logistic regression, whatever the experiment said.
        r#"{"kind":"mlp","import":{"file":"lr.safetensors","layout":"pytorch"}}"#,
        r#","unlearn":{"forget":{"kind":"random","fraction":0.05},"methods":["finetune",{"method":"sisa","shards":2,"slices":1}],"retrain_seeds":1}"#,
    );
    std::fs::write(
        dir.join("lr.safetensors"),
        file_of(&[("weight", &[2, 30]), ("bias", &[2])]),
    )
    .unwrap();
    let (e, data, _, model, _) = load(e, &dir).unwrap();
    assert_eq!(e.model.kind, lethe_protocol::ModelKind::Logistic);
    let (report, keeper) = run(&e, &data, model.clone());
    let TaskReport::Unlearn(lab) = &report.outcome else {
        panic!("an unlearn report")
    };
    let own = |row: usize| -> Vec<String> {
        lab.runs[row]
            .audit
            .forgetting
            .warnings
            .iter()
            .filter(|w| matches!(w.kind, lethe_protocol::WarningKind::TrainsItsOwn { .. }))
            .map(|w| w.text.clone())
            .collect()
    };
    assert_eq!(lab.runs[3].run.method, "sisa");
    assert_eq!(
        own(3),
        [
            "sisa does not start from the imported model: it trains its own from scratch with the experiment's train \
          section, so it unlearns Lethe's model of that recipe, not yours"
        ]
    );
    assert!(own(2).is_empty(), "finetune starts from the imported model");
    // The train row's model is the imported one, untouched.
    let (_, train) = keeper.kept.iter().find(|(r, _)| r == "train").unwrap();
    let Fitted::Net(train) = train else {
        panic!("a network")
    };
    let d = data.n_features();
    assert_eq!(
        probabilities(train, &data.test.x, d),
        probabilities(&model, &data.test.x, d)
    );
}

/* SISA's model is its constituents, written under shard0., shard1., … with the aggregation in the file's metadata;
certified removal's is one float64 tensor of one-vs-rest rows on the features the metadata names. Read back, the
shapes are the ones the docs give: each constituent is the experiment's network, the linear model has one row for
two classes over the 30 features. */
#[test]
fn sisa_and_certified_models_are_written_as_documented() {
    let json = r#"{"version":1,"seed":3,"data":{"source":"breast_cancer","plot_features":[27,22]},
        "model":{"kind":"logistic"},
        "train":{"optimizer":"sgd","learning_rate":0.05,"batch_size":32,"epochs":2,"l2":0.001},
        "unlearn":{"forget":{"kind":"random","fraction":0.05},
                   "methods":[{"method":"sisa","shards":3,"slices":1},"certified"],"retrain_seeds":1}}"#;
    let e = Experiment::from_json(json).unwrap().validate().unwrap();
    let data = prepare_data(&e, None).unwrap();
    let mut keeper = Keeper::default();
    block_on(run_experiment(
        &e,
        &data,
        None,
        &Runtime::cpu(),
        &mut keeper,
        "cli",
        web_time::Instant::now(),
    ))
    .unwrap();
    let origin = Origin::sequential(&e.model, 2);
    let file = |row: &str| {
        let (_, model) = keeper.kept.iter().find(|(r, _)| r == row).unwrap();
        let bytes = block_on(weights::export::safetensors(model, &origin)).unwrap();
        let parsed = safetensors::SafeTensors::deserialize(&bytes).unwrap();
        let mut shapes: Vec<(String, String, Vec<usize>)> = parsed
            .tensors()
            .into_iter()
            .map(|(name, view)| (name, format!("{:?}", view.dtype()), view.shape().to_vec()))
            .collect();
        shapes.sort();
        let (_, metadata) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
        (shapes, metadata.metadata().clone().unwrap_or_default())
    };
    let (sisa, meta) = file("sisa");
    let expected: Vec<(String, String, Vec<usize>)> = (0..3)
        .flat_map(|i| {
            [
                (format!("shard{i}.0.bias"), "F32".to_string(), vec![2]),
                (format!("shard{i}.0.weight"), "F32".to_string(), vec![2, 30]),
            ]
        })
        .collect();
    assert_eq!(sisa, expected);
    assert_eq!(
        meta.get("aggregation").map(String::as_str),
        Some("mean of the softmax probabilities of the 3 constituents shard0. … shard2.")
    );
    let (certified, meta) = file("certified");
    // No bias by default (certified removal's reference has none): 30 weights for the second class.
    assert_eq!(
        certified,
        [("weight".to_string(), "F64".to_string(), vec![1, 30])]
    );
    assert!(
        meta["features"]
            .starts_with("each row scaled as data.scaling says, then divided by its L2 norm")
    );
}
