//! The Python of the external oracles: the interpreter `make test` prepares (a virtual environment with
//! `tests/oracle/requirements.txt`, pinned), named by `LETHE_PYTHON`, and a call of one of its scripts.

use std::io::Write;
use std::process::{Command, Stdio};

/// The Python that has the oracles' packages, or `None` (with a note) where the environment names none.
pub fn python() -> Option<String> {
    match std::env::var("LETHE_PYTHON") {
        Ok(p) if !p.is_empty() => Some(p),
        _ if std::env::var_os("CI").is_some() => {
            panic!("LETHE_PYTHON is not set: make test prepares it (scripts/bootstrap.sh python)")
        }
        _ => {
            eprintln!(
                "skipped: LETHE_PYTHON is not set (make test prepares a Python with scikit-learn)"
            );
            None
        }
    }
}

/// Runs `script` (under tests/oracle/) with `request` on standard input and parses its JSON answer.
pub fn ask(python: &str, script: &str, request: &serde_json::Value) -> serde_json::Value {
    // Through the workspace, so that the CLI's tests find the engine's oracles too.
    let path = format!(
        "{}/../engine/tests/oracle/{script}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut child = Command::new(python)
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {python} {path}: {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
