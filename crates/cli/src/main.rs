//! `lethe run experiment.json [--data FILE.csv] [--out report.json]`: runs an experiment on the CPU and prints
//! the JSON report (the same report the page downloads).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lethe_engine::{Outcome, Runtime, Straight, block_on, prepare_data, run_experiment};
use lethe_protocol::{DataSource, Experiment};
use web_time::Instant;

const USAGE: &str = "usage: lethe run EXPERIMENT.json [--data FILE.csv] [--out REPORT.json]

Runs the experiment on the CPU and prints its JSON report (or writes it to --out).
For `\"source\": \"csv\"` the CSV is --data, or else the file named in data.csv.file, next to the experiment.";

struct Args {
    experiment: PathBuf,
    data: Option<PathBuf>,
    out: Option<PathBuf>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    match args.next().as_deref() {
        Some("run") => {}
        Some("-h" | "--help") | None => return Err(USAGE.into()),
        Some(other) => return Err(format!("unknown command \"{other}\"\n\n{USAGE}")),
    }
    let mut experiment = None;
    let (mut data, mut out) = (None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--data" => data = Some(args.next().ok_or("--data needs a file")?.into()),
            "--out" => out = Some(args.next().ok_or("--out needs a file")?.into()),
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
    })
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn run(args: Args) -> Result<(), String> {
    let started = Instant::now();
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
        &Runtime::cpu(),
        &mut Straight,
        "cli",
        started,
    ))
    .map_err(|e| e.to_string())?;
    let Outcome::Finished { report, .. } = outcome else {
        return Err("the run was cancelled".into());
    };
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
