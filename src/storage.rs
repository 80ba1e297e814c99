//! What the page keeps in this browser, and how it forgets it: the settings and the last results in
//! `localStorage`, uploaded CSV files in IndexedDB (they can be large). Nothing is ever sent anywhere.

use js_sys::Promise;
use lethe_protocol::{Experiment, Report};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbFactory, IdbRequest, IdbTransactionMode};

const SETTINGS_KEY: &str = "lethe.settings";
const RESULTS_KEY: &str = "lethe.results";
const DB_NAME: &str = "lethe";
const STORE: &str = "datasets";

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The test switch (`page_options::TEST_SWITCH_KEY`), which only the browser tests write.
pub fn test_switch() -> Option<String> {
    local()?
        .get_item(crate::page_options::TEST_SWITCH_KEY)
        .ok()
        .flatten()
}

/// The saved settings, if any.
pub fn load_settings() -> Option<Result<Experiment, String>> {
    let text = local()?.get_item(SETTINGS_KEY).ok()??;
    Some(Experiment::from_json(&text).map_err(|e| format!("the saved settings are unusable ({e})")))
}

/// Saves the settings.
pub fn save_settings(experiment: &Experiment) {
    if let Some(s) = local() {
        let _ = s.set_item(SETTINGS_KEY, &experiment.to_json());
    }
}

/// The saved results of the last finished run, if any. Results that cannot be read or do not fit together
/// ([`Report::check`]) are deleted, and the message says why.
pub fn load_results() -> Option<Result<Report, String>> {
    let storage = local()?;
    let text = storage.get_item(RESULTS_KEY).ok()??;
    let report = serde_json::from_str::<Report>(&text)
        .map_err(|e| e.to_string())
        .and_then(|r| r.check().map(|()| r));
    if report.is_err() {
        let _ = storage.remove_item(RESULTS_KEY);
    }
    Some(report)
}

/// Saves the results of a finished run.
pub fn save_results(report: &Report) {
    if let Some(s) = local() {
        let _ = s.set_item(RESULTS_KEY, &report.to_json());
    }
}

fn js_error(context: &str, e: JsValue) -> String {
    let detail = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"));
    format!("{context}: {detail}")
}

fn factory() -> Result<IdbFactory, String> {
    web_sys::window()
        .ok_or("no window")?
        .indexed_db()
        .map_err(|e| js_error("IndexedDB", e))?
        .ok_or_else(|| "this browser offers no IndexedDB".to_string())
}

/// Waits for an IndexedDB request and returns its result.
async fn finished(request: &IdbRequest) -> Result<JsValue, String> {
    let promise = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    let outcome = JsFuture::from(promise).await;
    request.set_onsuccess(None);
    request.set_onerror(None);
    outcome.map_err(|_| {
        request
            .error()
            .ok()
            .flatten()
            .map_or("IndexedDB request failed".to_string(), |e| e.message())
    })?;
    request.result().map_err(|e| js_error("IndexedDB", e))
}

async fn open() -> Result<IdbDatabase, String> {
    let request = factory()?
        .open_with_u32(DB_NAME, 1)
        .map_err(|e| js_error("opening IndexedDB", e))?;
    let for_upgrade = request.clone();
    let upgrade = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        if let Ok(db) = for_upgrade.result() {
            let db: IdbDatabase = db.unchecked_into();
            if !db.object_store_names().contains(STORE) {
                let _ = db.create_object_store(STORE);
            }
        }
    });
    request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let db = finished(&request).await;
    request.set_onupgradeneeded(None);
    drop(upgrade);
    Ok(db?.unchecked_into())
}

async fn with_store<T>(
    mode: IdbTransactionMode,
    action: impl FnOnce(&web_sys::IdbObjectStore) -> Result<IdbRequest, JsValue>,
    read: impl FnOnce(JsValue) -> T,
) -> Result<T, String> {
    let db = open().await?;
    let result = async {
        let store = db
            .transaction_with_str_and_mode(STORE, mode)
            .and_then(|t| t.object_store(STORE))
            .map_err(|e| js_error("IndexedDB", e))?;
        let request = action(&store).map_err(|e| js_error("IndexedDB", e))?;
        finished(&request).await.map(read)
    }
    .await;
    db.close();
    result
}

/// Keeps an uploaded CSV file in this browser, under its name.
pub async fn save_csv(name: &str, text: &str) -> Result<(), String> {
    with_store(
        IdbTransactionMode::Readwrite,
        |s| s.put_with_key(&JsValue::from_str(text), &JsValue::from_str(name)),
        |_| (),
    )
    .await
}

/// The kept CSV file called `name`, if any.
pub async fn load_csv(name: &str) -> Result<Option<String>, String> {
    with_store(
        IdbTransactionMode::Readonly,
        |s| s.get(&JsValue::from_str(name)),
        |v| v.as_string(),
    )
    .await
}

/// What [`forget_everything`] deleted.
#[derive(Debug, Clone, Default)]
pub struct Forgotten {
    /// Uploaded files, with their sizes in bytes.
    pub datasets: Vec<(String, usize)>,
    /// Whether saved results were deleted.
    pub results: bool,
    /// Whether saved settings were deleted.
    pub settings: bool,
}

impl Forgotten {
    /// A sentence for the page.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.datasets.is_empty() {
            parts.push("no uploaded dataset was stored".to_string());
        } else {
            let files: Vec<String> = self
                .datasets
                .iter()
                .map(|(n, b)| format!("\"{n}\" ({:.1} KB)", *b as f64 / 1024.0))
                .collect();
            parts.push(format!(
                "{} uploaded dataset{}: {}",
                files.len(),
                if files.len() == 1 { "" } else { "s" },
                files.join(", ")
            ));
        }
        if self.results {
            parts.push("the stored results".into());
        }
        if self.settings {
            parts.push("the stored settings".into());
        }
        format!("Deleted from this browser: {}.", parts.join("; "))
    }
}

/// Deletes every uploaded dataset (the whole IndexedDB database), the stored results and the stored settings.
pub async fn forget_everything() -> Result<Forgotten, String> {
    let mut forgotten = Forgotten::default();
    let names = with_store(
        IdbTransactionMode::Readonly,
        |s| s.get_all_keys(),
        |v| v.dyn_into::<js_sys::Array>().ok(),
    )
    .await
    .ok()
    .flatten();
    for key in names.iter().flat_map(|a| a.iter()) {
        if let Some(name) = key.as_string() {
            let size = load_csv(&name).await.ok().flatten().map_or(0, |t| t.len());
            forgotten.datasets.push((name, size));
        }
    }
    let request = factory()?
        .delete_database(DB_NAME)
        .map_err(|e| js_error("deleting IndexedDB", e))?;
    finished(&request).await?;
    if let Some(s) = local() {
        forgotten.results = s.get_item(RESULTS_KEY).ok().flatten().is_some();
        forgotten.settings = s.get_item(SETTINGS_KEY).ok().flatten().is_some();
        let _ = s.remove_item(RESULTS_KEY);
        let _ = s.remove_item(SETTINGS_KEY);
    }
    Ok(forgotten)
}
