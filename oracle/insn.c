/* SPDX-License-Identifier: MIT */
/*
 * insn.c: an x86-64 instruction-length decoder, just enough for fetch().
 *
 * fetch(addr) single-steps one instruction at addr (harness/exec.c: every
 * general register but rsp points at 64-byte-aligned scratch memory, rsp at
 * a stack of known RFLAGS images). What that instruction does to the
 * program's memory is an artefact of the probe, but two of its effects
 * reach the next page, and the model must reproduce them:
 *
 *  - the CPU fetches the instruction's bytes that lie past the page end:
 *    an instruction fetch of the next page (faulting it in, or failing);
 *  - an instruction that raises #GP makes the kernel copy 15 bytes from RIP
 *    (arch/x86/kernel/traps.c: exc_general_protection() ->
 *    fixup_umip_exception() -> copy_from_user(buf, ip, MAX_INSN_SIZE)),
 *    a read that faults the next page in when RIP is within 14 bytes of
 *    the page end. #UD, #BP, #DB and the others read nothing.
 *
 * Measured on 6.18.44 (a Xeon with UMIP): the one-byte opcodes invalid in
 * 64-bit mode (06 07 0e 16 17 1e 1f 27 2f 37 3f 60 61 ce d6) raise #UD after
 * one byte; 82, 9a, d4, d5 and ea are length-decoded as in 32-bit mode
 * first; an invalid ModRM form (fe /7) fetches its displacement before the
 * #UD; hlt at page offset 4081 leaves the next page alone and at 4082
 * faults it in; cd 81 (#GP) likewise.
 *
 * Some instructions make the probe not comparable, and the decoder says so:
 * those that let a second instruction run before the single-step trap
 * (syscall, sysenter, int 0x80, the UMIP-emulated sgdt/sidt/sldt/str/smsw,
 * mov to a segment register), those whose memory operand is addressed
 * relative to RIP or absolutely (it reaches the program's memory, which the
 * model does not follow), and, near a page end only, those whose length or
 * #GP the decoder cannot tell (VEX/EVEX, x87/SSE state saves, misaligned
 * SSE operands, undefined opcodes, far branches through memory).
 */
#include "oracleInt.h"

typedef struct dec {
	const uint8_t *b;
	unsigned avail, pos;
	bool more;             /* ran out of bytes */
	bool opsize16, addr32, rep, rex_w;
	insn_info *out;
	/* ModRM facts */
	bool has_modrm, mem;
	unsigned mod, reg, rm;
	int64_t disp;
} dec;

static int next(dec *d)
{
	if (d->pos >= d->avail) {
		d->more = true;
		return -1;
	}
	return d->b[d->pos++];
}

static void skip(dec *d, unsigned n)
{
	for (unsigned i = 0; i < n && !d->more; i++)
		(void)next(d);
}

/* ModRM, SIB and displacement. A memory operand with no base register
 * (RIP-relative, or SIB with no base) is "direct": it does not point at the
 * probe's scratch memory. */
static void modrm(dec *d)
{
	int m = next(d);
	if (m < 0)
		return;
	d->has_modrm = true;
	d->mod = (unsigned)m >> 6;
	d->reg = ((unsigned)m >> 3) & 7;
	d->rm = (unsigned)m & 7;
	if (d->mod == 3)
		return;
	d->mem = true;
	unsigned dlen = d->mod == 1 ? 1 : d->mod == 2 ? 4 : 0;
	if (d->rm == 4) {
		int sib = next(d);
		if (sib < 0)
			return;
		if (d->mod == 0 && (sib & 7) == 5) {
			dlen = 4;
			d->out->mem_direct = true;
		}
	} else if (d->mod == 0 && d->rm == 5) {
		dlen = 4;
		d->out->mem_direct = true;
	}
	uint64_t disp = 0;
	for (unsigned i = 0; i < dlen; i++) {
		int c = next(d);
		if (c < 0)
			return;
		disp |= (uint64_t)c << (8 * i);
	}
	d->disp = dlen == 1 ? (int8_t)disp : dlen == 4 ? (int32_t)disp : 0;
}

static unsigned iz(const dec *d) { return d->opsize16 ? 2 : 4; }

/* A ModRM form that raises #UD once decoded: its operand is never accessed. */
static void undefined_form(dec *d)
{
	d->mem = false;
	d->out->mem_direct = false;
}

static void set(dec *d, enum insn_class c)
{
	/* The most restrictive class wins. */
	if (c > d->out->cls)
		d->out->cls = c;
}

/* Legacy SSE with a memory operand: #GP when it is not 16-byte aligned. The
 * scratch base is 64-byte aligned, so the address's alignment is the
 * displacement's. */
static void sse_alignment(dec *d)
{
	if (d->mem && !d->out->mem_direct && (d->disp & 15))
		set(d, INSN_FAULT_UNKNOWN);
}

static void two_byte(dec *d)
{
	int op = next(d);
	if (op < 0)
		return;
	switch (op) {
	case 0x05: case 0x34:                     /* syscall, sysenter */
		set(d, INSN_RUNS_MORE);
		return;
	case 0x06: case 0x07: case 0x08: case 0x09: case 0x30: case 0x32: case 0x35:
		set(d, INSN_GP);                  /* clts sysret invd wbinvd wrmsr rdmsr sysexit */
		return;
	case 0x0b: case 0x31: case 0x77: case 0xa0: case 0xa2: case 0xa8: case 0xaa:
		return;                           /* ud2 rdtsc emms push-fs cpuid push-gs rsm */
	case 0xa1: case 0xa9:
		set(d, INSN_GP);                  /* pop fs/gs: the selector is the RFLAGS image */
		return;
	case 0x33: case 0x37:                     /* rdpmc (CR4.PCE), getsec */
		set(d, INSN_FAULT_UNKNOWN);
		return;
	case 0x00:
		modrm(d);
		if (d->reg <= 1)                  /* sldt, str: emulated under UMIP */
			set(d, INSN_RUNS_MORE);
		else if (d->reg <= 3)             /* lldt, ltr */
			set(d, INSN_GP);
		else if (d->reg >= 6)
			set(d, INSN_FAULT_UNKNOWN);
		return;
	case 0x01:
		modrm(d);
		if (d->mod != 3 && (d->reg <= 1 || d->reg == 4))
			set(d, INSN_RUNS_MORE);   /* sgdt, sidt, smsw: emulated under UMIP */
		else if (d->mod == 3 && d->reg == 4)
			set(d, INSN_RUNS_MORE);   /* smsw to a register */
		else if (d->mod != 3 && (d->reg == 2 || d->reg == 3 || d->reg == 6 || d->reg == 7))
			set(d, INSN_GP);          /* lgdt lidt lmsw invlpg */
		else
			set(d, INSN_FAULT_UNKNOWN);
		return;
	case 0x0d: case 0x18: case 0x19: case 0x1a: case 0x1b: case 0x1c: case 0x1d: case 0x1e: case 0x1f:
		modrm(d);                         /* prefetches and hint nops: no access */
		d->mem = false;
		d->out->mem_direct = false;
		return;
	case 0x0f:                                /* 3DNow!: ModRM then an opcode byte */
		modrm(d);
		skip(d, 1);
		d->out->len_known = false;
		set(d, INSN_FAULT_UNKNOWN);
		return;
	case 0x20: case 0x21: case 0x22: case 0x23:
		/* mov to/from control and debug registers: the ModRM byte always
		 * names registers, whatever its mod bits say. */
		skip(d, 1);
		set(d, INSN_GP);
		return;
	case 0x38:
		skip(d, 1);
		modrm(d);
		sse_alignment(d);
		return;
	case 0x3a:
		skip(d, 1);
		modrm(d);
		skip(d, 1);
		sse_alignment(d);
		return;
	case 0x70: case 0x71: case 0x72: case 0x73: case 0xc2: case 0xc4: case 0xc5: case 0xc6:
		modrm(d);
		skip(d, 1);
		sse_alignment(d);
		return;
	case 0xa4: case 0xac: case 0xba:
		modrm(d);
		skip(d, 1);
		return;
	case 0xae:
		modrm(d);
		if (d->mem)                       /* fxsave, xsave ...: alignment, state */
			set(d, INSN_FAULT_UNKNOWN);
		return;
	case 0xc7:
		modrm(d);
		if (d->mem)                       /* cmpxchg16b alignment, vmptrld ... */
			set(d, INSN_FAULT_UNKNOWN);
		return;
	case 0x78: case 0x79:
		modrm(d);
		set(d, INSN_FAULT_UNKNOWN);
		return;
	case 0x04: case 0x0a: case 0x0c: case 0x0e: case 0x24: case 0x25: case 0x26: case 0x27:
	case 0x36: case 0x39: case 0x3b: case 0x3c: case 0x3d: case 0x3e: case 0x3f:
	case 0x7a: case 0x7b: case 0xa6: case 0xa7:
		/* Undefined: how many bytes the CPU takes before #UD is unknown. */
		d->out->len_known = false;
		set(d, INSN_FAULT_UNKNOWN);
		return;
	default:
		break;
	}
	if (op >= 0x80 && op <= 0x8f) {          /* jcc rel32 */
		if (d->opsize16)
			d->out->len_known = false; /* Intel and AMD differ */
		skip(d, 4);
		return;
	}
	if (op >= 0xc8 && op <= 0xcf)             /* bswap */
		return;
	modrm(d);
	bool sse = (op >= 0x10 && op <= 0x17) || (op >= 0x28 && op <= 0x2f) ||
		   (op >= 0x50 && op <= 0x7f) || op >= 0xd0;
	if (sse)
		sse_alignment(d);
}

/* VEX (c4, c5) and EVEX (62): lengths known, faults not (AVX alignment,
 * features this CPU may lack). */
static void vex(dec *d, int first)
{
	unsigned map = 1;
	if (first == 0xc5) {
		skip(d, 1);
	} else if (first == 0xc4) {
		int b1 = next(d);
		if (b1 < 0)
			return;
		map = (unsigned)b1 & 0x1f;
		skip(d, 1);
	} else {
		int p0 = next(d);
		if (p0 < 0)
			return;
		map = (unsigned)p0 & 7;
		skip(d, 2);
	}
	int op = next(d);
	if (op < 0)
		return;
	set(d, INSN_FAULT_UNKNOWN);
	if (map == 1 && op == 0x77)               /* vzeroupper/vzeroall */
		return;
	modrm(d);
	if (map == 3)
		skip(d, 1);
}

static void one_byte(dec *d, int op)
{
	insn_info *o = d->out;
	if (op < 0x40) {
		switch (op & 7) {
		case 0: case 1: case 2: case 3:
			modrm(d);
			return;
		case 4:
			skip(d, 1);
			return;
		case 5:
			skip(d, iz(d));
			return;
		default:                          /* 06 07 0e 16 17 1e 1f 27 2f 37 3f: #UD */
			return;
		}
	}
	if (op >= 0x50 && op <= 0x5f)
		return;
	if (op >= 0x70 && op <= 0x7f) {
		skip(d, 1);
		return;
	}
	if (op >= 0x84 && op <= 0x8b) {
		modrm(d);
		return;
	}
	if (op >= 0x90 && op <= 0x99)
		return;
	if (op >= 0xb0 && op <= 0xb7) {
		skip(d, 1);
		return;
	}
	if (op >= 0xb8 && op <= 0xbf) {
		skip(d, d->rex_w ? 8 : iz(d));
		return;
	}
	if (op >= 0xd8 && op <= 0xdf) {           /* x87: no alignment faults, exceptions masked */
		modrm(d);
		return;
	}
	switch (op) {
	case 0x60: case 0x61: case 0xce: case 0xd6:
		return;                           /* #UD after one byte */
	case 0x62: case 0xc4: case 0xc5:
		vex(d, op);
		return;
	case 0x63: case 0x8c:
		modrm(d);
		return;
	case 0x68:
		skip(d, iz(d));
		return;
	case 0x69:
		modrm(d);
		skip(d, iz(d));
		return;
	case 0x6a:
		skip(d, 1);
		return;
	case 0x6b: case 0x80: case 0x83: case 0xc0: case 0xc1:
		modrm(d);
		skip(d, 1);
		return;
	case 0xc6:
		modrm(d);
		skip(d, 1);
		if (d->reg != 0 && d->mod != 3)   /* only c6 /0 (and xabort, c6 f8) exist */
			undefined_form(d);
		return;
	case 0x82:                                /* #UD, length-decoded first */
		modrm(d);
		skip(d, 1);
		d->mem = false;
		o->mem_direct = false;
		return;
	case 0x6c: case 0x6d: case 0x6e: case 0x6f: /* ins, outs: IOPL 0 */
	case 0xec: case 0xed: case 0xee: case 0xef: /* in, out (dx) */
	case 0xf4: case 0xfa: case 0xfb:            /* hlt, cli, sti */
	case 0xcb: case 0xcf:                       /* retf, iret: the image is no code selector */
		set(d, INSN_GP);
		return;
	case 0xca:
		skip(d, 2);
		set(d, INSN_GP);
		return;
	case 0xe4: case 0xe5: case 0xe6: case 0xe7:
		skip(d, 1);
		set(d, INSN_GP);
		return;
	case 0x81:
		modrm(d);
		skip(d, iz(d));
		return;
	case 0xc7:
		modrm(d);
		skip(d, iz(d));
		if (d->reg != 0 && d->mod != 3)   /* only c7 /0 (and xbegin, c7 f8) exist */
			undefined_form(d);
		return;
	case 0x8d:                                /* lea: no access */
		modrm(d);
		d->mem = false;
		o->mem_direct = false;
		return;
	case 0x8e:                                /* mov to a segment register */
		modrm(d);
		set(d, INSN_RUNS_MORE);
		return;
	case 0x8f:
		modrm(d);
		if (d->reg != 0) {                /* XOP on AMD */
			o->len_known = false;
			set(d, INSN_FAULT_UNKNOWN);
		}
		return;
	case 0x9a: case 0xea:                     /* #UD, length-decoded first: ptr16:32 */
		skip(d, d->opsize16 ? 4 : 6);
		return;
	case 0x9b: case 0x9c: case 0x9d: case 0x9e: case 0x9f:
	case 0xa4: case 0xa5: case 0xa6: case 0xa7: case 0xaa: case 0xab:
	case 0xac: case 0xad: case 0xae: case 0xaf:
	case 0xc3: case 0xc9: case 0xcc: case 0xd7: case 0xf1:
	case 0xf5: case 0xf8: case 0xf9: case 0xfc: case 0xfd:
		return;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3: /* moffs: an absolute address */
		skip(d, d->addr32 ? 4 : 8);
		o->mem_direct = true;
		return;
	case 0xa8: case 0xd4: case 0xd5: case 0xe0: case 0xe1: case 0xe2: case 0xe3: case 0xeb:
		skip(d, 1);
		return;
	case 0xa9:
		skip(d, iz(d));
		return;
	case 0xc2:
		skip(d, 2);
		return;
	case 0xc8:
		skip(d, 3);
		return;
	case 0xcd: {
		int n = next(d);
		if (n < 0)
			return;
		if (n == 0x80)
			set(d, INSN_RUNS_MORE);   /* a system call, then the next instruction */
		else if (n != 3 && n != 4)
			set(d, INSN_GP);          /* a gate user mode may not use */
		return;
	}
	case 0xd0: case 0xd1: case 0xd2: case 0xd3:
		modrm(d);
		return;
	case 0xfe:
		modrm(d);
		if (d->reg >= 2)                  /* #UD: the operand is never accessed */
			undefined_form(d);
		return;
	case 0xe8: case 0xe9:
		if (d->opsize16)
			o->len_known = false;     /* Intel and AMD differ */
		skip(d, 4);
		return;
	case 0xf6: case 0xf7:
		modrm(d);
		if (!d->more && d->reg <= 1)
			skip(d, op == 0xf6 ? 1 : iz(d));
		return;
	case 0xff:
		modrm(d);
		if (d->reg == 7 || ((d->reg == 3 || d->reg == 5) && d->mod == 3))
			undefined_form(d);
		else if (d->reg == 3 || d->reg == 5) /* far call/jmp through scratch memory */
			set(d, INSN_FAULT_UNKNOWN);
		return;
	default:
		return;
	}
}

int insn_decode(const uint8_t *b, unsigned avail, insn_info *out)
{
	memset(out, 0, sizeof(*out));
	out->len_known = true;
	dec d = { .b = b, .avail = avail > 15 ? 15 : avail, .out = out };
	int op;
	for (;;) {
		op = next(&d);
		if (op < 0)
			return 1;
		if (op == 0x66) {
			d.opsize16 = true;
		} else if (op == 0x67) {
			d.addr32 = true;
		} else if (op == 0xf2 || op == 0xf3) {
			d.rep = true;
		} else if (op == 0xf0 || op == 0x26 || op == 0x2e || op == 0x36 || op == 0x3e ||
			   op == 0x64 || op == 0x65) {
			/* lock, segment overrides (fs/gs bases are executor memory) */
		} else if ((op & 0xf0) == 0x40) {
			/* REX counts only right before the opcode. */
			d.rex_w = op & 8;
			int peek = d.pos < d.avail ? d.b[d.pos] : -1;
			if (peek < 0) {
				d.more = true;
				return 1;
			}
			bool prefix = peek == 0x66 || peek == 0x67 || peek == 0xf0 || peek == 0xf2 ||
				      peek == 0xf3 || peek == 0x26 || peek == 0x2e || peek == 0x36 ||
				      peek == 0x3e || peek == 0x64 || peek == 0x65 || (peek & 0xf0) == 0x40;
			if (!prefix) {
				op = next(&d);
				break;
			}
			d.rex_w = false;
		} else {
			break;
		}
		if (d.pos >= 15) {
			/* Fifteen bytes of prefixes: longer than an instruction may be. */
			out->len = 15;
			out->cls = INSN_GP;
			return 0;
		}
	}
	if (op == 0x0f)
		two_byte(&d);
	else
		one_byte(&d, op);
	if (d.more) {
		/* Past 15 bytes the CPU stops with #GP; below, it needs more. */
		if (avail >= 15) {
			out->len = 15;
			out->cls = INSN_GP;
			out->mem_direct = false;
			return 0;
		}
		return 1;
	}
	out->len = d.pos;
	/* Faults at decode or privilege checks come before any data access. */
	if (out->cls == INSN_GP)
		out->mem_direct = false;
	return 0;
}
