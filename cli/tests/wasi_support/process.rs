//! Running a child with a deadline, so a runtime that hangs (in poll_oneoff, say) fails its
//! test instead of stalling the whole suite.

use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Generous: wasmtime compiles the module on every run, and the machine may be busy.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Runs `command` with an empty stdin and captured output; kills it after [`TIMEOUT`].
pub fn output_with_timeout(mut command: Command) -> Output {
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    let pid = child.id();
    let (done, finished) = mpsc::channel::<()>();
    let watchdog = thread::spawn(move || {
        if finished.recv_timeout(TIMEOUT) == Err(mpsc::RecvTimeoutError::Timeout) {
            // Our own child, by its id.
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            return true;
        }
        false
    });
    let mut output = child.wait_with_output().expect("wait for the child");
    let _ = done.send(());
    if watchdog.join().unwrap_or(false) {
        let note = format!(
            "\n[killed after {} s: the test's timeout]\n",
            TIMEOUT.as_secs()
        );
        output.stderr.extend_from_slice(note.as_bytes());
    }
    output
}
