//! Turns a `.wast` file into the list of modules to compile and the steps to run.
//!
//! Everything that can be decided without executing code is decided here: module names are
//! resolved to instance *slots* (one per instantiation, so the driver needs no name table),
//! arguments and expected results are converted to `values`, and `assert_invalid` /
//! `assert_malformed` modules are kept as bytes (or as the text error) for `run` to check
//! with `wasm2exe_compiler::validate`. Directives we cannot handle become steps that fail
//! with a reason, so they are counted and visible rather than silently skipped.

use std::collections::HashMap;

use wast::token::{Id, Span};
use wast::{QuoteWat, Wast, WastDirective, WastExecute, WastInvoke, Wat};

use crate::values::{Expected, Value};

/// A parsed `.wast` file.
#[derive(Debug, Default)]
pub struct Script {
    /// Binaries of the modules to instantiate; index `n` is compiled with prefix `m{n}_`.
    pub modules: Vec<Vec<u8>>,
    /// Number of instance slots the steps use.
    pub num_slots: usize,
    pub steps: Vec<Step>,
}

#[derive(Debug)]
pub struct Step {
    /// 1-based line of the directive in the `.wast` file.
    pub line: u32,
    /// Whether this is an assertion (counted in the totals) or just an action.
    pub is_assertion: bool,
    pub kind: StepKind,
}

#[derive(Debug)]
pub enum StepKind {
    /// Instantiate `modules[module]` into `slot`.
    Instantiate {
        slot: usize,
        module: usize,
        expect: InstanceExpect,
    },
    /// Make the exports of `slot` importable under `name`.
    Register { slot: usize, name: String },
    /// Call export `name` of `slot`.
    Invoke {
        slot: usize,
        name: String,
        args: Vec<Value>,
        expect: Expect,
    },
    /// Read exported global `name` of `slot`.
    Get {
        slot: usize,
        name: String,
        expect: Expect,
    },
    /// `assert_invalid` / `assert_malformed`: the module must be rejected. `Err` holds the
    /// text-format error when the module did not even encode (which already passes).
    Reject {
        module: Result<Vec<u8>, String>,
        message: String,
    },
    /// A step that fails (or, for a module, leaves its slot unusable) without running.
    Broken { slot: Option<usize>, reason: String },
}

/// What instantiating a module should do.
#[derive(Debug, PartialEq, Eq)]
pub enum InstanceExpect {
    /// A plain `module` directive.
    Success,
    /// `assert_trap (module ...)`: the start function or a segment traps.
    Trap(String),
    /// `assert_unlinkable`: a link error.
    Unlinkable,
}

/// What an action should do.
#[derive(Debug, PartialEq)]
pub enum Expect {
    /// A bare action outside an assertion: anything goes.
    Anything,
    Return(Vec<Expected>),
    Trap(String),
    Exhaustion,
    /// `assert_exception` (exception handling): the call ends in an uncaught exception.
    Exception,
}

/// The runtime's message for an exception that reached the host (`W2E_TRAP_UNCAUGHT_EXCEPTION`).
pub const UNCAUGHT_EXCEPTION: &str = "uncaught exception";

/// Parses `text` (the contents of a `.wast` file).
pub fn parse(text: &str) -> Result<Script, String> {
    let text = &crate::legacy::unfold_legacy_try(text);
    // names.wast exports names with bidi overrides and other "confusing" characters on
    // purpose; the lexer rejects those unless told otherwise.
    let mut lexer = wast::lexer::Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let lines = LineIndex::new(text);
    let render = |e: wast::Error| format!("line {}: {}", lines.line(e.span()), e.message());
    let buf = wast::parser::ParseBuffer::new_with_lexer(lexer).map_err(render)?;
    let wast = wast::parser::parse::<Wast>(&buf).map_err(render)?;
    let mut builder = Builder {
        lines,
        ..Builder::default()
    };
    for directive in wast.directives {
        builder.directive(directive);
    }
    Ok(builder.script)
}

/// Byte offset → line number, by binary search over line starts (spans are offsets and a
/// linear scan per directive is quadratic on the 1 MB SIMD files).
#[derive(Debug, Default)]
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { starts }
    }

    fn line(&self, span: Span) -> u32 {
        let idx = self.starts.partition_point(|&s| s <= span.offset());
        idx as u32
    }
}

#[derive(Default)]
struct Builder {
    lines: LineIndex,
    script: Script,
    /// Slot of the most recent `module` directive.
    current: Option<usize>,
    /// `$name` → slot, for `module $name` and `module instance $name`.
    named: HashMap<String, usize>,
    /// `module definition $name` → module index.
    definitions: HashMap<String, Result<usize, String>>,
}

impl Builder {
    fn push(&mut self, span: Span, is_assertion: bool, kind: StepKind) {
        let line = self.lines.line(span);
        self.script.steps.push(Step {
            line,
            is_assertion,
            kind,
        });
    }

    fn new_slot(&mut self) -> usize {
        self.script.num_slots += 1;
        self.script.num_slots - 1
    }

    /// Encodes a module to instantiate; returns its index in `modules`.
    fn add_module(&mut self, module: &mut QuoteWat<'_>) -> Result<usize, String> {
        if matches!(
            module,
            QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_))
        ) {
            return Err("components are not supported".into());
        }
        let bytes = module
            .encode()
            .map_err(|e| format!("text format error: {e}"))?;
        self.script.modules.push(bytes);
        Ok(self.script.modules.len() - 1)
    }

    /// A step instantiating `module` (or failing to) into a fresh slot.
    fn instantiate(
        &mut self,
        span: Span,
        module: Result<usize, String>,
        expect: InstanceExpect,
    ) -> usize {
        let slot = self.new_slot();
        let is_assertion = expect != InstanceExpect::Success;
        let kind = match module {
            Ok(module) => StepKind::Instantiate {
                slot,
                module,
                expect,
            },
            Err(reason) => StepKind::Broken {
                slot: Some(slot),
                reason,
            },
        };
        self.push(span, is_assertion, kind);
        slot
    }

    fn slot_of(&self, id: Option<Id<'_>>) -> Result<usize, String> {
        match id {
            Some(id) => self
                .named
                .get(id.name())
                .copied()
                .ok_or_else(|| format!("unknown module ${}", id.name())),
            None => self
                .current
                .ok_or_else(|| "no module instantiated yet".to_string()),
        }
    }

    fn directive(&mut self, directive: WastDirective<'_>) {
        let span = directive.span();
        match directive {
            WastDirective::Module(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                let index = self.add_module(&mut module);
                let slot = self.instantiate(span, index, InstanceExpect::Success);
                self.current = Some(slot);
                if let Some(name) = name {
                    self.named.insert(name, slot);
                }
            }
            WastDirective::ModuleDefinition(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                let index = self.add_module(&mut module);
                if let Some(name) = name {
                    self.definitions.insert(name, index);
                }
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let index = match module {
                    Some(id) => self.definitions.get(id.name()).cloned().unwrap_or_else(|| {
                        Err(format!("unknown module definition ${}", id.name()))
                    }),
                    None => Err("module instance without a definition".into()),
                };
                let slot = self.instantiate(span, index, InstanceExpect::Success);
                self.current = Some(slot);
                if let Some(id) = instance {
                    self.named.insert(id.name().to_string(), slot);
                }
            }
            WastDirective::Register { name, module, .. } => {
                let kind = match self.slot_of(module) {
                    Ok(slot) => StepKind::Register {
                        slot,
                        name: name.to_string(),
                    },
                    Err(reason) => StepKind::Broken { slot: None, reason },
                };
                self.push(span, false, kind);
            }
            WastDirective::Invoke(invoke) => self.invoke(span, false, invoke, Expect::Anything),
            WastDirective::AssertReturn { exec, results, .. } => {
                let expected: Result<Vec<_>, _> = results.iter().map(Expected::from_ret).collect();
                match expected {
                    Ok(expected) => self.execute(span, exec, Expect::Return(expected)),
                    Err(reason) => self.push(span, true, StepKind::Broken { slot: None, reason }),
                }
            }
            WastDirective::AssertTrap { exec, message, .. } => {
                self.execute(span, exec, Expect::Trap(message.to_string()))
            }
            WastDirective::AssertExhaustion { call, .. } => {
                self.invoke(span, true, call, Expect::Exhaustion)
            }
            WastDirective::AssertUnlinkable { module, .. } => {
                let index = self.add_module(&mut QuoteWat::Wat(module));
                self.instantiate(span, index, InstanceExpect::Unlinkable);
            }
            WastDirective::AssertInvalid {
                module, message, ..
            }
            | WastDirective::AssertMalformed {
                module, message, ..
            } => self.reject(span, module, message),
            WastDirective::AssertException { exec, .. } => {
                self.execute(span, exec, Expect::Exception)
            }
            WastDirective::AssertInvalidCustom { .. }
            | WastDirective::AssertMalformedCustom { .. }
            | WastDirective::AssertSuspension { .. } => {
                let reason = "unsupported assertion kind (not Wasm 2.0)".to_string();
                self.push(span, true, StepKind::Broken { slot: None, reason });
            }
            WastDirective::Thread(_) | WastDirective::Wait { .. } => {
                let reason = "threads in scripts are not supported".to_string();
                self.push(span, false, StepKind::Broken { slot: None, reason });
            }
        }
    }

    /// `assert_return` / `assert_trap` on an action or a module.
    fn execute(&mut self, span: Span, exec: WastExecute<'_>, expect: Expect) {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(span, true, invoke, expect),
            WastExecute::Get { module, global, .. } => {
                let kind = match self.slot_of(module) {
                    Ok(slot) => StepKind::Get {
                        slot,
                        name: global.to_string(),
                        expect,
                    },
                    Err(reason) => StepKind::Broken { slot: None, reason },
                };
                self.push(span, true, kind);
            }
            WastExecute::Wat(module) => {
                let index = self.add_module(&mut QuoteWat::Wat(module));
                let expect = match expect {
                    Expect::Trap(message) => InstanceExpect::Trap(message),
                    Expect::Exception => InstanceExpect::Trap(UNCAUGHT_EXCEPTION.into()),
                    // `assert_return (module ...)` is not a thing in the spec tests; treat it
                    // as "instantiates fine".
                    _ => InstanceExpect::Success,
                };
                let slot = self.new_slot();
                let kind = match index {
                    Ok(module) => StepKind::Instantiate {
                        slot,
                        module,
                        expect,
                    },
                    Err(reason) => StepKind::Broken {
                        slot: Some(slot),
                        reason,
                    },
                };
                self.push(span, true, kind);
            }
        }
    }

    fn invoke(&mut self, span: Span, is_assertion: bool, invoke: WastInvoke<'_>, expect: Expect) {
        let kind = (|| {
            let slot = self.slot_of(invoke.module)?;
            let args = invoke
                .args
                .iter()
                .map(Value::from_arg)
                .collect::<Result<_, _>>()?;
            Ok(StepKind::Invoke {
                slot,
                name: invoke.name.to_string(),
                args,
                expect,
            })
        })()
        .unwrap_or_else(|reason| StepKind::Broken { slot: None, reason });
        self.push(span, is_assertion, kind);
    }

    fn reject(&mut self, span: Span, mut module: QuoteWat<'_>, message: &str) {
        if matches!(
            module,
            QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_))
        ) {
            let reason = "components are not supported".to_string();
            self.push(span, true, StepKind::Broken { slot: None, reason });
            return;
        }
        // A quoted module may already fail in the text parser, which counts as rejected.
        let module = module.encode().map_err(|e| e.message());
        self.push(
            span,
            true,
            StepKind::Reject {
                module,
                message: message.to_string(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"(module $A
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (global (export "g") i32 (i32.const 7)))
(register "A" $A)
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(invoke "add" (i32.const 1) (i32.const 2))
(module (func (export "f") (unreachable)))
(assert_trap (invoke "f") "unreachable")
(assert_return (get $A "g") (i32.const 7))
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_malformed (module quote "(func") "unexpected end")
(assert_unlinkable (module (import "A" "nope" (func))) "unknown import")
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
(assert_exhaustion (invoke "f") "call stack exhausted")
(assert_return (invoke $B "x"))
"#;

    #[test]
    fn sample_script() {
        let script = parse(SAMPLE).unwrap();
        // A, the second module, the unlinkable one and the trapping one.
        assert_eq!(script.modules.len(), 4);
        assert_eq!(script.num_slots, 4);
        let lines: Vec<_> = script
            .steps
            .iter()
            .map(|s| (s.line, s.is_assertion))
            .collect();
        assert_eq!(
            lines,
            [
                (1, false),
                (4, false),
                (5, true),
                (6, false),
                (7, false),
                (8, true),
                (9, true),
                (10, true),
                (11, true),
                (12, true),
                (13, true),
                (14, true),
                (15, true)
            ]
        );
        let s = &script.steps;
        assert!(matches!(
            s[0].kind,
            StepKind::Instantiate {
                slot: 0,
                module: 0,
                expect: InstanceExpect::Success
            }
        ));
        assert!(matches!(&s[1].kind, StepKind::Register { slot: 0, name } if name == "A"));
        match &s[2].kind {
            StepKind::Invoke {
                slot: 0,
                name,
                args,
                expect,
            } => {
                assert_eq!(name, "add");
                assert_eq!(args, &[Value::I32(1), Value::I32(2)]);
                assert_eq!(expect, &Expect::Return(vec![Expected::I32(3)]));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            s[5].kind,
            StepKind::Invoke {
                slot: 1,
                expect: Expect::Trap(_),
                ..
            }
        ));
        assert!(matches!(s[6].kind, StepKind::Get { slot: 0, .. }));
        assert!(matches!(&s[7].kind, StepKind::Reject { module: Ok(_), .. }));
        assert!(matches!(
            &s[8].kind,
            StepKind::Reject { module: Err(_), .. }
        ));
        assert!(matches!(
            s[9].kind,
            StepKind::Instantiate {
                slot: 2,
                module: 2,
                expect: InstanceExpect::Unlinkable
            }
        ));
        assert!(
            matches!(&s[10].kind, StepKind::Instantiate { slot: 3, module: 3, expect: InstanceExpect::Trap(m) } if m == "unreachable")
        );
        assert!(matches!(
            s[11].kind,
            StepKind::Invoke {
                slot: 1,
                expect: Expect::Exhaustion,
                ..
            }
        ));
        assert!(
            matches!(&s[12].kind, StepKind::Broken { slot: None, reason } if reason == "unknown module $B")
        );
    }

    #[test]
    fn line_index() {
        let idx = LineIndex::new("a\nbc\n\nd");
        assert_eq!(idx.line(Span::from_offset(0)), 1);
        assert_eq!(idx.line(Span::from_offset(1)), 1);
        assert_eq!(idx.line(Span::from_offset(2)), 2);
        assert_eq!(idx.line(Span::from_offset(5)), 3);
        assert_eq!(idx.line(Span::from_offset(6)), 4);
    }
}
