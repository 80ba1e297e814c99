//! Variational Bayesian Unlearning. The anchor is Bayesian linear regression with known noise, whose posterior is
//! Gaussian in closed form: VI must find it, and VBU-EUBO at λ = 0 from the exact p(θ|D) must find the exact
//! p(θ|D_r). Then the paper's moon setting with a Bayesian logistic classifier on random Fourier features.

use lethe_engine::data::rng::Rng64;
use lethe_engine::linalg::dot;
use lethe_engine::linalg::{cholesky, cholesky_inverse};
use lethe_engine::prepare_data;
use lethe_engine::vbu::features::Fourier;
use lethe_engine::vbu::fit::{Schedule, minimise};
use lethe_engine::vbu::gaussian::Gaussian;
use lethe_engine::vbu::likelihood::{Likelihood, Linear, Logistic};
use lethe_engine::vbu::unlearn::{eubo, reverse_kl};
use lethe_protocol::Experiment;

/// The exact posterior of Bayesian linear regression: precision I/σp² + XᵀX/σ², mean Σ Xᵀy/σ².
fn exact(lik: &Linear, prior_variance: f64) -> Gaussian {
    let p = lik.p;
    let mut precision = vec![0.0; p * p];
    let mut b = vec![0.0; p];
    for (row, &y) in lik.x.chunks(p).zip(&lik.y) {
        for i in 0..p {
            b[i] += row[i] * y / lik.noise_variance;
            for j in 0..p {
                precision[i * p + j] += row[i] * row[j] / lik.noise_variance;
            }
        }
    }
    (0..p).for_each(|i| precision[i * p + i] += 1.0 / prior_variance);
    let cov = cholesky_inverse(&cholesky(&precision, p).unwrap(), p);
    let mean = (0..p)
        .map(|i| (0..p).map(|j| cov[i * p + j] * b[j]).sum())
        .collect();
    Gaussian::from_covariance(mean, &cov).unwrap()
}

fn regression(n: usize, rng: &mut Rng64) -> Linear {
    let truth = [0.5, -1.2, 2.0];
    let mut x = Vec::new();
    let mut y = Vec::new();
    for _ in 0..n {
        let row = [1.0, rng.normal(), rng.normal()];
        y.push(dot(&row, &truth) + 0.5 * rng.normal());
        x.extend(row);
    }
    Linear {
        x,
        y,
        p: 3,
        noise_variance: 0.25,
    }
}

fn rows(lik: &Linear, range: std::ops::Range<usize>) -> Linear {
    Linear {
        x: lik.x[range.start * lik.p..range.end * lik.p].to_vec(),
        y: lik.y[range].to_vec(),
        p: lik.p,
        noise_variance: lik.noise_variance,
    }
}

const SCHEDULE: Schedule = Schedule {
    samples: 64,
    iterations: 3000,
    learning_rate: 0.01,
    diagonal: false,
};

/* Source: closed form. VI over full-covariance Gaussians contains the exact posterior, so maximising the ELBO
finds it: KL to it below 0.05 nats. */
#[test]
fn variational_inference_finds_the_exact_linear_posterior() {
    let mut rng = Rng64::new(1, 0);
    let data = regression(60, &mut rng);
    let prior = Gaussian::isotropic(3, 10.0);
    let q = minimise(
        &prior,
        &prior,
        |t| data.value_grad(t).1.into_iter().map(|g| -g).collect(),
        SCHEDULE,
        &mut rng,
    );
    let kl = q.kl(&exact(&data, 10.0));
    assert!(kl < 0.05, "KL to the exact posterior {kl}");
}

/* Source: closed form, and the acceptance figure. With q(θ|D) the exact posterior, the EUBO at λ = 0 is
minimised by the exact p(θ|D_r): KL below 0.05, and far below the KL between p(θ|D) and p(θ|D_r). */
#[test]
fn eubo_from_the_exact_posterior_recovers_the_exact_posterior_without_the_erased_data() {
    let mut rng = Rng64::new(2, 0);
    let data = regression(60, &mut rng);
    let (kept, erased) = (rows(&data, 0..45), rows(&data, 45..60));
    let full = exact(&data, 10.0);
    let target = exact(&kept, 10.0);
    let unlearned = eubo(&full, &erased, 0.0, SCHEDULE, &mut rng);
    let (after, before) = (unlearned.kl(&target), full.kl(&target));
    assert!(after < 0.05, "KL after EUBO {after}");
    assert!(after * 10.0 < before, "after {after}, before {before}");
    // The reverse KL's moment matching by importance sampling gets close too (it is exact in the limit).
    let rkl = reverse_kl(&full, &erased, 0.0, 20_000, &mut rng);
    assert!(
        rkl.kl(&target) < before,
        "rKL {} vs before {before}",
        rkl.kl(&target)
    );
}

/// The moon setting: a Bayesian logistic classifier on random Fourier features.
struct Moon {
    features: Fourier,
    all: Logistic,
    kept: Logistic,
    erased: Logistic,
    grid: Vec<f64>,
}

fn moon() -> Moon {
    let mut e = Experiment::demo();
    e.data.n_samples = 100;
    e.data.noise = 0.1;
    e.data.test_fraction = 0.2;
    let data = prepare_data(&e.validate().unwrap(), None).unwrap();
    let x: Vec<f64> = data.train.x.iter().map(|&v| v as f64).collect();
    let y: Vec<f64> = data.train.y.iter().map(|&c| c as f64).collect();
    let n = y.len();
    let features = Fourier::new(2, 20, 1.0, &mut Rng64::new(3, 0));
    let phi = features.map(&x);
    let p = features.dim();
    // Erase the 20 % with the largest first feature (the paper's contiguous region).
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| x[2 * b].total_cmp(&x[2 * a]));
    let cut = n / 5;
    let pick = |idx: &[usize]| Logistic {
        phi: idx
            .iter()
            .flat_map(|&i| phi[i * p..(i + 1) * p].iter().copied())
            .collect(),
        y: idx.iter().map(|&i| y[i]).collect(),
        p,
    };
    let grid: Vec<f64> = (0..50 * 50)
        .flat_map(|k| {
            [
                -2.5 + 5.0 * (k % 50) as f64 / 49.0,
                -2.5 + 5.0 * (k / 50) as f64 / 49.0,
            ]
        })
        .collect();
    Moon {
        all: pick(&(0..n).collect::<Vec<_>>()),
        kept: pick(&order[cut..]),
        erased: pick(&order[..cut]),
        grid: features.map(&grid),
        features,
    }
}

/// The predictive over the grid (the engine's, with a fixed seed).
fn predictive(q: &Gaussian, grid: &[f64], p: usize) -> Vec<f64> {
    lethe_engine::vbu::predict::predictive(q, grid, p, 99)
}

use lethe_engine::vbu::predict::mean_kl;

/* Source: the acceptance figure, against VI retrained on D_r in the same run. For at least one λ of the
paper's sweep, the predictive KL from the retrained model to the unlearned one is below the untouched posterior's,
for EUBO and for the reverse KL. */
#[test]
fn on_the_moons_vbu_moves_the_posterior_toward_retraining() {
    let m = moon();
    let p = m.features.dim();
    let prior = Gaussian::isotropic(p, 10.0);
    let schedule = Schedule {
        samples: 16,
        iterations: 1500,
        learning_rate: 0.02,
        diagonal: false,
    };
    let fit = |lik: &Logistic, seed| {
        minimise(
            &prior,
            &prior,
            |t| lik.value_grad(t).1.into_iter().map(|g| -g).collect(),
            schedule,
            &mut Rng64::new(seed, 0),
        )
    };
    let full = fit(&m.all, 4);
    let retrained = fit(&m.kept, 5);
    let reference = predictive(&retrained, &m.grid, p);
    let baseline = mean_kl(&reference, &predictive(&full, &m.grid, p));
    let mut best = (f64::INFINITY, f64::INFINITY);
    for lambda in [0.5, 0.1, 1e-3, 1e-5, 1e-9, 0.0] {
        let e = eubo(&full, &m.erased, lambda, schedule, &mut Rng64::new(6, 0));
        let r = reverse_kl(&full, &m.erased, lambda, 4000, &mut Rng64::new(7, 0));
        let (ke, kr) = (
            mean_kl(&reference, &predictive(&e, &m.grid, p)),
            mean_kl(&reference, &predictive(&r, &m.grid, p)),
        );
        eprintln!("λ {lambda:e}: EUBO {ke:.4}, rKL {kr:.4} (full {baseline:.4})");
        best = (best.0.min(ke), best.1.min(kr));
    }
    assert!(
        best.0 < baseline,
        "EUBO's best {} vs full {baseline}",
        best.0
    );
    assert!(
        best.1 < baseline,
        "rKL's best {} vs full {baseline}",
        best.1
    );
}

/// The paper's moon setting through the experiment format, lighter for the test (fewer Adam steps).
fn moon_experiment() -> Experiment {
    let mut e = Experiment::from_json(include_str!("../../../examples/moons-vbu.json")).unwrap();
    if let Some(b) = e.model.bayes.as_mut() {
        b.iterations = 800;
    }
    e
}

fn run(e: Experiment) -> Result<lethe_protocol::Report, String> {
    let valid = e.validate().map_err(|e| e.to_string())?;
    let data = prepare_data(&valid, None).map_err(|e| e.to_string())?;
    match lethe_engine::block_on(lethe_engine::run_experiment(
        &valid,
        &data,
        None,
        &lethe_engine::Runtime::cpu(),
        &mut lethe_engine::Straight,
        "cli",
        web_time::Instant::now(),
    ))
    .map_err(|e| e.to_string())?
    {
        lethe_engine::Outcome::Finished { report, .. } => Ok(*report),
        lethe_engine::Outcome::Cancelled { .. } => unreachable!(),
    }
}

/* Source: the stable keys, and its acceptance figure against vi_retrain measured in the same run: for at
least one λ, both VBU variants end closer to the retrained predictive than the untouched posterior. */
#[test]
fn the_moon_preset_reports_every_lambda_with_the_stable_keys() {
    let report = run(moon_experiment()).unwrap();
    let vbu = report.outcome.vbu().unwrap();
    let methods: Vec<&str> = vbu.runs.iter().map(|r| r.run.method.as_str()).collect();
    assert_eq!(&methods[..2], ["vi_retrain", "full"]);
    assert_eq!(methods.len(), 2 + 2 * 6, "EUBO and rKL at six λ");
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    for key in [
        "method",
        "lambda",
        "seconds",
        "speedup_vs_retrain",
        "kl_to_retrain",
        "kl_full_to_retrain",
        "retain_acc",
        "forget_acc",
        "test_acc",
    ] {
        assert!(json["runs"][2].get(key).is_some(), "no {key}");
    }
    let best = |m: &str| {
        vbu.runs
            .iter()
            .filter(|r| r.run.method == m)
            .map(|r| r.vbu.kl_to_retrain)
            .fold(f64::INFINITY, f64::min)
    };
    let full = vbu.runs[1].vbu.kl_to_retrain;
    assert!(
        best("vbu_eubo") < full && best("vbu_rkl") < full,
        "EUBO {} rKL {} full {full}",
        best("vbu_eubo"),
        best("vbu_rkl")
    );
    // What the page draws: a predictive map and marginals per model, the erased rows (the top fifth along x1).
    let figures = &vbu.vbu_figures;
    let maps = figures.maps.as_ref().unwrap();
    assert_eq!(maps.models.len(), 14);
    assert!(maps.models.iter().all(|m| m.probs.len() == 50 * 50));
    assert_eq!(figures.posteriors.len(), 14);
    assert_eq!(
        figures.erased_rows.len(),
        (0.2 * report.dataset.n_train as f64).round() as usize
    );
    assert_eq!(
        figures.distribution.retain.n,
        report.dataset.n_train - figures.erased_rows.len()
    );
    assert_eq!(report.check(), Ok(()));
}

#[test]
fn impossible_vbu_requests_are_refused_by_field() {
    use lethe_protocol::ForgetSpec as EraseSpec;
    fn vbu(e: &mut Experiment) -> &mut lethe_protocol::vbu::VbuConfig {
        match &mut e.task {
            lethe_protocol::Task::Vbu(v) => v,
            _ => panic!("a VBU experiment"),
        }
    }
    let with = |edit: &dyn Fn(&mut Experiment)| {
        let mut e = moon_experiment();
        edit(&mut e);
        run(e).unwrap_err()
    };
    let lambda = with(&|e| vbu(e).lambdas = vec![0.5, 2.0]);
    assert!(
        lambda.contains("vbu.lambdas[1] must be between 0 and 1, got 2"),
        "{lambda}"
    );
    let empty = with(&|e| vbu(e).erase = EraseSpec::Rows { rows: vec![] });
    assert!(empty.contains("vbu.erase.rows"), "{empty}");
    let all = with(&|e| {
        vbu(e).erase = EraseSpec::Class {
            classes: vec![0, 1],
        }
    });
    assert!(
        all.contains("nothing would remain") || all.contains("all"),
        "{all}"
    );
    let not_bayes = with(&|e| e.model.kind = lethe_protocol::ModelKind::Mlp);
    assert!(
        not_bayes.contains("model.kind must be \"bayes_logistic\" with a vbu section"),
        "{not_bayes}"
    );
    let with_lab = with(&|e| {
        e.task = lethe_protocol::Task::Unlearn(lethe_protocol::UnlearnConfig {
            forget: lethe_protocol::ForgetSpec::Random { fraction: 0.1 },
            methods: vec![],
            retrain_seeds: 1,
            privacy_score: None,
            sweep: None,
        });
    });
    assert!(
        with_lab.contains("got \"bayes_logistic\" with the unlearn section"),
        "{with_lab}"
    );
    let three = with(&|e| {
        e.data.source = lethe_protocol::DataSource::Blobs;
        e.data.classes = 3;
    });
    assert!(three.contains("binary classifier"), "{three}");
}

/// A log-likelihood that tilts θ linearly: log p(D_e|θ) = a·θ₀ (1-D), so the reverse KL's target has moments that
/// a quadrature computes directly.
struct Tilt(f64);

impl Likelihood for Tilt {
    fn value_grad(&self, theta: &[f64]) -> (f64, Vec<f64>) {
        (self.0 * theta[0], vec![self.0])
    }
}

/// Mean and variance of q̃(θ) ∝ N(θ; 0, 1) / p̃(D_e|θ) by the midpoint rule on [−10, 10], where p̃ is the tilt
/// inside `inside` and 1 elsewhere.
fn tilted_moments(a: f64, inside: impl Fn(f64) -> bool) -> (f64, f64) {
    let (n, lo, hi) = (200_000, -10.0, 10.0);
    let h = (hi - lo) / n as f64;
    let (mut z, mut m1, mut m2) = (0.0, 0.0, 0.0);
    for k in 0..n {
        let t = lo + (k as f64 + 0.5) * h;
        let log_lik = if inside(t) { a * t } else { 0.0 };
        let w = (-0.5 * t * t - log_lik).exp();
        z += w;
        m1 += w * t;
        m2 += w * t * t;
    }
    let mean = m1 / z;
    (mean, m2 / z - mean * mean)
}

/* Source: quadrature of the adjusted target. With q(θ|D) = N(0, 1) and λ = e^(−1/2), the adjusted likelihood counts
exactly where q(θ|D) > λ·q(0), i.e. |θ| < 1; with log p(D_e|θ) = 3θ, q̃ ∝ N(θ; 0, 1)·e^(−3θ) inside and N(θ; 0, 1)
outside. The reverse KL's importance-sampled moments must match q̃'s (mean −0.545, variance 0.480 by the midpoint
rule), not those of the inverted region |θ| ≥ 1 (mean −3.03, variance 0.954). A
threshold applied the wrong way round fails the first assertion. */
#[test]
fn the_reverse_kl_at_a_positive_lambda_counts_the_erased_likelihood_only_near_the_mode() {
    let full = Gaussian::isotropic(1, 1.0);
    let lambda = (-0.5f64).exp();
    let (mean, var) = tilted_moments(3.0, |t| t.abs() < 1.0);
    let (inv_mean, inv_var) = tilted_moments(3.0, |t| t.abs() >= 1.0);
    let q = reverse_kl(&full, &Tilt(3.0), lambda, 100_000, &mut Rng64::new(11, 0));
    let (got_mean, got_var) = (q.mean[0], q.covariance()[0]);
    eprintln!(
        "quadrature {mean:.4}/{var:.4}, inverted {inv_mean:.4}/{inv_var:.4}, rKL {got_mean:.4}/{got_var:.4}"
    );
    assert!((got_mean - mean).abs() < 0.02, "mean {got_mean} vs {mean}");
    assert!((got_var - var).abs() < 0.02, "variance {got_var} vs {var}");
    assert!(
        (inv_mean - mean).abs() > 0.1 || (inv_var - var).abs() > 0.1,
        "the inverted region must be told apart: {inv_mean}/{inv_var}"
    );
    // λ = 0 counts everywhere: with a tilt of 1, q̃ = N(−1, 1) in closed form (a tilt of 3 would put q̃ three
    // standard deviations from the draws, beyond what importance sampling from q(θ|D) resolves).
    let plain = reverse_kl(&full, &Tilt(1.0), 0.0, 100_000, &mut Rng64::new(12, 0));
    assert!((plain.mean[0] + 1.0).abs() < 0.05, "{}", plain.mean[0]);
    assert!(
        (plain.covariance()[0] - 1.0).abs() < 0.1,
        "{:?}",
        plain.covariance()
    );
}

/* Source: closed form. The EUBO's gradient of the erased term vanishes outside the region where q(θ|D) > λ·max q.
With λ just below 1 no draw of q lands in the region, so the EUBO's minimum is q(θ|D) itself (KL below 0.01), while
at λ = 0 the tilt moves the mean by about −3 (the exact p(θ|D_r) ∝ N(0,1)·e^(−3θ) is N(−3, 1)). An inverted
threshold would tilt almost every draw and fail the first assertion. */
#[test]
fn the_eubo_ignores_the_erased_likelihood_outside_the_threshold() {
    let full = Gaussian::isotropic(1, 1.0);
    let schedule = Schedule {
        samples: 32,
        iterations: 1500,
        learning_rate: 0.02,
        diagonal: false,
    };
    let near_mode = eubo(
        &full,
        &Tilt(3.0),
        1.0 - 1e-9,
        schedule,
        &mut Rng64::new(13, 0),
    );
    assert!(near_mode.kl(&full) < 0.01, "KL {}", near_mode.kl(&full));
    let everywhere = eubo(&full, &Tilt(3.0), 0.0, schedule, &mut Rng64::new(14, 0));
    assert!(
        (everywhere.mean[0] + 3.0).abs() < 0.3,
        "mean {}",
        everywhere.mean[0]
    );
}
