//! Starts the backend. Two builds share this file: the CPU-only engine (`lethe-worker`) that every page loads
//! first, and the WebGPU engine (`lethe-worker-gpu`, feature `webgpu`) that the page loads for a run on WebGPU.
//! Auto never takes a software adapter such as SwiftShader: burn's CPU backend is faster there
//! (docs/architecture.md §5: 40 s on SwiftShader against 1 s on the CPU).

use js_sys::Reflect;
use lethe_engine::Runtime;
use lethe_protocol::BackendChoice;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// What `navigator.gpu.requestAdapter()` found.
enum Adapter {
    NoApi,
    None,
    Software(String),
    Hardware(String),
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn text(target: &JsValue, key: &str) -> String {
    get(target, key).as_string().unwrap_or_default()
}

async fn probe() -> Adapter {
    let gpu = get(&get(&js_sys::global(), "navigator"), "gpu");
    if gpu.is_undefined() || gpu.is_null() {
        return Adapter::NoApi;
    }
    let Ok(request) = get(&gpu, "requestAdapter").dyn_into::<js_sys::Function>() else {
        return Adapter::NoApi;
    };
    let Ok(promise) = request
        .call0(&gpu)
        .and_then(|p| p.dyn_into::<js_sys::Promise>())
    else {
        return Adapter::None;
    };
    let adapter = match JsFuture::from(promise).await {
        Ok(a) if !a.is_null() && !a.is_undefined() => a,
        _ => return Adapter::None,
    };
    let info = get(&adapter, "info");
    let (vendor, arch, description) = (
        text(&info, "vendor"),
        text(&info, "architecture"),
        text(&info, "description"),
    );
    let fallback = get(&info, "isFallbackAdapter")
        .as_bool()
        .or_else(|| get(&adapter, "isFallbackAdapter").as_bool());
    let name = [vendor.as_str(), arch.as_str(), description.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let name = if name.is_empty() {
        "unnamed adapter".to_string()
    } else {
        name
    };
    let software = fallback == Some(true)
        || [&vendor, &arch, &description].iter().any(|s| {
            let s = s.to_lowercase();
            s.contains("swiftshader")
                || s.contains("llvmpipe")
                || s.contains("software")
                || s.contains("lavapipe")
        });
    if software {
        Adapter::Software(name)
    } else {
        Adapter::Hardware(name)
    }
}

/// What the worker starts with: the runtime, the reason for it, and the hardware adapter's name when there is one.
pub struct Started {
    pub runtime: Runtime,
    pub reason: String,
    pub adapter: Option<String>,
}

fn cpu(reason: impl Into<String>, adapter: Option<String>) -> Started {
    Started {
        runtime: Runtime::cpu(),
        reason: reason.into(),
        adapter,
    }
}

/// Auto's answer for every adapter but a hardware one: the CPU, and why. Gives back the hardware adapter's name.
fn auto_without_hardware(adapter: Adapter) -> Result<Started, String> {
    match adapter {
        Adapter::NoApi => Ok(cpu("this browser has no WebGPU", None)),
        Adapter::None => Ok(cpu("no WebGPU adapter is available", None)),
        Adapter::Software(name) => Ok(cpu(
            format!("the WebGPU adapter is a software one ({name}); the CPU is faster"),
            None,
        )),
        Adapter::Hardware(name) => Err(name),
    }
}

/// The CPU-only engine (`lethe-worker`, the one every visitor loads): it never starts WebGPU, but with Auto it
/// looks for a hardware adapter and names it, so that the page can load the WebGPU engine for a run that pays.
#[cfg(not(feature = "webgpu"))]
pub async fn runtime(choice: BackendChoice) -> Result<Started, String> {
    match choice {
        BackendChoice::Cpu => Ok(cpu("CPU chosen in the settings", None)),
        BackendChoice::Webgpu => Err(
            "this is the CPU-only engine; the page loads the WebGPU engine \
            (lethe-worker-gpu) for WebGPU"
                .into(),
        ),
        BackendChoice::Auto => Ok(auto_without_hardware(probe().await).unwrap_or_else(|name| {
            cpu(
                format!(
                    "hardware WebGPU adapter {name}: Auto takes it for runs large enough to pay"
                ),
                Some(name),
            )
        })),
    }
}

/// The WebGPU engine (`lethe-worker-gpu`, loaded only for a run on WebGPU). Errors when WebGPU was forced and
/// failed.
#[cfg(feature = "webgpu")]
pub async fn runtime(choice: BackendChoice) -> Result<Started, String> {
    let gpu = |runtime: Runtime, reason: String, adapter: Option<String>| Started {
        runtime,
        reason,
        adapter,
    };
    match choice {
        BackendChoice::Cpu => Ok(cpu("CPU chosen in the settings", None)),
        BackendChoice::Webgpu => {
            // Say plainly why a forced WebGPU cannot start before burn's own (technical) error.
            let (detail, hardware) = match probe().await {
                Adapter::NoApi => {
                    return Err("Backend is set to WebGPU, but this browser has no WebGPU \
                        (navigator.gpu is missing)"
                        .into());
                }
                Adapter::None => {
                    return Err(
                        "Backend is set to WebGPU, but this browser offers no WebGPU \
                        adapter (no GPU, or WebGPU is disabled)"
                            .into(),
                    );
                }
                Adapter::Software(n) => (n, false),
                Adapter::Hardware(n) => (n, true),
            };
            match Runtime::webgpu().await {
                Ok(rt) => Ok(gpu(
                    rt,
                    format!("WebGPU forced in the settings ({detail})"),
                    hardware.then_some(detail),
                )),
                Err(e) => Err(format!(
                    "Backend is set to WebGPU, and the adapter ({detail}) failed to start: {e}"
                )),
            }
        }
        BackendChoice::Auto => Ok(match auto_without_hardware(probe().await) {
            Ok(started) => started,
            Err(name) => match Runtime::webgpu().await {
                Ok(rt) => gpu(rt, format!("hardware WebGPU adapter: {name}"), Some(name)),
                Err(e) => cpu(format!("WebGPU failed to start ({e}); using the CPU"), None),
            },
        }),
    }
}
