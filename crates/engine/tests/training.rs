//! End-to-end training on the CPU backend with fixed seeds. Each threshold names its source.

use lethe_engine::{Outcome, Runtime, Straight, block_on, prepare_data, run_experiment};
use lethe_protocol::{DataSource, Experiment, ModelKind, OptimizerKind, Report};
use web_time::Instant;

fn run(experiment: Experiment) -> Report {
    let valid = experiment
        .validate()
        .expect("the test experiment should be valid");
    let data = prepare_data(&valid, None).expect("the data should load");
    let outcome = block_on(run_experiment(
        &valid,
        &data,
        None,
        &Runtime::cpu(),
        &mut Straight,
        "cli",
        Instant::now(),
    ))
    .expect("training should succeed");
    match outcome {
        Outcome::Finished { report, .. } => *report,
        Outcome::Cancelled { .. } => panic!("a straight host never cancels"),
    }
}

/* Source: the acceptance figure. Two moons with noise 0.1 are separable by a smooth curve; an MLP reaches
~0.99–1.00 test accuracy (scikit-learn's MLPClassifier(hidden_layer_sizes=(64, 64)) on make_moons(4096,
noise=0.1) scores 0.99+). The floor 0.97 leaves room for seeds. */
#[test]
fn mlp_on_two_moons_reaches_097() {
    let mut e = Experiment::demo();
    e.data.n_samples = 2048;
    e.data.noise = 0.1;
    e.train.epochs = 30;
    let report = run(e);
    let run = &report.outcome.rows()[0];
    assert!(
        run.test_acc >= 0.97,
        "test accuracy {} < 0.97",
        run.test_acc
    );
    assert_eq!(run.history.len(), 30);
    assert!(
        run.history[29].train_loss < run.history[0].train_loss,
        "the loss should fall"
    );
    assert_eq!(report.dataset.n_train + report.dataset.n_test, 2048);
}

/* Source: scikit-learn 1.9.1 on this very split (indices dumped by
`cargo test -p lethe-engine --test data -- dump_breast_cancer_split --ignored`):
    sc = StandardScaler().fit(X[~t]); LogisticRegression(max_iter=5000).fit(sc.transform(X[~t]), y[~t])
scores 0.986 on the test split (C=1.0; 0.965 with C=1e4, nearly unregularised; split of the pinned ChaCha12 source). The floor is 0.94;
we also stay within 0.03 of scikit-learn's 0.986. */
#[test]
fn logistic_regression_on_breast_cancer_reaches_094() {
    let mut e = Experiment::demo();
    e.data.source = DataSource::BreastCancer;
    e.model.kind = ModelKind::Logistic;
    e.train.optimizer = OptimizerKind::Sgd;
    e.train.learning_rate = 0.05;
    e.train.batch_size = 32;
    e.train.epochs = 60;
    e.train.l2 = 1e-3;
    let report = run(e);
    let run = &report.outcome.rows()[0];
    assert!(
        run.test_acc >= 0.94,
        "test accuracy {} < 0.94",
        run.test_acc
    );
    assert!(
        (run.test_acc - 0.986).abs() <= 0.03,
        "test accuracy {} vs scikit-learn 0.986",
        run.test_acc
    );
    assert_eq!(report.dataset.n_train + report.dataset.n_test, 569);
    assert_eq!(
        run.confusion.iter().flatten().sum::<u32>() as usize,
        report.dataset.n_test
    );
}

/* Source: closed form. With the same seed the whole pipeline is deterministic, so two runs give identical
reports apart from wall times. */
#[test]
fn same_seed_same_result() {
    let mut e = Experiment::demo();
    e.data.n_samples = 256;
    e.train.epochs = 3;
    let (a, b) = (run(e.clone()), run(e));
    assert_eq!(a.dataset.checksum, b.dataset.checksum);
    assert_eq!(a.outcome.rows()[0].test_acc, b.outcome.rows()[0].test_acc);
    assert_eq!(
        a.outcome.rows()[0].history[2].train_loss,
        b.outcome.rows()[0].history[2].train_loss
    );
}

/* Source: closed form. A learning rate of 10 with plain SGD on unscaled-like logits diverges: the loss overflows
to inf/NaN within a few epochs, and the run must stop and name the epoch. */
#[test]
fn exploding_loss_stops_with_the_epoch() {
    let mut e = Experiment::demo();
    e.data.source = DataSource::Digits;
    e.model.width = 256;
    e.train.optimizer = OptimizerKind::Sgd;
    e.train.momentum = 0.99;
    e.train.learning_rate = 10.0;
    e.train.epochs = 30;
    let valid = e.validate().unwrap();
    let data = prepare_data(&valid, None).unwrap();
    let err = block_on(run_experiment(
        &valid,
        &data,
        None,
        &Runtime::cpu(),
        &mut Straight,
        "cli",
        Instant::now(),
    ))
    .expect_err("the loss should explode");
    // The non-finite-loss path itself, not any error that happens to mention an epoch.
    assert!(
        matches!(err, lethe_engine::EngineError::NonFiniteLoss { epoch, .. } if epoch <= 30),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.starts_with("the training loss became"), "{msg}");
    assert!(msg.contains("lower the learning rate"), "{msg}");
}

/* Source: scikit-learn's `load_digits` has 1797 rows in 10 classes; an MLP on standardised pixels reaches ~0.97
(scikit-learn's MLPClassifier default on a 75/25 split scores 0.97–0.98). Floor 0.93. */
#[test]
fn mlp_on_digits_learns() {
    let mut e = Experiment::demo();
    e.data.source = DataSource::Digits;
    e.model.width = 64;
    e.train.epochs = 20;
    let report = run(e);
    assert_eq!(report.dataset.n_classes, 10);
    assert!(
        report.outcome.rows()[0].test_acc >= 0.93,
        "test accuracy {}",
        report.outcome.rows()[0].test_acc
    );
}

/* Source: the acceptance floor (0.95 in the browser). A small CNN on the 8×8 digits does at least as well
as the MLP above (scikit-learn's MLPClassifier on a 75/25 split scores 0.97–0.98). Adam 1e-2, 10 epochs. */
#[test]
fn cnn_on_digits_reaches_095() {
    let mut e = Experiment::demo();
    e.data.source = DataSource::Digits;
    e.model.kind = ModelKind::Cnn;
    e.train.epochs = 10;
    let report = run(e);
    let run = &report.outcome.rows()[0];
    assert!(run.test_acc >= 0.95, "test accuracy {}", run.test_acc);
    // The misclassified list is the confusion matrix's off-diagonal, row by row.
    let off_diagonal: u32 = (0..10)
        .flat_map(|t| (0..10).filter(move |&p| p != t).map(move |p| (t, p)))
        .map(|(t, p)| run.confusion[t][p])
        .sum();
    assert_eq!(run.misclassified.len(), off_diagonal as usize);
    assert!(run.misclassified.iter().all(|m| m.label != m.predicted));
}

#[test]
fn cnn_needs_square_images() {
    let mut e = Experiment::demo();
    e.data.source = DataSource::Csv;
    e.data.csv = Some(lethe_protocol::experiment::CsvSpec {
        file: "three.csv".into(),
        label_column: "y".into(),
        split_column: String::new(),
    });
    e.model.kind = ModelKind::Cnn;
    let valid = e.validate().unwrap();
    let mut text = String::from("a,b,c,y\n");
    for i in 0..40 {
        text.push_str(&format!("{},{},{},{}\n", i, i * 2, i % 7, i % 2));
    }
    let err = prepare_data(&valid, Some(&text)).unwrap_err().to_string();
    assert!(
        err.contains("model.kind") && err.contains("3 features"),
        "{err}"
    );
}

/* Source: the retrain oracle's promise (docs/methods/retrain.md): weights and shuffles are drawn as the original
training draws them. `fit`, the loop of retraining, SISA and fine-tuning, run from the same initial weights on the
same rows with the same seed, must end on exactly the weights training ends on (bit for bit: the same batches in
the same order through the same optimiser). */
#[test]
fn fit_draws_its_shuffles_as_training_does() {
    use lethe_engine::data::rng::{Rng64, stream};
    use lethe_engine::fit::descent::{fit, optimizer};
    use lethe_engine::model::Classifier;
    let mut e = Experiment::demo();
    e.data.n_samples = 300;
    e.train.epochs = 4;
    e.train.batch_size = 32;
    let valid = e.validate().unwrap();
    let data = prepare_data(&valid, None).unwrap();
    let rt = Runtime::cpu();
    let (d, k) = (data.n_features(), data.n_classes());
    let fresh = || Classifier::new(&valid.model, d, k, valid.seed, &rt.device);
    let trained = block_on(lethe_engine::train::train(
        fresh(),
        &data,
        &valid.train,
        valid.seed,
        &rt,
        [0, 1],
        &mut Straight,
    ))
    .unwrap();
    let fitted = block_on(fit(
        fresh(),
        &data.train,
        d,
        &valid.train,
        &mut optimizer(&valid.train),
        &mut Rng64::new(valid.seed, stream::SHUFFLE),
        &rt.device,
        &mut Straight,
    ))
    .unwrap();
    let a = block_on(lethe_engine::params_of(&trained.model)).unwrap();
    let b = block_on(lethe_engine::params_of(&fitted)).unwrap();
    assert_eq!(a, b);
    // Training's work in closed form: every epoch passes once over the training rows.
    assert_eq!(trained.sample_grads, 4 * data.train.len() as u64);
}
