//! `lethe run experiment.json [--data FILE.csv] [--out report.json] [--backend cpu|wgpu]`: runs an experiment
//! and prints the JSON report (the same report the page downloads). The CPU by default; `wgpu` (a build with the
//! `gpu` feature) runs burn's wgpu backend on the machine's GPU.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lethe_engine::{Outcome, Runtime, Straight, block_on, prepare_data, run_experiment};
use lethe_protocol::{DataSource, Experiment};
use web_time::Instant;

const USAGE: &str = "usage: lethe run EXPERIMENT.json [--data FILE.csv] [--out REPORT.json] [--backend cpu|wgpu]

Runs the experiment and prints its JSON report (or writes it to --out).
For `\"source\": \"csv\"` the CSV is --data, or else the file named in data.csv.file, next to the experiment.
--backend: cpu (burn's CPU backend, the default) or wgpu (the GPU through wgpu; a build with --features gpu).";

struct Args {
    experiment: PathBuf,
    data: Option<PathBuf>,
    out: Option<PathBuf>,
    backend: Backend,
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
    match args.next().as_deref() {
        Some("run") => {}
        Some("-h" | "--help") | None => return Err(USAGE.into()),
        Some(other) => return Err(format!("unknown command \"{other}\"\n\n{USAGE}")),
    }
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
    let outcome = block_on(run_experiment(
        &experiment,
        &data,
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
    let json = report.to_json();
    match args.out {
        Some(path) => std::fs::write(&path, json + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => {
            println!("{json}");
            Ok(())
        }
    }
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
