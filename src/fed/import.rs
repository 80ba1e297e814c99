//! A federated report made elsewhere (Flower's `report.json`, the CLI's, another browser's) read into the
//! federated mode: checked as a kept report is, its experiment becomes the page's, and its table and charts are
//! drawn as if the federation had run here. Nothing is sent anywhere: the file is read in the page.

use leptos::prelude::*;
use lethe_protocol::{Experiment, Report, TaskKind};

use crate::files::on_file_chosen;
use crate::state::{AppState, use_app};
use crate::status::{RunState, RunStatus};

/// A report file's size limit: a federated report of many rounds is tens of kilobytes; 16 MB leaves room.
const MAX_REPORT_BYTES: usize = 16_000_000;

/// The report in `text` if it is a federated one that fits together, else why not (naming the file).
fn read_report(name: &str, text: &str) -> Result<Report, String> {
    let report: Report =
        serde_json::from_str(text).map_err(|e| format!("{name}: not a Lethe report ({e})"))?;
    report.check().map_err(|e| format!("{name}: {e}"))?;
    if report.outcome.federated().is_none() {
        return Err(format!(
            "{name}: a report of task \"{}\", not a federated one: import it with a federated report (Flower's \
             unlearning/report.json, or a federated run's download)",
            report.outcome.kind().key()
        ));
    }
    Experiment::validate(report.experiment.clone())
        .map_err(|e| format!("{name}: its experiment: {e}"))?;
    Ok(report)
}

/// Shows `report` as the federated job's result, with its experiment as the page's settings, and keeps it in this
/// browser as a finished run's results are kept.
fn show(app: &AppState, report: Report) {
    if let Err(why) = crate::storage::save_results(TaskKind::Federated, &report) {
        app.notify(format!(
            "The report could not be kept in this browser ({why}); it stays on the page until you reload."
        ));
    }
    let experiment = report.experiment.clone();
    if experiment.data.source != lethe_protocol::DataSource::Csv {
        app.csv.set(None);
    }
    app.experiment.set(experiment);
    app.remember_settings();
    app.jobs.get(TaskKind::Federated).set(RunState {
        status: RunStatus::Done,
        report: Some(report),
        ..RunState::default()
    });
}

/// "Import a report": a federated report file drawn here.
#[component]
pub fn ImportReport() -> impl IntoView {
    let app = use_app();
    let on_chosen = on_file_chosen(MAX_REPORT_BYTES, move |chosen| {
        let (name, text) = match chosen {
            Ok(file) => file,
            Err(e) => return app.input_error.set(Some(e)),
        };
        if app.jobs.any_running() {
            return app.input_error.set(Some(format!(
                "{name}: a run is in progress; import the report once it ends, or cancel it"
            )));
        }
        match read_report(&name, &text) {
            Ok(report) => {
                app.input_error.set(None);
                show(&app, report);
            }
            Err(e) => app.input_error.set(Some(e)),
        }
    });
    view! {
        <div class="fed-import">
            <label for="fed-import-report">"Import a report"</label>
            <input id="fed-import-report" type="file" accept=".json,application/json" on:change=on_chosen />
            <span class="hint">"A federation that ran elsewhere: Flower's unlearning/report.json (make flower-demo), or a report downloaded here. Read in this page, sent nowhere."</span>
        </div>
    }
}
