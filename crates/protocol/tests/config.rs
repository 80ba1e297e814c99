//! Experiment files: reading, version and unknown-key rejection, range validation with named fields.

use lethe_protocol::{ConfigError, Experiment};

fn with(edit: impl FnOnce(&mut Experiment)) -> Result<(), String> {
    let mut e = Experiment::demo();
    edit(&mut e);
    e.validate().map(|_| ()).map_err(|err| err.to_string())
}

#[test]
fn demo_round_trips_through_json() {
    let e = Experiment::demo();
    assert_eq!(Experiment::from_json(&e.to_json()).unwrap(), e);
    assert!(e.validate().is_ok());
}

#[test]
fn the_example_files_are_valid() {
    // The run-time variable, not `env!`: a test binary built in another clone can be reused from a shared target.
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or(env!("CARGO_MANIFEST_DIR").into());
    let dir = format!("{root}/../../examples");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir}: {e}")) {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "json") {
            let text = std::fs::read_to_string(&path).unwrap();
            let e = Experiment::from_json(&text)
                .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
            e.validate()
                .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
            seen += 1;
        }
    }
    assert!(seen >= 3, "expected the example experiments, found {seen}");
}

#[test]
fn another_version_is_refused_before_anything_else() {
    let text = Experiment::demo()
        .to_json()
        .replace("\"version\": 1", "\"version\": 2");
    let err = Experiment::from_json(&text).unwrap_err();
    assert_eq!(
        err,
        ConfigError::Version {
            found: "2".into(),
            expected: 1
        }
    );
    assert_eq!(
        err.to_string(),
        "experiment version 2 is not supported: this Lethe reads version 1"
    );
}

#[test]
fn an_unknown_key_is_named() {
    let text = Experiment::demo()
        .to_json()
        .replace("\"epochs\"", "\"epochz\"");
    let msg = Experiment::from_json(&text).unwrap_err().to_string();
    assert!(msg.contains("unknown field `epochz`"), "{msg}");
    assert!(msg.contains("line"), "the position should be given: {msg}");
}

#[test]
fn out_of_range_values_name_field_and_value() {
    assert_eq!(
        with(|e| e.train.learning_rate = -0.5).unwrap_err(),
        "train.learning_rate must be > 0 and ≤ 10, got -0.5"
    );
    assert_eq!(
        with(|e| e.train.epochs = 0).unwrap_err(),
        "train.epochs must be between 1 and 10000, got 0"
    );
    assert_eq!(
        with(|e| e.train.batch_size = 0).unwrap_err(),
        "train.batch_size must be between 1 and 65536, got 0"
    );
    assert_eq!(
        with(|e| e.model.width = 5000).unwrap_err(),
        "model.width must be between 1 and 1024, got 5000"
    );
    assert_eq!(
        with(|e| e.model.widths = vec![128, 0]).unwrap_err(),
        "model.widths[1] must be between 1 and 1024, got 0"
    );
    assert_eq!(
        with(|e| e.model.widths = vec![8; 9]).unwrap_err(),
        "model.widths must be at most 8 hidden layers, got 9 layers"
    );
    assert_eq!(
        with(|e| {
            e.model.kind = lethe_protocol::ModelKind::Logistic;
            e.model.widths = vec![16, 8];
        })
        .unwrap_err(),
        "model.widths must be absent unless model.kind is \"mlp\" or \"cnn\", got [16, 8] with model.kind \"logistic\""
    );
    assert_eq!(
        with(|e| e.data.noise = f32::NAN).unwrap_err(),
        "data.noise must be between 0 and 2, got NaN"
    );
    assert_eq!(
        with(|e| e.data.test_fraction = 0.99).unwrap_err(),
        "data.test_fraction must be between 0.05 and 0.9, got 0.99"
    );
    assert_eq!(
        with(|e| e.train.momentum = 1.0).unwrap_err(),
        "train.momentum must be in [0, 1), got 1"
    );
    assert!(with(|e| e.train.learning_rate = 10.0).is_ok());
}

#[test]
fn plotted_features_must_exist_in_a_fixed_width_source() {
    use lethe_protocol::DataSource;
    let err = with(|e| {
        e.data.source = DataSource::Iris;
        e.data.plot_features = [2, 12];
    })
    .unwrap_err();
    assert!(
        err.contains("data.plot_features") && err.contains("12"),
        "{err}"
    );
    assert!(err.contains("0 to 3"), "{err}");
    for source in DataSource::ALL {
        let Some(n) = source.feature_count() else {
            continue;
        };
        let [a, b] = source.default_plot_features();
        assert!(
            a < n && b < n && a != b,
            "{}: {a}, {b} of {n}",
            source.key()
        );
    }
}

#[test]
fn per_layer_widths_set_the_hidden_layers_and_the_uniform_keys_follow() {
    let json = r#"{"version":1,"seed":1,"data":{"source":"digits","test_fraction":0.25},
        "model":{"kind":"mlp","widths":[128,64],"activation":"relu"},
        "train":{"optimizer":"adam","learning_rate":0.01,"batch_size":64,"epochs":2}}"#;
    let e: Experiment = serde_json::from_str(json).unwrap();
    let valid = e.validate().unwrap();
    assert_eq!(valid.model.hidden(), vec![128, 64]);
    assert_eq!((valid.model.layers, valid.model.width), (2, 128));
    // Written back, the file keeps the widths (and a uniform MLP's file has none).
    let written = serde_json::to_value(&*valid).unwrap();
    assert_eq!(written["model"]["widths"], serde_json::json!([128, 64]));
    assert!(
        serde_json::to_value(Experiment::demo()).unwrap()["model"]
            .get("widths")
            .is_none()
    );
}

#[test]
fn a_cnns_convolutions_are_checked_layer_by_layer() {
    use lethe_protocol::experiment::ConvLayer;
    let cnn = |edit: &dyn Fn(&mut Vec<ConvLayer>)| {
        with(|e| {
            e.data.source = lethe_protocol::DataSource::Digits;
            e.model.kind = lethe_protocol::ModelKind::Cnn;
            e.model.convs = lethe_protocol::experiment::DEFAULT_CONVS.to_vec();
            edit(&mut e.model.convs);
        })
    };
    assert_eq!(cnn(&|_| {}), Ok(()));
    assert_eq!(
        cnn(&|c| c[1].kernel = 11).unwrap_err(),
        "model.convs[1].kernel must be between 1 and 9, got 11"
    );
    assert_eq!(
        cnn(&|c| c[0].padding = 3).unwrap_err(),
        "model.convs[0].padding must be less than the kernel (3), got 3"
    );
    assert_eq!(
        cnn(&|c| c[1].pool = 0).unwrap_err(),
        "model.convs[1].pool must be between 1 and 4, got 0"
    );
    assert_eq!(
        cnn(&|c| c.extend([c[0]; 3])).unwrap_err(),
        "model.convs must be at most 4 convolutions, got 5 convolutions"
    );
    assert_eq!(
        with(|e| e.model.convs = vec![lethe_protocol::experiment::DEFAULT_CONVS[0]]).unwrap_err(),
        "model.convs must be absent unless model.kind is \"cnn\", got 1 layers with model.kind \"mlp\""
    );
    // Written as PyTorch's and Keras's layers are: the pool defaults to none, the padding to 0.
    let layer: ConvLayer = serde_json::from_str(r#"{"channels": 8, "kernel": 5}"#).unwrap();
    assert_eq!((layer.padding, layer.pool), (0, 1));
}

#[test]
fn scaling_is_a_name_or_given_statistics_and_bad_ones_are_named() {
    let read = |scaling: &str| -> Result<Experiment, String> {
        let json = format!(
            r#"{{"version":1,"seed":1,"data":{{"source":"iris","scaling":{scaling}}},
            "model":{{"kind":"logistic"}},"train":{{"optimizer":"adam","learning_rate":0.01,"batch_size":16,"epochs":2}}}}"#
        );
        let e: Experiment = serde_json::from_str(&json).map_err(|e| e.to_string())?;
        e.clone().validate().map_err(|e| e.to_string())?;
        Ok(e)
    };
    assert_eq!(
        read(r#""none""#).unwrap().data.scaling,
        Some(lethe_protocol::Scaling::None)
    );
    let given = read(r#"{"mean":[1,2],"std":[3,4]}"#).unwrap();
    assert_eq!(
        serde_json::to_value(&given.data.scaling).unwrap(),
        serde_json::json!({"mean": [1.0, 2.0], "std": [3.0, 4.0]})
    );
    assert!(read(r#""minmax""#).unwrap_err().starts_with(
        r#"data.scaling must be "standardize", "none" or { "mean": [numbers], "std": [numbers] }, got "minmax""#
    ));
    assert_eq!(
        read(r#"{"mean":[1,2],"std":[3]}"#).unwrap_err(),
        "data.scaling.std must be one entry per entry of data.scaling.mean (2), got 1 entries"
    );
    assert_eq!(
        read(r#"{"mean":[1,2],"std":[3,0]}"#).unwrap_err(),
        "data.scaling.std[1] must be finite and > 0, got 0"
    );
    // The default is left out when written, so every experiment written before reads and writes the same.
    assert!(
        serde_json::to_value(Experiment::demo()).unwrap()["data"]
            .get("scaling")
            .is_none()
    );
}

/* model.import: what can be checked without the file. An imported model is read raw unless data.scaling says
otherwise (its framework fed it raw features); it has no training log (amnesiac) and was not trained on planted
points (backdoor, mislabeled). */
#[test]
fn an_import_is_checked_before_its_file_is_read() {
    let read = |model: &str, extra: &str| -> Result<lethe_protocol::ValidExperiment, String> {
        let json = format!(
            r#"{{"version":1,"seed":1,"data":{{"source":"digits"}},"model":{model},
            "train":{{"optimizer":"adam","learning_rate":0.01,"batch_size":16,"epochs":2}}{extra}}}"#
        );
        Experiment::from_json(&json)
            .and_then(Experiment::validate)
            .map_err(|e| e.to_string())
    };
    let ok = read(
        r#"{"kind":"mlp","import":{"file":"mlp.safetensors","layout":"pytorch"}}"#,
        "",
    )
    .unwrap();
    assert_eq!(ok.scaling(), lethe_protocol::Scaling::None);
    let import = ok.model.import.as_ref().unwrap();
    assert_eq!(import.layout, lethe_protocol::WeightLayout::Pytorch);
    // Written back as read: the import kept, no classes key when none were given.
    let written = serde_json::to_value(&*ok).unwrap();
    assert_eq!(
        written["model"]["import"],
        serde_json::json!({"file": "mlp.safetensors", "layout": "pytorch"})
    );
    assert_eq!(
        read(
            r#"{"kind":"mlp","import":{"file":"mlp.bin","layout":"pytorch"}}"#,
            ""
        )
        .unwrap_err(),
        r#"model.import.file must be a .safetensors file (or, in the PyTorch layout, a .pt or .pth), got "mlp.bin""#
    );
    assert_eq!(
        read(
            r#"{"kind":"mlp","import":{"file":"mlp.pt","layout":"keras"}}"#,
            ""
        )
        .unwrap_err(),
        r#"model.import.file must be a .safetensors file in the Keras layout (a .pt file is PyTorch's), got "mlp.pt""#
    );
    assert!(
        read(
            r#"{"kind":"mlp","import":{"file":"m.safetensors","layout":"onnx"}}"#,
            ""
        )
        .unwrap_err()
        .contains("unknown variant `onnx`")
    );
    assert_eq!(
        read(
            r#"{"kind":"mlp","import":{"file":"m.safetensors","layout":"keras","classes":["a","b","a"]}}"#,
            ""
        )
        .unwrap_err(),
        r#"model.import.classes[2] must be a class not listed before, got "a" again"#
    );
    let amnesiac = read(
        r#"{"kind":"mlp","import":{"file":"m.safetensors","layout":"pytorch"}}"#,
        r#","unlearn":{"forget":{"kind":"class","classes":[3]},"methods":[{"method":"finetune"},{"method":"amnesiac"}]}"#,
    )
    .unwrap_err();
    assert!(
        amnesiac
            .starts_with("unlearn.methods[1] must be a method that needs no log of the training"),
        "{amnesiac}"
    );
    let backdoor = read(
        r#"{"kind":"mlp","import":{"file":"m.safetensors","layout":"pytorch"}}"#,
        r#","unlearn":{"forget":{"kind":"backdoor","fraction":0.05,"target_class":0},"methods":[{"method":"finetune"}]}"#,
    )
    .unwrap_err();
    assert!(
        backdoor.starts_with(
            "unlearn.forget.kind must be a forget set of the model's own training data"
        ),
        "{backdoor}"
    );
    // The privacy score's originals: per run would score models Lethe trains, not the imported one; absent, the
    // imported model is the shared original.
    let score = |originals: &str| {
        read(
            r#"{"kind":"mlp","import":{"file":"m.safetensors","layout":"pytorch"}}"#,
            &format!(
                r#","unlearn":{{"forget":{{"kind":"class","classes":[3]}},"methods":["finetune"],"privacy_score":{{"runs":8{originals}}}}}"#
            ),
        )
    };
    let per_run = score(r#","originals":"per_run""#).unwrap_err();
    assert!(
        per_run.starts_with("unlearn.privacy_score.originals must be \"shared\" with model.import"),
        "{per_run}"
    );
    let absent = score("").unwrap();
    let config = absent.task.unlearn().unwrap().privacy_score.unwrap();
    assert_eq!(config.originals, None);
    assert_eq!(config.originals(true), lethe_protocol::Originals::Shared);
    assert!(score(r#","originals":"shared""#).is_ok());
    // Given scaling is kept for an imported model.
    let given = read(
        r#"{"kind":"logistic","import":{"file":"m.safetensors","layout":"keras"}}"#,
        "",
    )
    .map(|e| {
        let mut e = e.into_inner();
        e.data.scaling = Some(lethe_protocol::Scaling::Standardize);
        e.scaling()
    })
    .unwrap();
    assert_eq!(given, lethe_protocol::Scaling::Standardize);
}
