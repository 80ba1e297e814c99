//! Options in the page's query string (the experiment itself is in the hash): `?embed` for the compact view an
//! iframe shows, `?fault=gpu-lost@3` or `?fault=worker-crash@3` to test recovery.

use lethe_protocol::Fault;

/// What the query string asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageOptions {
    /// The compact view for an iframe.
    pub embed: bool,
    /// A fault to inject into the first worker.
    pub fault: Option<Fault>,
}

impl PageOptions {
    /// Reads `search` (`location.search`, with or without its `?`). Unknown parameters are ignored; a bad fault is
    /// returned as a message naming the value.
    pub fn from_search(search: &str) -> (PageOptions, Option<String>) {
        let mut options = PageOptions::default();
        let mut error = None;
        for pair in search
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "embed" => options.embed = value != "0" && value != "false",
                "fault" => match Fault::parse(value) {
                    Ok(f) => options.fault = Some(f),
                    Err(e) => error = Some(format!("The link's {e}; no fault is injected.")),
                },
                _ => {}
            }
        }
        (options, error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_embed_and_fault() {
        let (o, e) = PageOptions::from_search("?embed&fault=gpu-lost@3");
        assert_eq!((o.embed, o.fault, e), (true, Some(Fault::GpuLost(3)), None));
        let (o, _) = PageOptions::from_search("");
        assert_eq!(o, PageOptions::default());
        let (o, e) = PageOptions::from_search("?fault=boom");
        assert_eq!(o.fault, None);
        assert!(e.unwrap().contains("\"boom\""));
    }
}
