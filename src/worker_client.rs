//! The worker client, the page's side of the engine: it starts the Web Worker from a `blob:` URL (so that the worker inherits the
//! page's Content-Security-Policy, docs/architecture.md §7), sends [`Command`]s and hands [`Event`]s to a callback. It also
//! detects a crashed worker (`error` event) and can terminate a busy or hung one.

use std::cell::RefCell;
use std::rc::Rc;

use lethe_protocol::{Command, Event};
use wasm_bindgen::prelude::*;
use web_sys::{Blob, BlobPropertyBag, ErrorEvent, MessageEvent, Url, Worker};

/// The workers' scripts and wasm, as trunk names them (worker files are not hashed): the CPU-only engine, which
/// every page loads, and the WebGPU engine, loaded only for a run on WebGPU.
const CPU_WORKER: (&str, &str) = ("lethe-worker.js", "lethe-worker_bg.wasm");
const GPU_WORKER: (&str, &str) = ("lethe-worker-gpu.js", "lethe-worker-gpu_bg.wasm");

/// What the worker tells the page.
pub enum Signal {
    /// A protocol event.
    Event(Event),
    /// The worker died (an uncaught error, a failed load).
    Crashed(String),
}

struct Live {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

/// One engine worker at a time; [`WorkerClient::start`] replaces the previous one.
#[derive(Clone, Default)]
pub struct WorkerClient {
    live: Rc<RefCell<Option<Live>>>,
}

fn absolute(file: &str) -> String {
    let base = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_default();
    Url::new_with_base(file, &base)
        .map(|u| u.href())
        .unwrap_or_else(|_| file.to_string())
}

impl WorkerClient {
    /// Starts a fresh worker (terminating any previous one), the WebGPU engine when `gpu`; `on_signal` receives
    /// everything it says.
    pub fn start(&self, gpu: bool, on_signal: impl Fn(Signal) + 'static) -> Result<(), String> {
        self.stop();
        let (js, wasm) = if gpu { GPU_WORKER } else { CPU_WORKER };
        // The loaded module's exports stay reachable as `self.lethe_wasm` in the worker (its memory is what the
        // soak test measures; nothing in the page reads it).
        let loader = format!(
            "importScripts({js:?});\nwasm_bindgen({{ module_or_path: {wasm:?} }}).then(function (w) {{ self.lethe_wasm = w; }}, function (e) {{ setTimeout(function () {{ throw e; }}); }});\n",
            js = absolute(js),
            wasm = absolute(wasm),
        );
        let parts = js_sys::Array::of1(&JsValue::from_str(&loader));
        let options = BlobPropertyBag::new();
        options.set_type("text/javascript");
        let blob = Blob::new_with_str_sequence_and_options(&parts, &options)
            .map_err(|e| format!("{e:?}"))?;
        let url = Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
        let worker =
            Worker::new(&url).map_err(|e| format!("the engine worker could not start: {e:?}"))?;
        let _ = Url::revoke_object_url(&url);
        let on_signal = Rc::new(on_signal);
        let sink = on_signal.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |msg: MessageEvent| {
            let text = msg.data().as_string().unwrap_or_default();
            match serde_json::from_str::<Event>(&text) {
                Ok(event) => sink(Signal::Event(event)),
                Err(e) => sink(Signal::Crashed(format!(
                    "the engine sent an unreadable message ({e})"
                ))),
            }
        });
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
            e.prevent_default();
            let message = if e.message().is_empty() {
                "unknown error".to_string()
            } else {
                e.message()
            };
            on_signal(Signal::Crashed(message));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        *self.live.borrow_mut() = Some(Live {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        });
        Ok(())
    }

    /// Sends a command; false when no worker is running.
    pub fn send(&self, command: &Command) -> bool {
        match self.live.borrow().as_ref() {
            Some(live) => live
                .worker
                .post_message(&JsValue::from_str(&command.to_json()))
                .is_ok(),
            None => false,
        }
    }

    /// Terminates the worker at once (a hard stop: its models are gone).
    pub fn stop(&self) {
        if let Some(live) = self.live.borrow_mut().take() {
            live.worker.set_onmessage(None);
            live.worker.set_onerror(None);
            live.worker.terminate();
        }
    }
}
