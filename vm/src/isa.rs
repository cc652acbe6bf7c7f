//! The lowered instruction set: one opcode table, defined once, append-only.
//!
//! This table is consensus data and the one source of every per-opcode fact: the [`Opcode`]
//! enum, the reference step (`machine/exec.rs`), the proof verifier (`proof/verify/`), the fast
//! loop's decoder and dispatch (`machine/fast/`), the Solidity constants
//! (`contracts/src/lib/Opcodes.sol`) and `docs/isa.md` are all expanded from [`for_each_op!`]
//! (tests check the generated files). Never renumber an opcode or change its pops/pushes: append
//! new ones at the end of a group's range instead.
//!
//! An instruction is `(opcode: u16, imm: u64)`, 10 bytes when hashed (big-endian).
//!
//! Each row reads `Name = number, pops P, pushes Q, kind [width] handler [fused forms];`:
//! - `ctl h`: hand-written semantics, the method `h` of the machine (`exec`) and of the
//!   verifier's context (`verify_step`);
//! - `un f` / `bin f`: a pure function of the top value / of `(x1, x0)` (`x0` the top), pushing
//!   its result; `un_trap f` / `bin_trap f`: the same, returning `Err(trap)` instead when it traps;
//! - `load W f`: a `W`-byte load at `top + imm`, its little-endian bytes mapped by `f`;
//!   `store W f`: a `W`-byte store of `f(top)` at `below + imm`;
//! - `fuse_bin(L K LK)`, `fuse_jump(KJ)`, `fuse_load(L A Lka K LkaM LkaML Tk)`: the names of the
//!   fast loop's fused forms of the op (`machine/fast/mod.rs` says what each covers).

/// Calls `$m!` with every row of the opcode table (the one definition; see the module docs).
macro_rules! for_each_op {
    ($m:ident) => {
        $m! {
            // ---- control: 0x00..0x1f -------------------------------------------------------------
            /// Trap with `TrapCode::Unreachable`.
            Unreachable = 0x00, pops 0, pushes 0, ctl op_unreachable;
            /// Set status halted. The machine then steps to itself.
            Halt = 0x01, pops 0, pushes 0, ctl op_halt;
            /// `pc = imm`.
            Jump = 0x02, pops 0, pushes 0, ctl op_jump;
            /// Pop `c` (i32); `pc = imm` if `c != 0`, else `pc + 1`.
            JumpIf = 0x03, pops 1, pushes 0, ctl op_jump_if;
            /// Pop `c` (i32); `pc = imm` if `c == 0`, else `pc + 1`.
            JumpIfNot = 0x04, pops 1, pushes 0, ctl op_jump_if_not;
            /// Pop `i` (i32); `pc = pc + 1 + min(i, imm)`. Followed by `imm + 1` `Jump`s.
            BrTable = 0x05, pops 1, pushes 0, ctl op_br_table;
            /// Push frame `(pc + 1, locals)`; `locals = EMPTY_LOCALS`; `pc = imm & 0xffff_ffff`.
            /// `imm >> 32` is the callee's number of locals (params included).
            /// Traps `CallStackExhausted` at the call-depth limit.
            Call = 0x06, pops 0, pushes 0, ctl op_call;
            /// Pop table index `i` (i32); the table entry must exist and have type id `imm`; then as `Call`.
            CallIndirect = 0x07, pops 1, pushes 0, ctl op_call_indirect;
            /// Pop frame `(return_pc, locals)`; `pc = return_pc`, `locals` restored.
            Return = 0x08, pops 0, pushes 0, ctl op_return;
            /// Pop one value.
            Drop = 0x09, pops 1, pushes 0, ctl op_drop;
            /// Pop `c`, `b`, `a`; push `c != 0 ? a : b`.
            Select = 0x0a, pops 3, pushes 1, ctl op_select;
            /// Pop a value and push it onto the aux stack (used to keep values across a branch's drop).
            MoveToAux = 0x0b, pops 1, pushes 0, ctl op_move_to_aux;
            /// Pop the aux stack and push the value onto the value stack.
            MoveFromAux = 0x0c, pops 0, pushes 1, ctl op_move_from_aux;
            /// Push local `imm`.
            LocalGet = 0x0d, pops 0, pushes 1, ctl op_local_get;
            /// Pop into local `imm`.
            LocalSet = 0x0e, pops 1, pushes 0, ctl op_local_set;
            /// Set local `imm` to the top value, leaving it on the stack.
            LocalTee = 0x0f, pops 1, pushes 1, ctl op_local_tee;
            /// Push global `imm` (mutable globals only; immutable ones lower to `Const`).
            GlobalGet = 0x10, pops 0, pushes 1, ctl op_global_get;
            /// Pop into global `imm`.
            GlobalSet = 0x11, pops 1, pushes 0, ctl op_global_set;
            /// Push `imm` (i32 and f32 constants zero-extended).
            Const = 0x12, pops 0, pushes 1, ctl op_const;
            /// Trap with trap code `imm & 0xff` (the lowering emits none; any code is kept).
            Trap = 0x13, pops 0, pushes 0, ctl op_trap;
            /// End a segment at a boundary: with no frame and empty value and aux stacks, status
            /// yielded, `pc = imm`, locals, bulk registers and `segment_steps` reset; otherwise trap
            /// `YieldOutsideBoundary` (machine v2).
            Yield = 0x14, pops 0, pushes 0, ctl op_yield;

            // ---- memory: 0x20..0x3f (imm = the static offset) --------------------------------------
            /// i32.load (also f32.load).
            I32Load = 0x20, pops 1, pushes 1, load 4 ld_u32 fuse_load(I32LoadL I32LoadA I32LoadLka I32LoadK I32LoadLkaM I32LoadLkaML I32LoadTk);
            /// i64.load (also f64.load).
            I64Load = 0x21, pops 1, pushes 1, load 8 ld_u64 fuse_load(I64LoadL I64LoadA I64LoadLka I64LoadK I64LoadLkaM I64LoadLkaML I64LoadTk);
            /// i32.load8_s
            I32Load8S = 0x22, pops 1, pushes 1, load 1 ld_i8_32 fuse_load(I32Load8SL I32Load8SA I32Load8SLka I32Load8SK I32Load8SLkaM I32Load8SLkaML I32Load8STk);
            /// i32.load8_u
            I32Load8U = 0x23, pops 1, pushes 1, load 1 ld_u8 fuse_load(I32Load8UL I32Load8UA I32Load8ULka I32Load8UK I32Load8ULkaM I32Load8ULkaML I32Load8UTk);
            /// i32.load16_s
            I32Load16S = 0x24, pops 1, pushes 1, load 2 ld_i16_32 fuse_load(I32Load16SL I32Load16SA I32Load16SLka I32Load16SK I32Load16SLkaM I32Load16SLkaML I32Load16STk);
            /// i32.load16_u
            I32Load16U = 0x25, pops 1, pushes 1, load 2 ld_u16 fuse_load(I32Load16UL I32Load16UA I32Load16ULka I32Load16UK I32Load16ULkaM I32Load16ULkaML I32Load16UTk);
            /// i64.load8_s
            I64Load8S = 0x26, pops 1, pushes 1, load 1 ld_i8_64;
            /// i64.load8_u
            I64Load8U = 0x27, pops 1, pushes 1, load 1 ld_u8;
            /// i64.load16_s
            I64Load16S = 0x28, pops 1, pushes 1, load 2 ld_i16_64;
            /// i64.load16_u
            I64Load16U = 0x29, pops 1, pushes 1, load 2 ld_u16;
            /// i64.load32_s
            I64Load32S = 0x2a, pops 1, pushes 1, load 4 ld_i32_64 fuse_load(I64Load32SL I64Load32SA I64Load32SLka I64Load32SK I64Load32SLkaM I64Load32SLkaML I64Load32STk);
            /// i64.load32_u
            I64Load32U = 0x2b, pops 1, pushes 1, load 4 ld_u32 fuse_load(I64Load32UL I64Load32UA I64Load32ULka I64Load32UK I64Load32ULkaM I64Load32ULkaML I64Load32UTk);
            /// i32.store (also f32.store)
            I32Store = 0x2c, pops 2, pushes 0, store 4 to_le;
            /// i64.store (also f64.store)
            I64Store = 0x2d, pops 2, pushes 0, store 8 to_le;
            /// i32.store8
            I32Store8 = 0x2e, pops 2, pushes 0, store 1 to_le;
            /// i32.store16
            I32Store16 = 0x2f, pops 2, pushes 0, store 2 to_le;
            /// i64.store8
            I64Store8 = 0x30, pops 2, pushes 0, store 1 to_le;
            /// i64.store16
            I64Store16 = 0x31, pops 2, pushes 0, store 2 to_le;
            /// i64.store32
            I64Store32 = 0x32, pops 2, pushes 0, store 4 to_le;
            /// Push the memory size in pages.
            MemorySize = 0x33, pops 0, pushes 1, ctl op_memory_size;
            /// Pop `n`; grow by `n` pages and push the old size, or push `-1` (u32::MAX) past the limit.
            MemoryGrow = 0x34, pops 1, pushes 1, ctl op_memory_grow;

            // ---- bulk and host: 0x40..0x4f ----------------------------------------------------------
            /// Pop `n`, `val`, `d`; trap if `d + n > memory size`; bulk = (dst d, src val & 0xff, len n).
            MemoryFill = 0x40, pops 3, pushes 0, ctl op_memory_fill;
            /// Pop `n`, `s`, `d`; trap if out of bounds; bulk = (d, s, n).
            MemoryCopy = 0x41, pops 3, pushes 0, ctl op_memory_copy;
            /// Pop `n`, `s`, `d`; segment `imm`; trap if out of bounds; bulk = (d, s, n).
            MemoryInit = 0x42, pops 3, pushes 0, ctl op_memory_init;
            /// Drop data segment `imm` (its length becomes 0).
            DataDrop = 0x43, pops 0, pushes 0, ctl op_data_drop;
            /// If bulk.len == 0: `pc + 1`. Else fill one chunk (within one leaf); stay at `pc`.
            FillStep = 0x44, pops 0, pushes 0, ctl op_fill_step;
            /// If bulk.len == 0: `pc + 1`. Else copy one chunk (one src leaf, one dst leaf); stay.
            CopyStep = 0x45, pops 0, pushes 0, ctl op_copy_step;
            /// If bulk.len == 0: `pc + 1`. Else copy one chunk of segment `imm` into memory; stay.
            InitStep = 0x46, pops 0, pushes 0, ctl op_init_step;
            /// Host `opml.input_len() -> i32`: push the input length.
            InputLen = 0x47, pops 0, pushes 1, ctl op_input_len;
            /// Host `opml.input_read(ptr, offset, len)`: pop `len`, `offset`, `ptr`; trap if out of
            /// bounds of input or memory; bulk = (ptr, offset, len).
            InputRead = 0x48, pops 3, pushes 0, ctl op_input_read;
            /// If bulk.len == 0: `pc + 1`. Else copy one chunk of input into memory; stay.
            InputReadStep = 0x49, pops 0, pushes 0, ctl op_input_read_step;
            /// Host `opml.output_write(ptr, len)`: pop `len`, `ptr`; trap if out of bounds;
            /// bulk = (0, ptr, len).
            OutputWrite = 0x4a, pops 2, pushes 0, ctl op_output_write;
            /// If bulk.len == 0: `pc + 1`. Else append one chunk of memory to the output; stay.
            OutputWriteStep = 0x4b, pops 0, pushes 0, ctl op_output_write_step;

            // ---- i32: 0x50..0x7f ------------------------------------------------------------------
            /// i32.eqz
            I32Eqz = 0x50, pops 1, pushes 1, un i32_eqz;
            /// i32.eq
            I32Eq = 0x51, pops 2, pushes 1, bin i32_eq fuse_bin(I32EqL I32EqK I32EqLK) fuse_jump(I32EqKJ);
            /// i32.ne
            I32Ne = 0x52, pops 2, pushes 1, bin i32_ne fuse_bin(I32NeL I32NeK I32NeLK) fuse_jump(I32NeKJ);
            /// i32.lt_s
            I32LtS = 0x53, pops 2, pushes 1, bin i32_lt_s fuse_bin(I32LtSL I32LtSK I32LtSLK) fuse_jump(I32LtSKJ);
            /// i32.lt_u
            I32LtU = 0x54, pops 2, pushes 1, bin i32_lt_u fuse_bin(I32LtUL I32LtUK I32LtULK) fuse_jump(I32LtUKJ);
            /// i32.gt_s
            I32GtS = 0x55, pops 2, pushes 1, bin i32_gt_s fuse_bin(I32GtSL I32GtSK I32GtSLK) fuse_jump(I32GtSKJ);
            /// i32.gt_u
            I32GtU = 0x56, pops 2, pushes 1, bin i32_gt_u fuse_bin(I32GtUL I32GtUK I32GtULK) fuse_jump(I32GtUKJ);
            /// i32.le_s
            I32LeS = 0x57, pops 2, pushes 1, bin i32_le_s fuse_bin(I32LeSL I32LeSK I32LeSLK) fuse_jump(I32LeSKJ);
            /// i32.le_u
            I32LeU = 0x58, pops 2, pushes 1, bin i32_le_u fuse_bin(I32LeUL I32LeUK I32LeULK) fuse_jump(I32LeUKJ);
            /// i32.ge_s
            I32GeS = 0x59, pops 2, pushes 1, bin i32_ge_s fuse_bin(I32GeSL I32GeSK I32GeSLK) fuse_jump(I32GeSKJ);
            /// i32.ge_u
            I32GeU = 0x5a, pops 2, pushes 1, bin i32_ge_u fuse_bin(I32GeUL I32GeUK I32GeULK) fuse_jump(I32GeUKJ);
            /// i32.clz
            I32Clz = 0x5b, pops 1, pushes 1, un i32_clz;
            /// i32.ctz
            I32Ctz = 0x5c, pops 1, pushes 1, un i32_ctz;
            /// i32.popcnt
            I32Popcnt = 0x5d, pops 1, pushes 1, un i32_popcnt;
            /// i32.add
            I32Add = 0x5e, pops 2, pushes 1, bin i32_add fuse_bin(I32AddL I32AddK I32AddLK);
            /// i32.sub
            I32Sub = 0x5f, pops 2, pushes 1, bin i32_sub fuse_bin(I32SubL I32SubK I32SubLK);
            /// i32.mul
            I32Mul = 0x60, pops 2, pushes 1, bin i32_mul fuse_bin(I32MulL I32MulK I32MulLK);
            /// i32.div_s (traps: divide by zero, overflow)
            I32DivS = 0x61, pops 2, pushes 1, bin_trap i32_div_s;
            /// i32.div_u (traps: divide by zero)
            I32DivU = 0x62, pops 2, pushes 1, bin_trap i32_div_u;
            /// i32.rem_s (traps: divide by zero)
            I32RemS = 0x63, pops 2, pushes 1, bin_trap i32_rem_s;
            /// i32.rem_u (traps: divide by zero)
            I32RemU = 0x64, pops 2, pushes 1, bin_trap i32_rem_u;
            /// i32.and
            I32And = 0x65, pops 2, pushes 1, bin i32_and fuse_bin(I32AndL I32AndK I32AndLK);
            /// i32.or
            I32Or = 0x66, pops 2, pushes 1, bin i32_or fuse_bin(I32OrL I32OrK I32OrLK);
            /// i32.xor
            I32Xor = 0x67, pops 2, pushes 1, bin i32_xor fuse_bin(I32XorL I32XorK I32XorLK);
            /// i32.shl
            I32Shl = 0x68, pops 2, pushes 1, bin i32_shl fuse_bin(I32ShlL I32ShlK I32ShlLK);
            /// i32.shr_s
            I32ShrS = 0x69, pops 2, pushes 1, bin i32_shr_s fuse_bin(I32ShrSL I32ShrSK I32ShrSLK);
            /// i32.shr_u
            I32ShrU = 0x6a, pops 2, pushes 1, bin i32_shr_u fuse_bin(I32ShrUL I32ShrUK I32ShrULK);
            /// i32.rotl
            I32Rotl = 0x6b, pops 2, pushes 1, bin i32_rotl;
            /// i32.rotr
            I32Rotr = 0x6c, pops 2, pushes 1, bin i32_rotr;
            /// i32.wrap_i64
            I32WrapI64 = 0x6d, pops 1, pushes 1, un i32_wrap_i64;
            /// i32.extend8_s
            I32Extend8S = 0x6e, pops 1, pushes 1, un i32_extend8_s;
            /// i32.extend16_s
            I32Extend16S = 0x6f, pops 1, pushes 1, un i32_extend16_s;

            // ---- i64: 0x80..0xaf ------------------------------------------------------------------
            /// i64.eqz
            I64Eqz = 0x80, pops 1, pushes 1, un i64_eqz;
            /// i64.eq
            I64Eq = 0x81, pops 2, pushes 1, bin i64_eq fuse_bin(I64EqL I64EqK I64EqLK);
            /// i64.ne
            I64Ne = 0x82, pops 2, pushes 1, bin i64_ne fuse_bin(I64NeL I64NeK I64NeLK);
            /// i64.lt_s
            I64LtS = 0x83, pops 2, pushes 1, bin i64_lt_s fuse_bin(I64LtSL I64LtSK I64LtSLK);
            /// i64.lt_u
            I64LtU = 0x84, pops 2, pushes 1, bin i64_lt_u fuse_bin(I64LtUL I64LtUK I64LtULK);
            /// i64.gt_s
            I64GtS = 0x85, pops 2, pushes 1, bin i64_gt_s fuse_bin(I64GtSL I64GtSK I64GtSLK);
            /// i64.gt_u
            I64GtU = 0x86, pops 2, pushes 1, bin i64_gt_u fuse_bin(I64GtUL I64GtUK I64GtULK);
            /// i64.le_s
            I64LeS = 0x87, pops 2, pushes 1, bin i64_le_s fuse_bin(I64LeSL I64LeSK I64LeSLK);
            /// i64.le_u
            I64LeU = 0x88, pops 2, pushes 1, bin i64_le_u fuse_bin(I64LeUL I64LeUK I64LeULK);
            /// i64.ge_s
            I64GeS = 0x89, pops 2, pushes 1, bin i64_ge_s fuse_bin(I64GeSL I64GeSK I64GeSLK);
            /// i64.ge_u
            I64GeU = 0x8a, pops 2, pushes 1, bin i64_ge_u fuse_bin(I64GeUL I64GeUK I64GeULK);
            /// i64.clz
            I64Clz = 0x8b, pops 1, pushes 1, un i64_clz;
            /// i64.ctz
            I64Ctz = 0x8c, pops 1, pushes 1, un i64_ctz;
            /// i64.popcnt
            I64Popcnt = 0x8d, pops 1, pushes 1, un i64_popcnt;
            /// i64.add
            I64Add = 0x8e, pops 2, pushes 1, bin i64_add fuse_bin(I64AddL I64AddK I64AddLK);
            /// i64.sub
            I64Sub = 0x8f, pops 2, pushes 1, bin i64_sub fuse_bin(I64SubL I64SubK I64SubLK);
            /// i64.mul
            I64Mul = 0x90, pops 2, pushes 1, bin i64_mul fuse_bin(I64MulL I64MulK I64MulLK);
            /// i64.div_s
            I64DivS = 0x91, pops 2, pushes 1, bin_trap i64_div_s;
            /// i64.div_u
            I64DivU = 0x92, pops 2, pushes 1, bin_trap i64_div_u;
            /// i64.rem_s
            I64RemS = 0x93, pops 2, pushes 1, bin_trap i64_rem_s;
            /// i64.rem_u
            I64RemU = 0x94, pops 2, pushes 1, bin_trap i64_rem_u;
            /// i64.and
            I64And = 0x95, pops 2, pushes 1, bin i64_and fuse_bin(I64AndL I64AndK I64AndLK);
            /// i64.or
            I64Or = 0x96, pops 2, pushes 1, bin i64_or fuse_bin(I64OrL I64OrK I64OrLK);
            /// i64.xor
            I64Xor = 0x97, pops 2, pushes 1, bin i64_xor fuse_bin(I64XorL I64XorK I64XorLK);
            /// i64.shl
            I64Shl = 0x98, pops 2, pushes 1, bin i64_shl fuse_bin(I64ShlL I64ShlK I64ShlLK);
            /// i64.shr_s
            I64ShrS = 0x99, pops 2, pushes 1, bin i64_shr_s fuse_bin(I64ShrSL I64ShrSK I64ShrSLK);
            /// i64.shr_u
            I64ShrU = 0x9a, pops 2, pushes 1, bin i64_shr_u fuse_bin(I64ShrUL I64ShrUK I64ShrULK);
            /// i64.rotl
            I64Rotl = 0x9b, pops 2, pushes 1, bin i64_rotl;
            /// i64.rotr
            I64Rotr = 0x9c, pops 2, pushes 1, bin i64_rotr;
            /// i64.extend_i32_s
            I64ExtendI32S = 0x9d, pops 1, pushes 1, un i64_extend_i32_s;
            /// i64.extend_i32_u
            I64ExtendI32U = 0x9e, pops 1, pushes 1, un i64_extend_i32_u;
            /// i64.extend8_s
            I64Extend8S = 0x9f, pops 1, pushes 1, un i64_extend8_s;
            /// i64.extend16_s
            I64Extend16S = 0xa0, pops 1, pushes 1, un i64_extend16_s;
            /// i64.extend32_s
            I64Extend32S = 0xa1, pops 1, pushes 1, un i64_extend32_s;

            // ---- f32: 0xb0..0xcf (machine v2). f64 uses the same order from 0xd0, so
            // `k = op - base` selects the operation. Binary ops compute `x1 op x0` (x0 = the top);
            // NaN results are canonical (docs/floats.md).
            /// f32.eq
            F32Eq = 0xb0, pops 2, pushes 1, bin f32_eq;
            /// f32.ne
            F32Ne = 0xb1, pops 2, pushes 1, bin f32_ne;
            /// f32.lt
            F32Lt = 0xb2, pops 2, pushes 1, bin f32_lt;
            /// f32.gt
            F32Gt = 0xb3, pops 2, pushes 1, bin f32_gt;
            /// f32.le
            F32Le = 0xb4, pops 2, pushes 1, bin f32_le;
            /// f32.ge
            F32Ge = 0xb5, pops 2, pushes 1, bin f32_ge;
            /// f32.abs
            F32Abs = 0xb6, pops 1, pushes 1, un f32_abs;
            /// f32.neg
            F32Neg = 0xb7, pops 1, pushes 1, un f32_neg;
            /// f32.ceil
            F32Ceil = 0xb8, pops 1, pushes 1, un f32_ceil;
            /// f32.floor
            F32Floor = 0xb9, pops 1, pushes 1, un f32_floor;
            /// f32.trunc
            F32Trunc = 0xba, pops 1, pushes 1, un f32_trunc;
            /// f32.nearest
            F32Nearest = 0xbb, pops 1, pushes 1, un f32_nearest;
            /// f32.sqrt
            F32Sqrt = 0xbc, pops 1, pushes 1, un f32_sqrt;
            /// f32.add
            F32Add = 0xbd, pops 2, pushes 1, bin f32_add;
            /// f32.sub
            F32Sub = 0xbe, pops 2, pushes 1, bin f32_sub;
            /// f32.mul
            F32Mul = 0xbf, pops 2, pushes 1, bin f32_mul;
            /// f32.div
            F32Div = 0xc0, pops 2, pushes 1, bin f32_div;
            /// f32.min
            F32Min = 0xc1, pops 2, pushes 1, bin f32_min;
            /// f32.max
            F32Max = 0xc2, pops 2, pushes 1, bin f32_max;
            /// f32.copysign
            F32Copysign = 0xc3, pops 2, pushes 1, bin f32_copysign;
            /// f32.convert_i32_s
            F32ConvertI32S = 0xc4, pops 1, pushes 1, un f32_convert_i32_s;
            /// f32.convert_i32_u
            F32ConvertI32U = 0xc5, pops 1, pushes 1, un f32_convert_i32_u;
            /// f32.convert_i64_s
            F32ConvertI64S = 0xc6, pops 1, pushes 1, un f32_convert_i64_s;
            /// f32.convert_i64_u
            F32ConvertI64U = 0xc7, pops 1, pushes 1, un f32_convert_i64_u;
            /// f32.demote_f64
            F32DemoteF64 = 0xc8, pops 1, pushes 1, un f32_demote_f64;

            // ---- f64: 0xd0..0xef (machine v2) ---------------------------------------------------------
            /// f64.eq
            F64Eq = 0xd0, pops 2, pushes 1, bin f64_eq;
            /// f64.ne
            F64Ne = 0xd1, pops 2, pushes 1, bin f64_ne;
            /// f64.lt
            F64Lt = 0xd2, pops 2, pushes 1, bin f64_lt;
            /// f64.gt
            F64Gt = 0xd3, pops 2, pushes 1, bin f64_gt;
            /// f64.le
            F64Le = 0xd4, pops 2, pushes 1, bin f64_le;
            /// f64.ge
            F64Ge = 0xd5, pops 2, pushes 1, bin f64_ge;
            /// f64.abs
            F64Abs = 0xd6, pops 1, pushes 1, un f64_abs;
            /// f64.neg
            F64Neg = 0xd7, pops 1, pushes 1, un f64_neg;
            /// f64.ceil
            F64Ceil = 0xd8, pops 1, pushes 1, un f64_ceil;
            /// f64.floor
            F64Floor = 0xd9, pops 1, pushes 1, un f64_floor;
            /// f64.trunc
            F64Trunc = 0xda, pops 1, pushes 1, un f64_trunc;
            /// f64.nearest
            F64Nearest = 0xdb, pops 1, pushes 1, un f64_nearest;
            /// f64.sqrt
            F64Sqrt = 0xdc, pops 1, pushes 1, un f64_sqrt;
            /// f64.add
            F64Add = 0xdd, pops 2, pushes 1, bin f64_add;
            /// f64.sub
            F64Sub = 0xde, pops 2, pushes 1, bin f64_sub;
            /// f64.mul
            F64Mul = 0xdf, pops 2, pushes 1, bin f64_mul;
            /// f64.div
            F64Div = 0xe0, pops 2, pushes 1, bin f64_div;
            /// f64.min
            F64Min = 0xe1, pops 2, pushes 1, bin f64_min;
            /// f64.max
            F64Max = 0xe2, pops 2, pushes 1, bin f64_max;
            /// f64.copysign
            F64Copysign = 0xe3, pops 2, pushes 1, bin f64_copysign;
            /// f64.convert_i32_s
            F64ConvertI32S = 0xe4, pops 1, pushes 1, un f64_convert_i32_s;
            /// f64.convert_i32_u
            F64ConvertI32U = 0xe5, pops 1, pushes 1, un f64_convert_i32_u;
            /// f64.convert_i64_s
            F64ConvertI64S = 0xe6, pops 1, pushes 1, un f64_convert_i64_s;
            /// f64.convert_i64_u
            F64ConvertI64U = 0xe7, pops 1, pushes 1, un f64_convert_i64_u;
            /// f64.promote_f32
            F64PromoteF32 = 0xe8, pops 1, pushes 1, un f64_promote_f32;

            // ---- float to integer: 0xf0..0xff (machine v2). Trapping truncations trap
            // `InvalidConversionToInteger` on NaN, `IntegerOverflow` out of range; saturating ones give 0
            // for NaN and the bound past it.
            /// i32.trunc_f32_s
            I32TruncF32S = 0xf0, pops 1, pushes 1, un_trap i32_trunc_f32_s;
            /// i32.trunc_f32_u
            I32TruncF32U = 0xf1, pops 1, pushes 1, un_trap i32_trunc_f32_u;
            /// i32.trunc_f64_s
            I32TruncF64S = 0xf2, pops 1, pushes 1, un_trap i32_trunc_f64_s;
            /// i32.trunc_f64_u
            I32TruncF64U = 0xf3, pops 1, pushes 1, un_trap i32_trunc_f64_u;
            /// i64.trunc_f32_s
            I64TruncF32S = 0xf4, pops 1, pushes 1, un_trap i64_trunc_f32_s;
            /// i64.trunc_f32_u
            I64TruncF32U = 0xf5, pops 1, pushes 1, un_trap i64_trunc_f32_u;
            /// i64.trunc_f64_s
            I64TruncF64S = 0xf6, pops 1, pushes 1, un_trap i64_trunc_f64_s;
            /// i64.trunc_f64_u
            I64TruncF64U = 0xf7, pops 1, pushes 1, un_trap i64_trunc_f64_u;
            /// i32.trunc_sat_f32_s
            I32TruncSatF32S = 0xf8, pops 1, pushes 1, un i32_trunc_sat_f32_s;
            /// i32.trunc_sat_f32_u
            I32TruncSatF32U = 0xf9, pops 1, pushes 1, un i32_trunc_sat_f32_u;
            /// i32.trunc_sat_f64_s
            I32TruncSatF64S = 0xfa, pops 1, pushes 1, un i32_trunc_sat_f64_s;
            /// i32.trunc_sat_f64_u
            I32TruncSatF64U = 0xfb, pops 1, pushes 1, un i32_trunc_sat_f64_u;
            /// i64.trunc_sat_f32_s
            I64TruncSatF32S = 0xfc, pops 1, pushes 1, un i64_trunc_sat_f32_s;
            /// i64.trunc_sat_f32_u
            I64TruncSatF32U = 0xfd, pops 1, pushes 1, un i64_trunc_sat_f32_u;
            /// i64.trunc_sat_f64_s
            I64TruncSatF64S = 0xfe, pops 1, pushes 1, un i64_trunc_sat_f64_s;
            /// i64.trunc_sat_f64_u
            I64TruncSatF64U = 0xff, pops 1, pushes 1, un i64_trunc_sat_f64_u;
        }
    };
}
pub(crate) use for_each_op;

/// Expands the opcode table into [`Opcode`] and its per-opcode facts.
macro_rules! define_opcodes {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident = $num:literal, pops $pops:literal, pushes $pushes:literal,
        $kind:ident $($w:literal)? $h:ident
        $(fuse_bin($($fb:ident)*))? $(fuse_jump($($fj:ident)*))? $(fuse_load($($fl:ident)*))?;
    )*) => {
        /// A lowered opcode. The discriminant is its consensus number.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u16)]
        pub enum Opcode {
            $( $(#[doc = $doc])* $name = $num, )*
        }

        impl Opcode {
            /// Every opcode, in numbering order.
            pub const ALL: &'static [Opcode] = &[ $( Opcode::$name, )* ];

            /// The opcode with consensus number `n`, if any.
            pub const fn from_u16(n: u16) -> Option<Opcode> {
                match n {
                    $( $num => Some(Opcode::$name), )*
                    _ => None,
                }
            }

            /// The opcode's name, as used in docs and the Solidity constants (`OP_<NAME>`).
            pub const fn name(self) -> &'static str {
                match self { $( Opcode::$name => stringify!($name), )* }
            }

            /// How many values the opcode pops from the value stack (its proof reveals them).
            pub const fn pops(self) -> u8 {
                match self { $( Opcode::$name => $pops, )* }
            }

            /// How many values the opcode pushes onto the value stack.
            pub const fn pushes(self) -> u8 {
                match self { $( Opcode::$name => $pushes, )* }
            }

            /// How the table defines its semantics (see the module docs).
            pub const fn kind(self) -> Kind {
                match self { $( Opcode::$name => kind_of!($kind), )* }
            }

            /// Bytes a load or store moves; `None` for every other opcode.
            pub const fn access_width(self) -> Option<u8> {
                match self { $( Opcode::$name => width_of!($($w)?), )* }
            }

            /// The row's doc comment: what the opcode does.
            pub const fn doc(self) -> &'static str {
                match self { $( Opcode::$name => concat!($($doc, "\n",)* ""), )* }
            }
        }
    };
}

macro_rules! width_of {
    () => {
        None
    };
    ($w:literal) => {
        Some($w)
    };
}

macro_rules! kind_of {
    (ctl) => {
        Kind::Ctl
    };
    (un) => {
        Kind::Un
    };
    (bin) => {
        Kind::Bin
    };
    (un_trap) => {
        Kind::UnTrap
    };
    (bin_trap) => {
        Kind::BinTrap
    };
    (load) => {
        Kind::Load
    };
    (store) => {
        Kind::Store
    };
}

/// How the opcode table defines an opcode's semantics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Hand-written: control flow, locals, globals, stacks, bulk ops, host I/O.
    Ctl,
    /// A pure function of the top value.
    Un,
    /// A pure function of the top two values.
    Bin,
    /// A function of the top value that may trap.
    UnTrap,
    /// A function of the top two values that may trap.
    BinTrap,
    /// A memory load.
    Load,
    /// A memory store.
    Store,
}

impl Kind {
    /// The kind's name in the table.
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Ctl => "ctl",
            Kind::Un => "un",
            Kind::Bin => "bin",
            Kind::UnTrap => "un_trap",
            Kind::BinTrap => "bin_trap",
            Kind::Load => "load",
            Kind::Store => "store",
        }
    }
}

for_each_op!(define_opcodes);

/// An instruction group: a contiguous opcode range verified by one Solidity contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group {
    /// Short name (docs, gas tables, golden vector files).
    pub name: &'static str,
    /// The Solidity contract that verifies it.
    pub contract: &'static str,
    /// First opcode number of the range.
    pub first: u16,
    /// Last opcode number of the range (inclusive).
    pub last: u16,
}

/// The instruction groups, in opcode order, covering `0x00..=0xff` without gaps. The verifier's
/// dispatcher routes by these ranges (`docs/proof.md`).
pub const GROUPS: &[Group] = &[
    Group {
        name: "control",
        contract: "ControlStep",
        first: 0x00,
        last: 0x1f,
    },
    Group {
        name: "memory",
        contract: "MemoryStep",
        first: 0x20,
        last: 0x3f,
    },
    Group {
        name: "bulk",
        contract: "BulkStep",
        first: 0x40,
        last: 0x4f,
    },
    Group {
        name: "i32",
        contract: "I32Step",
        first: 0x50,
        last: 0x7f,
    },
    Group {
        name: "i64",
        contract: "I64Step",
        first: 0x80,
        last: 0xaf,
    },
    Group {
        name: "f32",
        contract: "F32Step",
        first: 0xb0,
        last: 0xcf,
    },
    Group {
        name: "f64",
        contract: "F64Step",
        first: 0xd0,
        last: 0xef,
    },
    Group {
        name: "float_conv",
        contract: "FloatConvStep",
        first: 0xf0,
        last: 0xff,
    },
];

impl Group {
    /// The group of opcode number `n` (every `n < 256` has one).
    pub fn of(n: u16) -> Option<&'static Group> {
        GROUPS.iter().find(|g| g.first <= n && n <= g.last)
    }
}

impl Opcode {
    /// The opcode's instruction group.
    pub fn group(self) -> &'static Group {
        Group::of(self as u16).unwrap_or(&GROUPS[0])
    }
}

/// One lowered instruction: an opcode and a 64-bit immediate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Instr {
    /// What the instruction does.
    pub op: Opcode,
    /// Its immediate; meaning per opcode (see [`Opcode`]). Zero when unused.
    pub imm: u64,
}

impl Instr {
    /// Width of an encoded instruction in bytes.
    pub const ENCODED_LEN: usize = 10;

    /// An instruction with immediate `imm`.
    pub const fn new(op: Opcode, imm: u64) -> Self {
        Self { op, imm }
    }

    /// An instruction without an immediate.
    pub const fn bare(op: Opcode) -> Self {
        Self { op, imm: 0 }
    }

    /// The consensus encoding: `op (u16 BE) ‖ imm (u64 BE)`.
    pub fn encode(&self) -> [u8; Self::ENCODED_LEN] {
        let mut out = [0u8; Self::ENCODED_LEN];
        out[..2].copy_from_slice(&(self.op as u16).to_be_bytes());
        out[2..].copy_from_slice(&self.imm.to_be_bytes());
        out
    }

    /// Decodes [`Instr::encode`]'s bytes; `None` for an unknown opcode.
    pub fn decode(bytes: &[u8; Self::ENCODED_LEN]) -> Option<Self> {
        let op = Opcode::from_u16(u16::from_be_bytes([bytes[0], bytes[1]]))?;
        let mut imm = [0u8; 8];
        imm.copy_from_slice(&bytes[2..]);
        Some(Self {
            op,
            imm: u64::from_be_bytes(imm),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_is_unique_and_round_trips() {
        let mut seen = std::collections::BTreeSet::new();
        for &op in Opcode::ALL {
            assert!(seen.insert(op as u16), "duplicate number for {}", op.name());
            assert_eq!(Opcode::from_u16(op as u16), Some(op));
            let instr = Instr::new(op, 0x0102_0304_0506_0708);
            assert_eq!(Instr::decode(&instr.encode()), Some(instr));
        }
    }

    #[test]
    fn groups_cover_every_number_without_gaps_and_hold_their_opcodes() {
        let mut next = 0u16;
        for g in GROUPS {
            assert_eq!(
                g.first, next,
                "{} starts where the previous group ends",
                g.name
            );
            assert!(g.last >= g.first);
            next = g.last + 1;
        }
        assert_eq!(next, 256);
        for &op in Opcode::ALL {
            let g = op.group();
            assert!(g.first <= op as u16 && op as u16 <= g.last, "{}", op.name());
            assert!(op.pops() <= 3, "{} pops more than 3", op.name());
        }
    }

    /// `AluBase.sol` selects an operation by its offset from `Eqz`: the i32 and i64 groups list
    /// their shared operations in the same order.
    #[test]
    fn i32_and_i64_share_one_operation_order() {
        let (e32, e64) = (Opcode::I32Eqz as u16, Opcode::I64Eqz as u16);
        for k in 0..=(Opcode::I32Rotr as u16 - e32) {
            let a = Opcode::from_u16(e32 + k).expect("i32 op");
            let b = Opcode::from_u16(e64 + k).expect("i64 op");
            assert_eq!(a.name().replacen("I32", "I64", 1), b.name(), "offset {k}");
        }
    }

    /// The float groups too: `k = op - base` selects the operation (`docs/machine.md`), the
    /// conversions at the end differing only in their source.
    #[test]
    fn f32_and_f64_share_one_operation_order() {
        let (b32, b64) = (Opcode::F32Eq as u16, Opcode::F64Eq as u16);
        for k in 0..=(Opcode::F32ConvertI64U as u16 - b32) {
            let a = Opcode::from_u16(b32 + k).expect("f32 op");
            let b = Opcode::from_u16(b64 + k).expect("f64 op");
            assert_eq!(a.name().replacen("F32", "F64", 1), b.name(), "offset {k}");
            assert_eq!((a.pops(), a.kind()), (b.pops(), b.kind()), "offset {k}");
        }
        assert_eq!(
            Opcode::F32DemoteF64 as u16 - b32,
            Opcode::F64PromoteF32 as u16 - b64
        );
    }
}
