//! What the page keeps in this browser, and how it forgets it: the settings and the last results in
//! `localStorage`, uploaded CSV files in IndexedDB (they can be large). Nothing is ever sent anywhere.
//! With "don't keep my data" (the memory-only preference, itself one flag in `localStorage`) nothing else is written.

use js_sys::Promise;
use lethe_protocol::{Experiment, Report, TaskKind};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbFactory, IdbRequest, IdbTransactionMode};

const SETTINGS_KEY: &str = "lethe.settings";
/// The results of each task's last run: training's under the key earlier versions used.
fn results_key(kind: TaskKind) -> String {
    match kind {
        TaskKind::Train => "lethe.results".into(),
        other => format!("lethe.results.{}", other.key()),
    }
}
const DB_NAME: &str = "lethe";
const STORE: &str = "datasets";
const MEMORY_ONLY_KEY: &str = "lethe.memory-only";
/// How long "Forget my data" waits for IndexedDB (another tab holding it open blocks the deletion).
const DELETE_WAIT_MS: i32 = 3000;

thread_local! {
    /// Bumped by [`forget_everything`]: a save that started before it deletes what it wrote.
    static GENERATION: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

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

/// Whether the user asked to keep data in memory only.
pub fn memory_only() -> bool {
    local()
        .and_then(|s| s.get_item(MEMORY_ONLY_KEY).ok().flatten())
        .is_some_and(|v| v == "1")
}

/// Sets the memory-only preference.
pub fn set_memory_only(on: bool) {
    if let Some(s) = local() {
        let _ = if on {
            s.set_item(MEMORY_ONLY_KEY, "1")
        } else {
            s.remove_item(MEMORY_ONLY_KEY)
        };
    }
}

/// The saved settings, if any.
pub fn load_settings() -> Option<Result<Experiment, String>> {
    let text = local()?.get_item(SETTINGS_KEY).ok()??;
    Some(Experiment::from_json(&text).map_err(|e| format!("the saved settings are unusable ({e})")))
}

/// Saves the settings.
pub fn save_settings(experiment: &Experiment) {
    if let Some(s) = local().filter(|_| !memory_only()) {
        let _ = s.set_item(SETTINGS_KEY, &experiment.to_json());
    }
}

/// The saved results of `kind`'s last finished run, if any. Results that cannot be read, do not fit together
/// ([`Report::check`]) or are another task's are deleted, and the message says why.
pub fn load_results(kind: TaskKind) -> Option<Result<Report, String>> {
    let storage = local()?;
    let key = results_key(kind);
    let text = storage.get_item(&key).ok()??;
    let report = serde_json::from_str::<Report>(&text)
        .map_err(|e| e.to_string())
        .and_then(|r| r.check().map(|()| r))
        .and_then(|r| {
            if r.outcome.kind() == kind {
                Ok(r)
            } else {
                Err(format!(
                    "a report of task \"{}\" where \"{}\" was expected",
                    r.outcome.kind().key(),
                    kind.key()
                ))
            }
        });
    if report.is_err() {
        let _ = storage.remove_item(&key);
    }
    Some(report)
}

/// Saves the results of `kind`'s finished run (nothing under "don't keep my data"). A browser that refuses (its
/// storage full) gets the reason back; the results stay on the page until a reload.
pub fn save_results(kind: TaskKind, report: &Report) -> Result<(), String> {
    match local().filter(|_| !memory_only()) {
        Some(s) => s
            .set_item(&results_key(kind), &report.to_json())
            .map_err(|e| js_error("the browser's storage refused them", e)),
        None => Ok(()),
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

/// Keeps an uploaded CSV file in this browser, under its name (nothing in memory-only mode). A save that
/// "Forget my data" overtook deletes what it wrote.
pub async fn save_csv(name: &str, text: &str) -> Result<(), String> {
    if memory_only() {
        return Ok(());
    }
    let generation = GENERATION.with(|g| g.get());
    with_store(
        IdbTransactionMode::Readwrite,
        |s| s.put_with_key(&JsValue::from_str(text), &JsValue::from_str(name)),
        |_| (),
    )
    .await?;
    if GENERATION.with(|g| g.get()) != generation {
        with_store(
            IdbTransactionMode::Readwrite,
            |s| s.delete(&JsValue::from_str(name)),
            |_| (),
        )
        .await?;
    }
    Ok(())
}

/// The name under which to keep a newly uploaded file called `name`: its own, unless a different file of that
/// name is already kept, then `stem (2).csv`, `stem (3).csv`…, so that no kept file is overwritten silently.
/// Returns the name and whether it changed.
pub async fn free_name(name: &str, text: &str) -> (String, bool) {
    if memory_only() {
        return (name.to_string(), false);
    }
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    for n in 1..1000 {
        let candidate = if n == 1 {
            name.to_string()
        } else {
            format!("{stem} ({n}){ext}")
        };
        match load_csv(&candidate).await {
            Ok(Some(kept)) if kept != text => continue,
            // Free, the same file, or IndexedDB unusable (then nothing is kept anyway).
            _ => return (candidate.clone(), candidate != name),
        }
    }
    (name.to_string(), false)
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
    /// Why the uploaded files could not be deleted now, if they could not (IndexedDB failed, or another tab
    /// keeps it open: the deletion then completes when that tab closes).
    pub files_problem: Option<String>,
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
        let mut text = format!("Deleted from this browser: {}.", parts.join("; "));
        if let Some(problem) = &self.files_problem {
            text.push_str(&format!(" Uploaded files: {problem}."));
        }
        text
    }
}

/// How a database deletion ended within the wait.
enum Deletion {
    Done,
    Blocked,
    Failed(String),
}

/// Deletes the whole IndexedDB database, waiting at most [`DELETE_WAIT_MS`].
async fn delete_database() -> Deletion {
    let request = match factory().and_then(|f| {
        f.delete_database(DB_NAME)
            .map_err(|e| js_error("deleting IndexedDB", e))
    }) {
        Ok(r) => r,
        Err(e) => return Deletion::Failed(e),
    };
    let promise = Promise::new(&mut |resolve, _| {
        let done = resolve.clone();
        let on_success = Closure::once_into_js(move || {
            let _ = done.call1(&JsValue::NULL, &JsValue::from_str("done"));
        });
        let failed = resolve.clone();
        let on_error = Closure::once_into_js(move || {
            let _ = failed.call1(&JsValue::NULL, &JsValue::from_str("failed"));
        });
        let blocked = resolve.clone();
        let on_blocked = Closure::once_into_js(move || {
            let _ = blocked.call1(&JsValue::NULL, &JsValue::from_str("blocked"));
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
        request.set_onblocked(Some(on_blocked.unchecked_ref()));
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_1(
                &resolve,
                DELETE_WAIT_MS,
                &JsValue::from_str("timeout"),
            );
        }
    });
    let outcome = JsFuture::from(promise)
        .await
        .ok()
        .and_then(|v| v.as_string());
    match outcome.as_deref() {
        Some("done") => Deletion::Done,
        Some("blocked") | Some("timeout") => Deletion::Blocked,
        _ => Deletion::Failed(
            request
                .error()
                .ok()
                .flatten()
                .map_or("IndexedDB failed".to_string(), |e| e.message()),
        ),
    }
}

/// Deletes every uploaded dataset (the whole IndexedDB database), the stored results and the stored settings.
/// It always finishes: the `localStorage` part does not wait for IndexedDB, and a deletion that IndexedDB blocks
/// (another tab) or refuses is reported, not waited for.
pub async fn forget_everything() -> Forgotten {
    GENERATION.with(|g| g.set(g.get() + 1));
    let mut forgotten = Forgotten::default();
    if let Some(s) = local() {
        for kind in TaskKind::ALL {
            let key = results_key(kind);
            forgotten.results |= s.get_item(&key).ok().flatten().is_some();
            let _ = s.remove_item(&key);
        }
        forgotten.settings = s.get_item(SETTINGS_KEY).ok().flatten().is_some();
        let _ = s.remove_item(SETTINGS_KEY);
    }
    // Listing opens the database; behind a blocked deletion (an earlier click) that waits too, so it is bounded.
    let listing = wasm_bindgen_futures::future_to_promise(async {
        Ok(
            with_store(IdbTransactionMode::Readonly, |s| s.get_all_keys(), |v| v)
                .await
                .unwrap_or(JsValue::UNDEFINED),
        )
    });
    let names = within(listing, DELETE_WAIT_MS)
        .await
        .and_then(|v| v.dyn_into::<js_sys::Array>().ok());
    for key in names.iter().flat_map(|a| a.iter()) {
        if let Some(name) = key.as_string() {
            let lookup = {
                let name = name.clone();
                wasm_bindgen_futures::future_to_promise(async move {
                    Ok(load_csv(&name)
                        .await
                        .ok()
                        .flatten()
                        .map_or(JsValue::UNDEFINED, |t| JsValue::from_f64(t.len() as f64)))
                })
            };
            let size = within(lookup, DELETE_WAIT_MS)
                .await
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0);
            forgotten.datasets.push((name, size as usize));
        }
    }
    forgotten.files_problem = match delete_database().await {
        Deletion::Done => None,
        Deletion::Blocked => Some(
            "another tab of Lethe keeps the browser's database open; they are deleted as soon as it closes".into(),
        ),
        Deletion::Failed(why) => Some(format!("could not be deleted ({why})")),
    };
    forgotten
}

/// What `promise` resolves to, or `None` if it rejects or takes longer than `ms` milliseconds.
async fn within(promise: Promise, ms: i32) -> Option<JsValue> {
    let late = JsValue::from_str("lethe: too late");
    let timer = Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_1(
                &resolve,
                ms,
                &late.clone(),
            );
        }
    });
    let winner = JsFuture::from(Promise::race(&js_sys::Array::of2(&promise, &timer)))
        .await
        .ok()?;
    (winner != late).then_some(winner)
}
