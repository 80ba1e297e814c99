//! `lethe run experiment.json [--data FILE.csv] [--out report.json] [--backend cpu|wgpu]`: runs an experiment
//! and prints the JSON report (the same report the page downloads). The CPU by default; `wgpu` (a build with the
//! `gpu` feature) runs burn's wgpu backend on the machine's GPU.
//!
//! `--save-model ROW=FILE.safetensors` (repeatable) writes the model of the report's row ROW (`train`, `retrain`,
//! a method) as a safetensors file: an imported model in its own layout and names, a model Lethe trained as the
//! PyTorch `nn.Sequential` of docs/your-model.md.
//!
//! `lethe export experiment.json [--data FILE.csv] [--out FILE.json]`: prints the experiment's standardised
//! training and test splits and the model's initial weights in Keras's layout, so that another framework trains the
//! same model on the same data from the same start (`make bench` compares TensorFlow.js with it).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lethe_engine::unlearn::Fitted;
use lethe_engine::{Flow, Host, Outcome, Runtime, block_on, prepare_data, run_experiment};
use lethe_protocol::{DataSource, Experiment};
use web_time::Instant;

const USAGE: &str = "usage: lethe run EXPERIMENT.json [--data FILE.csv] [--out REPORT.json] [--backend cpu|wgpu]
                 [--save-model ROW=FILE.safetensors ...]
       lethe export EXPERIMENT.json [--data FILE.csv] [--out DATA.json]

run: runs the experiment and prints its JSON report (or writes it to --out).
export: prints the standardised training and test splits and the model's initial weights in Keras's layout.
For `\"source\": \"csv\"` the CSV is --data, or else the file named in data.csv.file, next to the experiment.
--backend: cpu (burn's CPU backend, the default) or wgpu (the GPU through wgpu; a build with --features gpu).
--save-model: writes the model of the report's row ROW (train, retrain or a method) as safetensors, in the layout
and with the names of model.import's file, or as PyTorch's nn.Sequential for a model Lethe trained. Repeatable.
model.import.file is read next to the experiment.";

struct Args {
    command: Command,
    experiment: PathBuf,
    data: Option<PathBuf>,
    out: Option<PathBuf>,
    backend: Backend,
    save: Vec<(String, PathBuf)>,
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
    let mut save = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--data" => data = Some(args.next().ok_or("--data needs a file")?.into()),
            "--out" => out = Some(args.next().ok_or("--out needs a file")?.into()),
            "--save-model" => {
                let pair = args
                    .next()
                    .ok_or("--save-model needs ROW=FILE.safetensors")?;
                let Some((row, file)) = pair
                    .split_once('=')
                    .filter(|(r, f)| !r.is_empty() && !f.is_empty())
                else {
                    return Err(format!(
                        "--save-model needs ROW=FILE.safetensors (a row of the report and a file), got \"{pair}\""
                    ));
                };
                save.push((row.to_string(), PathBuf::from(file)));
            }
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
        save,
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
    let next_to_experiment = |file: &str| {
        args.experiment
            .parent()
            .unwrap_or(Path::new("."))
            .join(file)
    };
    let (experiment, imported) = match &experiment.model.import {
        Some(import) => {
            let path = next_to_experiment(&import.file);
            let tensors = lethe_engine::weights::read::file(&path, &import.file)
                .map_err(|e| e.to_string())?;
            let (experiment, imported) =
                lethe_engine::weights::resolve(experiment, tensors).map_err(|e| e.to_string())?;
            (experiment, Some(imported))
        }
        None => (experiment, None),
    };
    check_rows(&experiment, &args.save)?;
    let csv_text = match (&experiment.data.source, &experiment.data.csv) {
        (DataSource::Csv, Some(spec)) => {
            let path = args
                .data
                .clone()
                .unwrap_or_else(|| next_to_experiment(&spec.file));
            Some(read(&path)?)
        }
        _ => None,
    };
    let data = prepare_data(&experiment, csv_text.as_deref()).map_err(|e| e.to_string())?;
    if args.command == Command::Export {
        return write(args.out.as_deref(), export(&experiment, &data)?);
    }
    let (kept, origin) =
        lethe_engine::weights::start(&experiment, imported.as_ref(), &data, &runtime.device)
            .map_err(|e| e.to_string())?;
    if let Some(imported) = &imported {
        eprintln!(
            "lethe: model: {}",
            imported.describe(data.n_features(), data.n_classes())
        );
    }
    let mut keeper = Keeper {
        wanted: args.save.iter().map(|(row, _)| row.clone()).collect(),
        kept: Vec::new(),
    };
    let outcome = block_on(run_experiment(
        &experiment,
        &data,
        kept,
        &runtime,
        &mut keeper,
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
    for (row, path) in &args.save {
        let (_, model) = keeper
            .kept
            .iter()
            .find(|(r, _)| r == row)
            .ok_or_else(|| format!("--save-model {row}: the run kept no model for this row"))?;
        let bytes = block_on(lethe_engine::weights::export::safetensors(model, &origin))
            .map_err(|e| e.to_string())?;
        std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    write(args.out.as_deref(), report.to_json())
}

/// Refuses a `--save-model` row the report will not have, naming the rows it will.
fn check_rows(
    experiment: &lethe_protocol::ValidExperiment,
    save: &[(String, PathBuf)],
) -> Result<(), String> {
    let rows: Vec<&str> = match &experiment.task {
        lethe_protocol::Task::Train => vec!["train"],
        lethe_protocol::Task::Unlearn(u) => ["train", "retrain"]
            .into_iter()
            .chain(u.methods.iter().map(|s| s.method.key()))
            .collect(),
        other => {
            return match save.first() {
                Some((row, _)) => Err(format!(
                    "--save-model {row}: the {} task keeps no model to save; use it with training or an unlearn section",
                    other.kind().key()
                )),
                None => Ok(()),
            };
        }
    };
    match save.iter().find(|(row, _)| !rows.contains(&row.as_str())) {
        Some((row, _)) => Err(format!(
            "--save-model {row}: the report has no row \"{row}\"; its rows are {}",
            rows.join(", ")
        )),
        None => Ok(()),
    }
}

/// The CLI's host: runs straight through, and keeps the models `--save-model` asks for.
struct Keeper {
    wanted: Vec<String>,
    kept: Vec<(String, Fitted)>,
}

impl Host for Keeper {
    async fn pause(&mut self) -> Flow {
        Flow::Continue
    }
    fn epoch(
        &mut self,
        _record: &lethe_protocol::EpochRecord,
        _epochs_total: usize,
    ) -> lethe_engine::Result<()> {
        Ok(())
    }
    fn model(&mut self, row: &str, model: &dyn std::any::Any) {
        if let Some(model) = model.downcast_ref::<Fitted>()
            && self.wanted.iter().any(|w| w == row)
        {
            self.kept.push((row.to_string(), model.clone()));
        }
    }
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
