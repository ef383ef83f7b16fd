//! Tables whose contents are known at compile time, so `call_indirect` through them can read a
//! constant array in the object instead of the instance's table.
//!
//! A standalone executable instantiates its module once, so a table that nothing outside the
//! module can see and no instruction can change holds, for the whole run, exactly what its
//! active element segments put there. For such a table the compiler writes an array of
//! `{ code pointer, canonical type number }` entries (`ENTRY_SIZE` bytes each) and
//! `call_indirect` becomes: compare the index with the constant size, load the entry's type
//! number and compare it with an immediate, call. That skips loading the table, its size, the
//! funcref pointer and the callee's vmctx (every entry is a function of this module, so the
//! caller's vmctx is the callee's), and the null check folds into the type check.
//!
//! A table qualifies when it is defined here (not imported), not exported, holds funcrefs, is
//! at most `MAX_ENTRIES` long, no instruction writes it (`table.set`, `table.grow`,
//! `table.fill`, `table.init`, `table.copy` into it), and every active segment into it has a
//! constant in-bounds offset and items that are `ref.func` of defined functions or `ref.null`.
//! The instance's table still exists with the same contents, for `table.get`, `table.size` and
//! copies out of it. Anything else keeps the general path.

use crate::module_env::{ModuleEnv, SegmentMode};
use rayon::prelude::*;
use wasmparser::Operator;

/// Bytes per entry: the code pointer, then the canonical type number (u32) and padding.
pub const ENTRY_SIZE: u32 = 16;
/// Offset of the type number in an entry.
pub const ENTRY_TYPE: i32 = 8;
/// The type number of an empty entry: matches no signature.
pub const NULL_TYPE: u32 = u32::MAX;
/// Larger tables keep the general path (the array is data in every executable).
const MAX_ENTRIES: u64 = 1 << 16;

/// The contents of a table fixed at compile time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaticTable {
    /// Function index in each slot (`None`: empty).
    pub slots: Vec<Option<u32>>,
}

/// What the compiler knows about a module's tables at compile time.
#[derive(Clone, Debug, Default)]
pub struct StaticTables {
    /// By table index.
    pub tables: Vec<Option<StaticTable>>,
    /// A number per distinct signature, by type index (`canonical_type_numbers`).
    pub type_numbers: Vec<u32>,
}

impl StaticTables {
    pub fn new(env: &ModuleEnv<'_>) -> StaticTables {
        StaticTables {
            tables: find(env),
            type_numbers: canonical_type_numbers(env),
        }
    }

    /// The static tables in table-index order: the object declares their arrays first, so the
    /// k-th is data object k (`data_index`).
    pub fn laid_out(&self) -> impl Iterator<Item = &StaticTable> {
        self.tables.iter().flatten()
    }

    /// The data-object index of table `table_index`'s array, when it is static.
    pub fn data_index(&self, table_index: u32) -> Option<u32> {
        let table_index = table_index as usize;
        self.tables.get(table_index)?.as_ref()?;
        Some(self.tables[..table_index].iter().flatten().count() as u32)
    }
}

/// The tables of `env` by table index, `Some` for those laid out statically.
pub fn find(env: &ModuleEnv<'_>) -> Vec<Option<StaticTable>> {
    let mut tables: Vec<Option<StaticTable>> = env
        .tables
        .iter()
        .enumerate()
        .map(|(index, table)| {
            let defined = index as u32 >= env.num_imported_tables;
            let exported = env
                .exports
                .iter()
                .any(|e| e.kind == crate::abi::ExternKind::Table && e.index == index as u32);
            let fits = table.ty.initial <= MAX_ENTRIES && table.ty.element_type.is_func_ref();
            (defined && !exported && fits).then(|| StaticTable {
                slots: vec![None; table.ty.initial as usize],
            })
        })
        .collect();
    if tables.iter().all(Option::is_none) {
        return tables;
    }
    for segment in &env.elems {
        if segment.mode != SegmentMode::Active {
            continue;
        }
        let Some(table) = tables[segment.table_index as usize].as_mut() else {
            continue;
        };
        if !apply_segment(env, segment, table) {
            tables[segment.table_index as usize] = None;
        }
    }
    let changed = changed_tables(env);
    for (index, table) in tables.iter_mut().enumerate() {
        if changed.get(index).copied().unwrap_or(true) {
            *table = None;
        }
    }
    tables
}

/// Writes `segment`'s items into `table`; false if they are not all known here.
fn apply_segment(
    env: &ModuleEnv<'_>,
    segment: &crate::module_env::ElemSegment,
    table: &mut StaticTable,
) -> bool {
    let [offset] = segment.offset.as_slice() else {
        return false;
    };
    if offset.opcode != 0x41 {
        return false; // not i32.const
    }
    let start = offset.lo as u32 as usize;
    let Some(end) = start.checked_add(segment.items.len()) else {
        return false;
    };
    if end > table.slots.len() {
        return false;
    }
    for (slot, item) in table.slots[start..end].iter_mut().zip(&segment.items) {
        *slot = match item.as_slice() {
            [op] if op.opcode == 0xD2 && op.index >= env.num_imported_funcs => Some(op.index),
            [op] if op.opcode == 0xD0 => None,
            _ => return false,
        };
    }
    true
}

/// Which tables some instruction can change, by table index.
fn changed_tables(env: &ModuleEnv<'_>) -> Vec<bool> {
    let per_body: Option<Vec<Vec<u32>>> = env
        .bodies
        .par_iter()
        .map(|body| {
            let mut touched = Vec::new();
            let mut reader = body.get_operators_reader().ok()?;
            while !reader.eof() {
                match reader.read().ok()? {
                    Operator::TableSet { table }
                    | Operator::TableGrow { table }
                    | Operator::TableFill { table }
                    | Operator::TableInit { table, .. } => touched.push(table),
                    Operator::TableCopy { dst_table, .. } => touched.push(dst_table),
                    _ => {}
                }
            }
            Some(touched)
        })
        .collect();
    let mut changed = vec![false; env.tables.len()];
    match per_body {
        Some(per_body) => {
            for table in per_body.into_iter().flatten() {
                changed[table as usize] = true;
            }
        }
        None => changed.fill(true),
    }
    changed
}

/// A number per distinct signature: equal for structurally equal types (as `call_indirect`
/// compares them), by type index.
pub fn canonical_type_numbers(env: &ModuleEnv<'_>) -> Vec<u32> {
    (0..env.types.len())
        .map(|index| {
            env.types[..index]
                .iter()
                .position(|earlier| *earlier == env.types[index])
                .unwrap_or(index) as u32
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables_of(wat: &str) -> Vec<Option<StaticTable>> {
        let wasm = wat::parse_str(wat).expect("valid wat");
        find(&crate::module_env::parse(&wasm).expect("valid module"))
    }

    const FUNCS: &str = r#"
        (import "env" "host" (func $host))
        (import "env" "g" (global $g i32))
        (type $t (func))
        (func $a) (func $b)
        (func $call (param i32) (call_indirect (type $t) (local.get 0)))"#;

    #[test]
    fn private_table_filled_by_constant_segments_is_static() {
        let tables = tables_of(&format!(
            "(module {FUNCS} (table 4 funcref) (elem (i32.const 1) $a $b) (elem (i32.const 2) $a))"
        ));
        let slots = &tables[0].as_ref().expect("static").slots;
        assert_eq!(slots, &[None, Some(1), Some(1), None]);
    }

    #[test]
    fn exported_imported_or_written_tables_are_not_static() {
        let written = [
            "(table (export \"t\") 2 funcref)",
            "(table 2 funcref) (func (table.set (i32.const 0) (ref.null func)))",
            "(table 2 funcref) (func (drop (table.grow (ref.null func) (i32.const 1))))",
            "(table 2 funcref) (func (table.fill (i32.const 0) (ref.null func) (i32.const 1)))",
            "(table 2 funcref) (elem func $a) (func (table.init 0 (i32.const 0) (i32.const 0) (i32.const 1)))",
            "(table 2 funcref) (table 2 funcref) (func (table.copy 0 1 (i32.const 0) (i32.const 0) (i32.const 1)))",
        ];
        for table in written {
            let tables = tables_of(&format!("(module {FUNCS} {table})"));
            assert_eq!(tables[0], None, "{table}");
        }
        let imported = tables_of(
            r#"(module (import "env" "t" (table 2 funcref)) (func (call_indirect (i32.const 0))))"#,
        );
        assert_eq!(imported[0], None);
    }

    #[test]
    fn segments_the_compiler_cannot_evaluate_keep_the_general_path() {
        let unknown = [
            "(table 2 funcref) (elem (global.get $g) $a)",
            "(table 2 funcref) (elem (i32.const 0) $host)",
            "(table 2 funcref) (elem (i32.const 1) $a $b)",
        ];
        for table in unknown {
            let tables = tables_of(&format!("(module {FUNCS} {table})"));
            assert_eq!(tables[0], None, "{table}");
        }
    }

    #[test]
    fn structurally_equal_types_share_a_number() {
        let wasm = wat::parse_str(
            "(module (type (func)) (type (func (param i32))) (type (func)) (type (func (param i32))))",
        )
        .expect("valid wat");
        let env = crate::module_env::parse(&wasm).expect("valid module");
        assert_eq!(canonical_type_numbers(&env), [0, 1, 0, 1]);
    }
}
