//! Your own model on the command line: `model.import` (a `.safetensors` or a `.pt`), the architecture said before
//! the run, and `--save-model` writing rows' models back.

#[path = "../../engine/tests/oracle/python.rs"]
mod python;

use std::path::Path;
use std::process::Command;

use lethe_protocol::Experiment;
use python::{ask, python};

fn lethe(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lethe"))
        .args(args)
        .output()
        .expect("the CLI should start")
}

fn experiment(file: &str) -> String {
    format!(
        r#"{{"version":1,"seed":3,"data":{{"source":"digits","plot_features":[33,26]}},
        "model":{{"kind":"mlp","import":{{"file":"{file}","layout":"pytorch"}}}},
        "train":{{"optimizer":"adam","learning_rate":0.003,"batch_size":64,"epochs":2}},
        "unlearn":{{"forget":{{"kind":"class","classes":[3]}},"methods":["finetune"],"retrain_seeds":1}}}}"#
    )
}

fn tensors(path: &Path) -> Vec<lethe_engine::weights::NamedTensor> {
    lethe_engine::weights::read::safetensors(std::fs::read(path).unwrap(), "saved").unwrap()
}

/* A scikit-learn MLP written as safetensors and, the same weights, as the .pt archive torch.save writes: the CLI
says the architecture on stderr, runs the lab from the imported weights, and --save-model writes the train row
(the imported model, so the very tensors of the file, in float32) and the method's row with the file's names. */
#[test]
fn an_imported_model_runs_and_its_rows_are_saved() {
    let Some(python) = python() else { return };
    let dir = std::env::temp_dir().join(format!("lethe-cli-your-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let e = Experiment::from_json(&experiment("mlp.safetensors"))
        .unwrap()
        .validate()
        .unwrap();
    let data = lethe_engine::prepare_data(&e, None).unwrap();
    let d = data.n_features();
    let rows = |x: &[f32]| x.chunks(d).map(<[f32]>::to_vec).collect::<Vec<_>>();
    let file = dir.join("mlp.safetensors");
    ask(
        &python,
        "your_model.py",
        &serde_json::json!({
            "action": "mlp", "hidden": [40, 20], "max_iter": 40, "x": rows(&data.train.x), "y": data.train.y,
            "probe": rows(&data.test.x[..d]), "path": file,
        }),
    );
    ask(
        &python,
        "your_model.py",
        &serde_json::json!({ "action": "pt", "path": file, "pt_path": dir.join("mlp.pt") }),
    );
    let original = tensors(&file);
    let mut reports = Vec::new();
    for name in ["mlp.safetensors", "mlp.pt"] {
        let exp = dir.join(format!("{name}.json"));
        std::fs::write(&exp, experiment(name)).unwrap();
        let (train, finetune) = (
            dir.join("train.safetensors"),
            dir.join("finetune.safetensors"),
        );
        let out = lethe(&[
            "run",
            exp.to_str().unwrap(),
            "--save-model",
            &format!("train={}", train.display()),
            "--save-model",
            &format!("finetune={}", finetune.display()),
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {stderr}");
        // 64·40 + 40 + 40·20 + 20 + 20·10 + 10 = 3,630 parameters, in closed form.
        assert_eq!(
            stderr.trim(),
            format!("lethe: model: MLP 64 → 40 → 20 → 10, ReLU, 3,630 parameters, from {name}")
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            report["experiment"]["model"]["widths"],
            serde_json::json!([40, 20])
        );
        assert_eq!(report["runs"][0]["epochs"], 0);
        let saved = tensors(&train);
        assert_eq!(saved.len(), original.len());
        for (s, o) in saved.iter().zip(&original) {
            assert_eq!((&s.name, &s.shape), (&o.name, &o.shape));
            assert_eq!(
                s.values, o.values,
                "{name}: {} written back as read",
                s.name
            );
        }
        let names: Vec<String> = tensors(&finetune).into_iter().map(|t| t.name).collect();
        assert_eq!(
            names,
            [
                "0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"
            ]
        );
        reports.push(report);
    }
    // The .pt and the safetensors file hold the same weights: the same test accuracy from both.
    assert_eq!(
        reports[0]["runs"][0]["test_acc"],
        reports[1]["runs"][0]["test_acc"]
    );

    let exp = dir.join("mlp.safetensors.json");
    let out = lethe(&[
        "run",
        exp.to_str().unwrap(),
        "--save-model",
        "scrub=x.safetensors",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "lethe: --save-model scrub: the report has no row \"scrub\"; its rows are train, retrain, finetune"
    );
    let out = lethe(&["run", exp.to_str().unwrap(), "--save-model", "finetune"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "lethe: --save-model needs ROW=FILE.safetensors (a row of the report and a file), got \"finetune\""
    );
    // A truncated .pt is refused with the file named.
    let pt = std::fs::read(dir.join("mlp.pt")).unwrap();
    std::fs::write(dir.join("cut.pt"), &pt[..pt.len() / 2]).unwrap();
    std::fs::write(dir.join("cut.json"), experiment("cut.pt")).unwrap();
    let out = lethe(&["run", dir.join("cut.json").to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("lethe: model.import: cut.pt: not a readable PyTorch state_dict"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
