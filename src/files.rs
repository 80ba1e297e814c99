//! Files in and out of the browser, all local: save text as a download, read a chosen file as text.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

/// Offers `text` as a download named `name`.
pub fn download(name: &str, text: &str, mime: &str) {
    offer(name, &js_sys::Array::of1(&text.into()), mime);
}

/// Offers `bytes` as a download named `name`.
pub fn download_bytes(name: &str, bytes: &[u8], mime: &str) {
    offer(
        name,
        &js_sys::Array::of1(&js_sys::Uint8Array::from(bytes)),
        mime,
    );
}

/// Offers the blob of `parts` as a download named `name`, through a link clicked at once.
fn offer(name: &str, parts: &js_sys::Array, mime: &str) {
    let run = || -> Result<(), JsValue> {
        let options = BlobPropertyBag::new();
        options.set_type(mime);
        let blob = Blob::new_with_buffer_source_sequence_and_options(parts, &options)?;
        let url = Url::create_object_url_with_blob(&blob)?;
        let document = web_sys::window()
            .and_then(|w| w.document())
            .ok_or("no document")?;
        let a: HtmlAnchorElement = document.create_element("a")?.unchecked_into();
        a.set_href(&url);
        a.set_download(name);
        a.click();
        Url::revoke_object_url(&url)?;
        Ok(())
    };
    if let Err(e) = run() {
        web_sys::console::error_1(&e);
    }
}

/// The first file chosen in a file input, if any, or why it is refused: over `max_bytes`, judged from its size
/// before it is read.
fn chosen(
    input: &web_sys::HtmlInputElement,
    max_bytes: usize,
) -> Option<Result<web_sys::File, String>> {
    let file = input.files()?.get(0)?;
    if file.size() > max_bytes as f64 {
        return Some(Err(format!(
            "{} is {} bytes; Lethe takes at most {max_bytes} bytes here ({:.0} MB)",
            file.name(),
            file.size(),
            max_bytes as f64 / 1e6
        )));
    }
    Some(Ok(file))
}

/// The first file chosen in a file input, with its text; a file over `max_bytes` is refused from its size,
/// before it is read.
async fn read_chosen(
    input: &web_sys::HtmlInputElement,
    max_bytes: usize,
) -> Option<Result<(String, String), String>> {
    let file = match chosen(input, max_bytes)? {
        Ok(file) => file,
        Err(why) => return Some(Err(why)),
    };
    let name = file.name();
    Some(match JsFuture::from(file.text()).await {
        Ok(t) => Ok((name, t.as_string().unwrap_or_default())),
        Err(e) => Err(format!("cannot read {name}: {e:?}")),
    })
}

/// The first file chosen in a file input, with its bytes; a file over `max_bytes` is refused from its size,
/// before it is read.
async fn read_chosen_bytes(
    input: &web_sys::HtmlInputElement,
    max_bytes: usize,
) -> Option<Result<(String, Vec<u8>), String>> {
    let file = match chosen(input, max_bytes)? {
        Ok(file) => file,
        Err(why) => return Some(Err(why)),
    };
    let name = file.name();
    Some(match JsFuture::from(file.array_buffer()).await {
        Ok(b) => Ok((name, js_sys::Uint8Array::new(&b).to_vec())),
        Err(e) => Err(format!("cannot read {name}: {e:?}")),
    })
}

/// An `on:change` handler for a file input: reads the chosen file, hands `(name, text)` (or why it could not be
/// read, or is over `max_bytes`) to `on_read`, then clears the input so that choosing the same file again fires anew.
pub fn on_file_chosen(
    max_bytes: usize,
    on_read: impl Fn(Result<(String, String), String>) + Copy + 'static,
) -> impl Fn(web_sys::Event) + Copy + 'static {
    move |ev: web_sys::Event| {
        with_input(ev, move |input| async move {
            if let Some(result) = read_chosen(&input, max_bytes).await {
                on_read(result);
            }
        })
    }
}

/// [`on_file_chosen`] for a binary file: hands `(name, bytes)` to `on_read`.
pub fn on_bytes_chosen(
    max_bytes: usize,
    on_read: impl Fn(Result<(String, Vec<u8>), String>) + Copy + 'static,
) -> impl Fn(web_sys::Event) + Copy + 'static {
    move |ev: web_sys::Event| {
        with_input(ev, move |input| async move {
            if let Some(result) = read_chosen_bytes(&input, max_bytes).await {
                on_read(result);
            }
        })
    }
}

/// Runs `read` on the event's file input, then clears the input.
fn with_input<F: std::future::Future<Output = ()> + 'static>(
    ev: web_sys::Event,
    read: impl FnOnce(web_sys::HtmlInputElement) -> F + 'static,
) {
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        read(input.clone()).await;
        input.set_value("");
    });
}

/// The text of one of the page's own static files (`url` relative to the page), fetched from its origin.
pub async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("{e:?}"))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| "not a response")?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let text = JsFuture::from(response.text().map_err(|e| format!("{e:?}"))?)
        .await
        .map_err(|e| format!("{e:?}"))?;
    Ok(text.as_string().unwrap_or_default())
}
