//! The LLVM intrinsics a code unit uses: each must be declared once per unit.

use std::collections::BTreeSet;

#[derive(Default)]
pub struct Intrinsics {
    decls: BTreeSet<String>,
}

impl Intrinsics {
    /// Records a declaration (`declare ...`) the unit needs.
    pub fn use_decl(&mut self, decl: &str) {
        if !self.decls.contains(decl) {
            self.decls.insert(decl.to_string());
        }
    }

    /// Declares intrinsic `name` returning `ret` with parameters `params`; returns its
    /// `@name` for a call.
    pub fn intrinsic(&mut self, name: &str, ret: &str, params: &[&str]) -> String {
        self.use_decl(&format!("declare {ret} @{name}({})", params.join(", ")));
        format!("@{name}")
    }

    /// The declarations, one per line, in a stable order.
    pub fn declarations(&self) -> String {
        self.decls.iter().map(|d| format!("{d}\n")).collect()
    }
}
