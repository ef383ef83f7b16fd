//! How the ABI's C structs are declared once and laid out for a pointer width.
//!
//! Each struct is a `StructDef`: its fields in order, each with a `FieldType` that decides its
//! size and alignment by C's rules. The offsets both backends and the descriptor writer use
//! are computed from these tables (`StructDef::offset`, usable in constants), and the C header
//! is rendered from the same tables (`header`), so the two cannot disagree without the header
//! test failing. 64-bit integers are declared `w2e_u64` in C, a `uint64_t` aligned to 8 even
//! where the C ABI would align it to 4 (i386), so layouts depend on the pointer width alone.

/// The width of a pointer (and of `uintptr_t`) on the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PtrWidth {
    /// 32-bit targets (i686, armv7, ...).
    P32,
    /// 64-bit targets.
    P64,
}

impl PtrWidth {
    /// Both widths, for checks that cover every target.
    pub const ALL: [PtrWidth; 2] = [PtrWidth::P32, PtrWidth::P64];

    /// The size of a pointer in bytes.
    pub const fn bytes(self) -> u32 {
        match self {
            PtrWidth::P32 => 4,
            PtrWidth::P64 => 8,
        }
    }

    /// The width of `triple`'s pointers.
    pub fn of(triple: &target_lexicon::Triple) -> PtrWidth {
        match triple.pointer_width() {
            Ok(target_lexicon::PointerWidth::U64) => PtrWidth::P64,
            _ => PtrWidth::P32,
        }
    }
}

/// The type of a struct field, as far as its layout is concerned.
#[derive(Clone, Copy, Debug)]
pub enum FieldType {
    /// `uint32_t`.
    U32,
    /// `w2e_u64`: a 64-bit integer aligned to 8 on every target.
    U64,
    /// A pointer (or `uintptr_t`); the string is its C type, e.g. `"const w2e_func *"`.
    Ptr(&'static str),
    /// An embedded struct.
    Struct(&'static StructDef),
    /// A trailing flexible array of `w2e_value` (16 bytes, aligned to 16).
    ValueArray,
}

impl FieldType {
    const fn size(self, ptr: PtrWidth) -> u32 {
        match self {
            FieldType::U32 => 4,
            FieldType::U64 => 8,
            FieldType::Ptr(_) => ptr.bytes(),
            FieldType::Struct(def) => def.size(ptr),
            FieldType::ValueArray => 0,
        }
    }

    const fn align(self, ptr: PtrWidth) -> u32 {
        match self {
            FieldType::U32 => 4,
            FieldType::U64 => 8,
            FieldType::Ptr(_) => ptr.bytes(),
            FieldType::Struct(def) => def.align(ptr),
            FieldType::ValueArray => super::VALUE_SIZE,
        }
    }
}

/// One field of an ABI struct.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    pub name: &'static str,
    pub ty: FieldType,
    /// A short comment for the header (empty: none).
    pub doc: &'static str,
}

/// An ABI struct: its C name (`w2e_...`) and its fields in declaration order.
#[derive(Debug)]
pub struct StructDef {
    pub name: &'static str,
    /// What the struct is for, as the header's comment above it.
    pub doc: &'static str,
    pub fields: &'static [Field],
}

const fn round_up(value: u32, align: u32) -> u32 {
    value.div_ceil(align) * align
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

impl StructDef {
    /// The struct's alignment: its strictest field's.
    pub const fn align(&self, ptr: PtrWidth) -> u32 {
        let mut align = 1;
        let mut i = 0;
        while i < self.fields.len() {
            let a = self.fields[i].ty.align(ptr);
            if a > align {
                align = a;
            }
            i += 1;
        }
        align
    }

    /// The offset of field number `index`.
    pub const fn offset_at(&self, index: usize, ptr: PtrWidth) -> u32 {
        let mut offset = 0;
        let mut i = 0;
        loop {
            offset = round_up(offset, self.fields[i].ty.align(ptr));
            if i == index {
                return offset;
            }
            offset += self.fields[i].ty.size(ptr);
            i += 1;
        }
    }

    /// `sizeof`: the end of the last field, rounded up to the alignment.
    pub const fn size(&self, ptr: PtrWidth) -> u32 {
        let last = self.fields.len() - 1;
        let end = self.offset_at(last, ptr) + self.fields[last].ty.size(ptr);
        round_up(end, self.align(ptr))
    }

    /// The index of the field called `name`. A misspelled name panics (at compile time when
    /// evaluated in a constant).
    pub const fn index(&self, name: &str) -> usize {
        let mut i = 0;
        while i < self.fields.len() {
            if str_eq(self.fields[i].name, name) {
                return i;
            }
            i += 1;
        }
        panic!("no such ABI struct field")
    }

    /// `offsetof(self, name)` for pointers of width `ptr`.
    pub const fn offset(&self, name: &str, ptr: PtrWidth) -> u32 {
        self.offset_at(self.index(name), ptr)
    }

    /// The offset on 64-bit targets, as Cranelift's load offsets want it.
    pub const fn offset64(&self, name: &str) -> i32 {
        self.offset(name, PtrWidth::P64) as i32
    }
}
