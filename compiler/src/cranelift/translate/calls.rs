//! Calls: direct calls to the module's own functions, calls through the vmctx's funcrefs for
//! imports, `call_indirect` with its bounds, null and signature checks, and their `return_call`
//! forms. Inside a `try`, every call becomes a `try_call` (see `exceptions`).

use super::{CallKind, FuncTranslator, exceptions, trusted, wasm_signature};
use crate::abi::TrapKind;
use crate::cranelift::traps::CraneliftTrap;
use cranelift_codegen::ir::{
    self, ExternalName, FuncRef, GlobalValueData, InstBuilder, UserExternalName, Value,
    condcodes::IntCC, immediates::Imm64, types,
};

impl FuncTranslator<'_, '_> {
    pub(super) fn translate_call(&mut self, func_index: u32) {
        let type_index = self.module.env.func_types[func_index as usize];
        let num_params = self.module.env.types[type_index as usize].params().len();
        let args = self.popn(num_params);
        let results = if func_index < self.module.env.num_imported_funcs {
            let (code, callee_vmctx) = self.load_func_ref(func_index);
            let sig = self.wasm_sig(type_index);
            let mut call_args = vec![callee_vmctx];
            call_args.extend(args);
            self.emit_call(exceptions::Callee::Indirect(sig, code), &call_args)
        } else {
            let func_ref = self.direct_func(func_index);
            let mut call_args = vec![self.vmctx];
            call_args.extend(args);
            self.emit_call(exceptions::Callee::Direct(func_ref), &call_args)
        };
        self.stack.extend(results);
    }

    pub(super) fn direct_func(&mut self, func_index: u32) -> FuncRef {
        if let Some(&f) = self.direct_funcs.get(&func_index) {
            return f;
        }
        let sig = wasm_signature(self.module.env.func_type(func_index));
        let f = self.import_function(self.module.symbols.func(func_index), sig);
        self.direct_funcs.insert(func_index, f);
        f
    }

    /// Code pointer and vmctx of the funcref the vmctx holds for function `func_index`.
    pub(super) fn load_func_ref(&mut self, func_index: u32) -> (Value, Value) {
        let offset = self.module.layout.func_ref(func_index);
        let flags = trusted().with_readonly();
        let func_ref = self
            .builder
            .ins()
            .load(types::I64, flags, self.vmctx, offset);
        self.load_code_and_vmctx(func_ref)
    }

    fn load_code_and_vmctx(&mut self, func_ref: Value) -> (Value, Value) {
        use crate::abi::funcref;
        let flags = trusted().with_readonly();
        let code = self
            .builder
            .ins()
            .load(types::I64, flags, func_ref, funcref::CODE);
        let vmctx = self
            .builder
            .ins()
            .load(types::I64, flags, func_ref, funcref::VMCTX);
        (code, vmctx)
    }

    /// `return_call`: the callee replaces this frame (both use the tail convention).
    pub(super) fn translate_return_call(&mut self, func_index: u32) {
        let type_index = self.module.env.func_types[func_index as usize];
        let num_params = self.module.env.types[type_index as usize].params().len();
        let args = self.popn(num_params);
        if func_index < self.module.env.num_imported_funcs {
            let (code, callee_vmctx) = self.load_func_ref(func_index);
            let sig = self.wasm_sig(type_index);
            let mut call_args = vec![callee_vmctx];
            call_args.extend(args);
            self.builder
                .ins()
                .return_call_indirect(sig, code, &call_args);
        } else {
            let func_ref = self.direct_func(func_index);
            let mut call_args = vec![self.vmctx];
            call_args.extend(args);
            self.builder.ins().return_call(func_ref, &call_args);
        }
        self.reachable = false;
    }

    pub(super) fn translate_call_indirect(
        &mut self,
        type_index: u32,
        table_index: u32,
        kind: CallKind,
    ) {
        use crate::abi::{funcref, table};
        let index = self.pop();
        let ty = &self.module.env.types[type_index as usize];
        let expected_id = crate::abi::type_id(ty);
        let args = self.popn(ty.params().len());
        if let Some(data_index) = self.module.static_tables.data_index(table_index) {
            // Every entry is a function of this module: the callee's vmctx is ours.
            let code = self.static_table_code(table_index, data_index, type_index, index);
            self.call_code(type_index, code, self.vmctx, args, kind);
            return;
        }

        let table_ptr = self.table_pointer(table_index);
        let size = self
            .builder
            .ins()
            .load(types::I32, trusted(), table_ptr, table::SIZE);
        let out_of_bounds = self
            .builder
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, index, size);
        self.trap_if(out_of_bounds, TrapKind::UndefinedElement);
        let elements = self
            .builder
            .ins()
            .load(types::I64, trusted(), table_ptr, table::ELEMENTS);
        let index64 = self.builder.ins().uextend(types::I64, index);
        let byte_offset = self.builder.ins().ishl_imm_u(index64, 3);
        let slot = self.builder.ins().iadd(elements, byte_offset);
        let func_ref = self.builder.ins().load(types::I64, trusted(), slot, 0);
        self.builder
            .ins()
            .trapz(func_ref, TrapKind::UninitializedElement.trap_code());
        let actual_id = self.builder.ins().load(
            types::I64,
            trusted().with_readonly(),
            func_ref,
            funcref::TYPE_ID,
        );
        let mismatch =
            self.builder
                .ins()
                .icmp_imm_u(IntCC::NotEqual, actual_id, expected_id as i64);
        self.trap_if(mismatch, TrapKind::IndirectCallType);
        let (code, callee_vmctx) = self.load_code_and_vmctx(func_ref);
        self.call_code(type_index, code, callee_vmctx, args, kind);
    }

    /// Calls (or tail-calls) checked `code` of type `type_index` with `callee_vmctx`.
    fn call_code(
        &mut self,
        type_index: u32,
        code: Value,
        callee_vmctx: Value,
        args: Vec<Value>,
        kind: CallKind,
    ) {
        let sig = self.wasm_sig(type_index);
        let mut call_args = vec![callee_vmctx];
        call_args.extend(args);
        if kind == CallKind::TailCall {
            self.builder
                .ins()
                .return_call_indirect(sig, code, &call_args);
            self.reachable = false;
            return;
        }
        let results = self.emit_call(exceptions::Callee::Indirect(sig, code), &call_args);
        self.stack.extend(results);
    }

    /// The code pointer of entry `index` of a static table (see `static_tables`), after the
    /// checks `call_indirect` makes: in bounds (against the constant size), then the entry's
    /// type number against the expected one; an empty entry's number matches nothing, and a
    /// cold block tells the two failures apart.
    fn static_table_code(
        &mut self,
        table_index: u32,
        data_index: u32,
        type_index: u32,
        index: Value,
    ) -> Value {
        use crate::static_tables::{ENTRY_SIZE, ENTRY_TYPE};
        let size = self.module.env.tables[table_index as usize].ty.initial;
        let out_of_bounds =
            self.builder
                .ins()
                .icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, index, size as i64);
        self.trap_if(out_of_bounds, TrapKind::UndefinedElement);
        let array = self.static_table_array(data_index);
        let base = self.builder.ins().symbol_value(types::I64, array);
        let index64 = self.builder.ins().uextend(types::I64, index);
        let byte_offset = self
            .builder
            .ins()
            .ishl_imm_u(index64, i64::from(ENTRY_SIZE.trailing_zeros()));
        let entry = self.builder.ins().iadd(base, byte_offset);
        let flags = trusted().with_readonly().with_can_move();
        let actual = self
            .builder
            .ins()
            .load(types::I32, flags, entry, ENTRY_TYPE);
        let expected = self.module.static_tables.type_numbers[type_index as usize];
        let mismatch = self
            .builder
            .ins()
            .icmp_imm_u(IntCC::NotEqual, actual, i64::from(expected));
        let checked = self.builder.create_block();
        let failed = self.builder.create_block();
        self.builder.set_cold_block(failed);
        self.builder.ins().brif(mismatch, failed, &[], checked, &[]);
        self.builder.seal_block(failed);
        self.builder.seal_block(checked);

        self.builder.switch_to_block(failed);
        let code = self.builder.ins().load(types::I64, flags, entry, 0);
        self.builder
            .ins()
            .trapz(code, TrapKind::UninitializedElement.trap_code());
        self.builder
            .ins()
            .trap(TrapKind::IndirectCallType.trap_code());

        self.builder.switch_to_block(checked);
        self.builder.ins().load(types::I64, flags, entry, 0)
    }

    /// The symbol of a static table's array (data object `data_index`), declared once per
    /// function so that its address is computed once.
    fn static_table_array(&mut self, data_index: u32) -> ir::GlobalValue {
        if let Some(&array) = self.static_tables.get(&data_index) {
            return array;
        }
        // Namespace 1 is cranelift-module's data objects (0 is functions).
        let name = self
            .builder
            .func
            .declare_imported_user_function(UserExternalName {
                namespace: 1,
                index: data_index,
            });
        let array = self.builder.create_global_value(GlobalValueData::Symbol {
            name: ExternalName::user(name),
            offset: Imm64::new(0),
            colocated: true,
            tls: false,
        });
        self.static_tables.insert(data_index, array);
        array
    }

    /// The `w2e_table *` of table `table_index` (fixed for the instance's lifetime).
    pub fn table_pointer(&mut self, table_index: u32) -> Value {
        let offset = self.module.layout.table(table_index);
        self.builder
            .ins()
            .load(types::I64, trusted().with_readonly(), self.vmctx, offset)
    }
}
