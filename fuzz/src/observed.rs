//! What one step did, in a form both sides map to: the native driver's outcome lines and the
//! oracle's JSON. Values are hex bits per the driver's encoding; references are "0" (null) or
//! "1", since their bits mean nothing across engines.

use spectest::run::Outcome;
use spectest::values::Value;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observed {
    /// Instantiated.
    Ok,
    /// Returned these values (a memory read returns its pages and CRC-32).
    Ret(Vec<String>),
    /// Trapped, with the spec's message (the oracle's `table out of bounds` stands for both
    /// `undefined element` and `out of bounds table access`, which wasmtime does not tell apart).
    Trap(String),
    /// An exception reached the host.
    Exception,
    /// The call stack was exhausted.
    Exhausted,
    /// Nothing comparable happened: the reason (a compile error, a crash, a refused module).
    Error(String),
}

/// The hex form of a value as the oracle reports it.
pub fn value_hex(value: &Value) -> String {
    match value {
        Value::FuncRef(bits) | Value::ExternRef(bits) => if *bits == 0 { "0" } else { "1" }.into(),
        other => {
            let encoded = other.encode();
            encoded
                .split_once(':')
                .map_or(encoded.clone(), |(_, hex)| hex.to_string())
        }
    }
}

impl Observed {
    /// The native driver's outcome for a step.
    pub fn from_native(outcome: &Outcome) -> Observed {
        match outcome {
            Outcome::Ok => Observed::Ok,
            Outcome::Ret(values) => Observed::Ret(values.iter().map(value_hex).collect()),
            Outcome::Trap(message) if message.starts_with("call stack exhausted") => {
                Observed::Exhausted
            }
            Outcome::Trap(message) if message.starts_with("uncaught exception") => {
                Observed::Exception
            }
            Outcome::Trap(message) => Observed::Trap(message.clone()),
            Outcome::Link(message) => Observed::Error(format!("link error: {message}")),
            Outcome::Error(message) => Observed::Error(format!("driver error: {message}")),
        }
    }

    /// The oracle's JSON outcome (`["ret", [HEX...]]`, `["trap", KIND]`, ...).
    pub fn from_oracle(json: &serde_json::Value) -> Observed {
        let tag = json.get(0).and_then(|t| t.as_str()).unwrap_or("");
        let text = || {
            json.get(1)
                .and_then(|t| t.as_str())
                .unwrap_or("")
                .to_string()
        };
        match tag {
            "ok" => Observed::Ok,
            "ret" => Observed::Ret(
                json.get(1)
                    .and_then(|v| v.as_array())
                    .map(|values| {
                        values
                            .iter()
                            .filter_map(|v| v.as_str())
                            .map(String::from)
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
            "trap" => Observed::Trap(text()),
            "exception" => Observed::Exception,
            "exhausted" => Observed::Exhausted,
            _ => Observed::Error(format!("oracle: {}", text())),
        }
    }
}
