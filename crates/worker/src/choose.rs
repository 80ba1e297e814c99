//! Picks the backend. Auto takes WebGPU only on a hardware adapter: with no adapter, or a software one such as
//! SwiftShader, burn's CPU backend is faster (docs/architecture.md §5: 40 s on SwiftShader against 1 s on the CPU).

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

/// Starts the runtime for `choice` and says why it was chosen. Errors when WebGPU was forced and failed.
pub async fn runtime(choice: BackendChoice) -> Result<(Runtime, String), String> {
    match choice {
        BackendChoice::Cpu => Ok((Runtime::cpu(), "CPU chosen in the settings".into())),
        BackendChoice::Webgpu => {
            // Say plainly why a forced WebGPU cannot start before burn's own (technical) error.
            let detail = match probe().await {
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
                Adapter::Software(n) | Adapter::Hardware(n) => n,
            };
            match Runtime::webgpu().await {
                Ok(rt) => Ok((rt, format!("WebGPU forced in the settings ({detail})"))),
                Err(e) => Err(format!(
                    "Backend is set to WebGPU, and the adapter ({detail}) failed to start: {e}"
                )),
            }
        }
        BackendChoice::Auto => match probe().await {
            Adapter::NoApi => Ok((Runtime::cpu(), "this browser has no WebGPU".into())),
            Adapter::None => Ok((Runtime::cpu(), "no WebGPU adapter is available".into())),
            Adapter::Software(name) => Ok((
                Runtime::cpu(),
                format!("the WebGPU adapter is a software one ({name}); the CPU is faster"),
            )),
            Adapter::Hardware(name) => match Runtime::webgpu().await {
                Ok(rt) => Ok((rt, format!("hardware WebGPU adapter: {name}"))),
                Err(e) => Ok((
                    Runtime::cpu(),
                    format!("WebGPU failed to start ({e}); using the CPU"),
                )),
            },
        },
    }
}
