//! External oracles: Lethe's numbers against another library's, run as that library runs them. The Python
//! interpreter is the one `make test` prepares (a virtual environment with `tests/oracle/requirements.txt`, pinned),
//! named by `LETHE_PYTHON`.

#[path = "oracle/python.rs"]
mod python;

use lethe_engine::prepare_data;
use lethe_engine::unlearn::certified::{Certified, CertifiedState, augment};
use lethe_protocol::{DataSource, Experiment, ModelKind, OptimizerKind};
use python::{ask, python};

fn relative(a: &[f64], b: &[f64]) -> f64 {
    let diff: f64 = a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>();
    let size: f64 = b.iter().map(|y| y * y).sum::<f64>();
    (diff / size).sqrt()
}

/* Source: scikit-learn 1.9.1's LogisticRegression(fit_intercept=False), the external oracle. Lethe's
certified objective on the n′ remaining rows is Σᵢ log(1 + e^(−yᵢwᵀxᵢ)) + (λn′/2)‖w‖² + bᵀw; divided by λn′ it is
scikit-learn's C·Σᵢ log(1 + e^(−yᵢwᵀxᵢ)) + ½‖w‖² with C = 1/(λn′), up to the noise term bᵀw/(λn′), which σ = 10⁻⁹
makes negligible (‖b‖ ≈ 5·10⁻⁹ against ‖w‖ of order 1). ε = 10¹⁰ puts the budget σε/c ≈ 2.3 above the bound of five
removals, so no retrain happens: the model is Lethe's five Newton steps from the full-data optimum, and it must land
within 1e-3 (relative L2) of scikit-learn's refit on the rows that remain, on the same normalised rows (measured
3.1e-6). The model before the removal is 3.3e-3 away, so the removal must close most of that gap (10× at least). */
#[test]
fn certified_removal_matches_scikit_learns_refit_without_the_removed_rows() {
    let Some(python) = python() else { return };
    let mut e = Experiment::demo();
    e.data.source = DataSource::BreastCancer;
    e.data.plot_features = [27, 22];
    e.model.kind = ModelKind::Logistic;
    e.train.optimizer = OptimizerKind::Sgd;
    e.train.l2 = 1e-3;
    let data = prepare_data(&e.validate().unwrap(), None).unwrap();
    let (split, d) = (&data.train, data.raw.n_features());
    let settings = Certified {
        sigma: 1e-9,
        epsilon: 1e10,
        delta: 1e-4,
        lambda: 1e-3,
        bias: false,
    };
    let state = CertifiedState::train(split, d, 2, settings, 42).unwrap();
    let removed = [3usize, 50, 100, 200, 300];
    let (model, certificate, alive, _) = state.remove(&removed, 42).unwrap();
    assert_eq!((certificate.removals, certificate.retrains), (5, 0));

    let rows = augment(&split.x, d, false);
    let kept: Vec<usize> = (0..split.len()).filter(|&i| alive[i]).collect();
    assert_eq!(kept.len(), split.len() - removed.len());
    let request = serde_json::json!({
        "x": kept.iter().map(|&i| rows[i * d..(i + 1) * d].to_vec()).collect::<Vec<_>>(),
        "y": kept.iter().map(|&i| if split.y[i] == 1 { 1.0 } else { -1.0 }).collect::<Vec<f64>>(),
        "c": 1.0 / (settings.lambda * kept.len() as f64),
    });
    let answer = ask(&python, "sklearn_logistic.py", &request);
    assert_eq!(answer["version"], "1.9.1", "the pinned scikit-learn");
    let sklearn: Vec<f64> = serde_json::from_value(answer["coef"].clone()).unwrap();
    let lethe = &model.w[0];
    let gap = relative(lethe, &sklearn);
    eprintln!(
        "certified removal vs scikit-learn: relative L2 {gap:.2e} ({} iterations)",
        answer["n_iter"]
    );
    assert!(gap <= 1e-3, "{gap} from scikit-learn's refit");
    // The removal moved the model: the check is not passed by the model before removal.
    let before = relative(&state.model().w[0], &sklearn);
    eprintln!("before the removal: {before:.2e}");
    assert!(before > 10.0 * gap, "before removal {before}, after {gap}");
}

/* Source: the NeurIPS 2023 challenge's scoring code (google-deepmind/unlearning_evaluation, metric.py), its logic
run with numpy (tests/oracle/privacy_metric.py: the same threshold grids, float32 rates and special cases, torch
and CUDA replaced). Six forget examples with 16 runs per side, drawn from seeded Gaussians that overlap a lot, a
little, not at all, and one peaky side: Lethe's ε equals the reference's within 1e-4 (the reference's rates are
float32, Lethe's f64), and the forgetting scores are equal. */
#[test]
fn the_privacy_score_matches_the_challenges_metric() {
    use lethe_engine::audit::privacy::{epsilon, forgetting_score};
    use lethe_engine::data::rng::{Rng64, stream};
    let Some(python) = python() else { return };
    let mut rng = Rng64::new(11, stream::AUDIT);
    let mut draw =
        |mean: f64, std: f64| -> Vec<f64> { (0..16).map(|_| mean + std * rng.normal()).collect() };
    let cases = [
        ((0.0, 1.0), (0.0, 1.0)),
        ((0.0, 1.0), (0.8, 1.2)),
        ((2.0, 0.5), (0.0, 0.7)),
        ((6.0, 0.3), (-1.0, 0.4)),
        ((1.0, 0.002), (0.0, 1.0)),
        ((-3.0, 2.0), (-2.0, 0.5)),
    ];
    let (unlearned, retrained): (Vec<Vec<f64>>, Vec<Vec<f64>>) = cases
        .iter()
        .map(|&((mu, su), (mr, sr))| (draw(mu, su), draw(mr, sr)))
        .unzip();
    let answer = ask(
        &python,
        "privacy_metric.py",
        &serde_json::json!({ "unlearned": unlearned, "retrained": retrained }),
    );
    let expected: Vec<f64> = answer["epsilons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let ours: Vec<f64> = unlearned
        .iter()
        .zip(&retrained)
        .map(|(u, r)| epsilon(u, r))
        .collect();
    eprintln!("ε Lethe {ours:?}\nε reference {expected:?}");
    for (i, (a, b)) in ours.iter().zip(&expected).enumerate() {
        assert!(
            (a - b).abs() <= 1e-4 * b.abs().max(1.0),
            "example {i}: Lethe {a}, reference {b}"
        );
    }
    assert_eq!(
        forgetting_score(&ours, 16),
        answer["forgetting_score"].as_f64().unwrap()
    );
}
