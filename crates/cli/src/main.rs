//! `lethe run experiment.json [--data FILE.csv] [--out report.json] [--backend cpu|wgpu]`: runs an experiment
//! and prints the JSON report (the same report the page downloads). The CPU by default; `wgpu` (a build with the
//! `gpu` feature) runs burn's wgpu backend on the machine's GPU.
//!
//! `lethe export experiment.json [--data FILE.csv] [--out FILE.json]`: prints the experiment's standardised
//! training and test splits and the model's initial weights in Keras's layout, so that another framework trains the
//! same model on the same data from the same start (`make bench` compares TensorFlow.js with it).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lethe_engine::{Outcome, Runtime, Straight, block_on, prepare_data, run_experiment};
use lethe_protocol::{DataSource, Experiment};
use web_time::Instant;

const USAGE: &str = "usage: lethe run EXPERIMENT.json [--data FILE.csv] [--out REPORT.json] [--backend cpu|wgpu]
       lethe export EXPERIMENT.json [--data FILE.csv] [--out DATA.json]

run: runs the experiment and prints its JSON report (or writes it to --out).
export: prints the standardised training and test splits and the model's initial weights in Keras's layout.
For `\"source\": \"csv\"` the CSV is --data, or else the file named in data.csv.file, next to the experiment.
--backend: cpu (burn's CPU backend, the default) or wgpu (the GPU through wgpu; a build with --features gpu).";

struct Args {
    command: Command,
    experiment: PathBuf,
    data: Option<PathBuf>,
    out: Option<PathBuf>,
    backend: Backend,
}

/// What the CLI does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    Run,
    Export,
}

/// Where the CLI computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Cpu,
    Wgpu,
}

impl Backend {
    fn parse(text: &str) -> Result<Self, String> {
        match text {
            "cpu" => Ok(Self::Cpu),
            "wgpu" => Ok(Self::Wgpu),
            other => Err(format!(
                "--backend must be \"cpu\" or \"wgpu\", got \"{other}\""
            )),
        }
    }

    fn runtime(self) -> Result<Runtime, String> {
        match self {
            Self::Cpu => Ok(Runtime::cpu()),
            #[cfg(feature = "gpu")]
            Self::Wgpu => Runtime::wgpu().map_err(|e| e.to_string()),
            #[cfg(not(feature = "gpu"))]
            Self::Wgpu => Err(
                "--backend wgpu needs a build with the GPU feature: cargo build --release -p lethe-cli --features gpu"
                    .into(),
            ),
        }
    }
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let command = match args.next().as_deref() {
        Some("run") => Command::Run,
        Some("export") => Command::Export,
        Some("-h" | "--help") | None => return Err(USAGE.into()),
        Some(other) => return Err(format!("unknown command \"{other}\"\n\n{USAGE}")),
    };
    let mut experiment = None;
    let (mut data, mut out, mut backend) = (None, None, Backend::Cpu);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--data" => data = Some(args.next().ok_or("--data needs a file")?.into()),
            "--out" => out = Some(args.next().ok_or("--out needs a file")?.into()),
            "--backend" => {
                backend = Backend::parse(&args.next().ok_or("--backend needs cpu or wgpu")?)?
            }
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option \"{flag}\"\n\n{USAGE}"));
            }
            path if experiment.is_none() => experiment = Some(PathBuf::from(path)),
            extra => return Err(format!("unexpected argument \"{extra}\"\n\n{USAGE}")),
        }
    }
    Ok(Args {
        command,
        experiment: experiment.ok_or(USAGE)?,
        data,
        out,
        backend,
    })
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn run(args: Args) -> Result<(), String> {
    let started = Instant::now();
    let runtime = args.backend.runtime()?;
    let text = read(&args.experiment)?;
    let experiment = Experiment::from_json(&text)
        .and_then(Experiment::validate)
        .map_err(|e| format!("{}: {e}", args.experiment.display()))?;
    let csv_text = match (&experiment.data.source, &experiment.data.csv) {
        (DataSource::Csv, Some(spec)) => {
            let path = args.data.clone().unwrap_or_else(|| {
                args.experiment
                    .parent()
                    .unwrap_or(Path::new("."))
                    .join(&spec.file)
            });
            Some(read(&path)?)
        }
        _ => None,
    };
    let data = prepare_data(&experiment, csv_text.as_deref()).map_err(|e| e.to_string())?;
    if args.command == Command::Export {
        return write(args.out.as_deref(), export(&experiment, &data)?);
    }
    let outcome = block_on(run_experiment(
        &experiment,
        &data,
        None,
        &runtime,
        &mut Straight,
        "cli",
        started,
    ))
    .map_err(|e| e.to_string())?;
    let Outcome::Finished { report, .. } = outcome else {
        return Err("the run was cancelled".into());
    };
    // JSON cannot hold NaN or ±∞ (serde_json would write null): say which number instead of printing it.
    lethe_protocol::check_finite(&report)
        .map_err(|at| format!("the run produced a number that is not finite: {at}"))?;
    write(args.out.as_deref(), report.to_json())
}

/// Writes `json` to `out`, or prints it.
fn write(out: Option<&Path>, json: String) -> Result<(), String> {
    match out {
        Some(path) => std::fs::write(path, json + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => {
            println!("{json}");
            Ok(())
        }
    }
}

/// The splits and the initial weights (`lethe export`): what another framework needs to train the same model on
/// the same data from the same start. Features are standardised, row-major; for images, row-major pixels.
fn export(
    experiment: &lethe_protocol::ValidExperiment,
    data: &lethe_engine::data::Prepared,
) -> Result<String, String> {
    let runtime = Runtime::cpu();
    let (d, k) = (data.n_features(), data.n_classes());
    let model = lethe_engine::model::Classifier::new(
        &experiment.model,
        d,
        k,
        experiment.seed,
        &runtime.eval,
    );
    let weights =
        block_on(lethe_engine::interchange::keras_weights(&model)).map_err(|e| e.to_string())?;
    let split =
        |s: &lethe_engine::data::Split| serde_json::json!({ "x": s.x, "y": s.y, "rows": s.len() });
    let value = serde_json::json!({
        "experiment": &**experiment,
        "n_features": d,
        "n_classes": k,
        "image_side": (model.image_side() > 0).then_some(model.image_side()),
        "train": split(&data.train),
        "test": split(&data.test),
        "initial_weights": weights.iter().map(|w| serde_json::json!({ "shape": w.shape, "values": w.values })).collect::<Vec<_>>(),
    });
    Ok(value.to_string())
}

fn main() -> ExitCode {
    match parse_args(std::env::args().skip(1)).and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("lethe: {message}");
            ExitCode::FAILURE
        }
    }
}
