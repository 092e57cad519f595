/* SPDX-License-Identifier: MIT */
/*
 * insn.c: an x86-64 instruction-length decoder, just enough for fetch().
 *
 * fetch(addr) single-steps one instruction at addr (harness/exec.c) with
 * every general register, rsp included, holding EXEC_FETCH_REG
 * (0xdead0000dead0000): a non-canonical value whose multiples by 1, 2, 3,
 * 4, 5, 8 and 9 stay non-canonical with any 32-bit displacement added. So
 * an explicit memory operand built from registers raises #GP, an implicit
 * stack access (push, pop, call, ret, popf, iret, leave...) raises #SS, a
 * string instruction's rsi/rdi raise #GP, and a jump through a register
 * raises #GP: the instruction never touches memory, except through an
 * operand relative to RIP, at an absolute address, or with 32-bit address
 * size (67 prefix), which the model does not follow. What that instruction
 * does is an artefact of the probe, but two of its effects reach the next
 * page, and the model must reproduce them:
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
 * relative to RIP, absolutely or with 32-bit addresses (it reaches the
 * program's memory, which the model does not follow), and, near a page end
 * only, those whose length or #GP the decoder cannot tell (VEX/EVEX,
 * undefined opcodes, SSE forms valid only with some prefixes, orderings of
 * #GP and #SS the manuals leave open).
 */
#include "oracleInt.h"

typedef struct dec {
	const uint8_t *b;
	unsigned avail, pos;
	bool more;             /* ran out of bytes */
	bool opsize16, addr32, rep, lock, rex_w, rex_r, rex_x, rex_b;
	bool fs_gs;            /* an fs: or gs: override (the others are ignored) */
	insn_info *out;
	/* ModRM facts */
	bool has_modrm, mem, direct;
	bool ss_based;         /* based on rsp or rbp: the SS segment, so #SS */
	unsigned mod, reg, rm;
	/* What the instruction does, for classify() */
	bool ud;               /* #UD once decoded: nothing else happens */
	bool gp;               /* #GP whatever its operands (privilege, I/O) */
	bool unknown;          /* #GP or not: not known */
	bool runs_more;        /* a second instruction runs before the trap */
	bool noaccess;         /* its memory operand is not accessed (lea, nops) */
	bool stack;            /* an implicit stack access: #SS */
	bool string;           /* rsi/rdi accesses: #GP */
	bool branch_reg;       /* a jump to a register's value: #GP */
	bool lockable;         /* lock is allowed with a memory operand */
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

/* ModRM, SIB and displacement. A memory operand relative to RIP, at an
 * absolute address (SIB with neither base nor index) or with 32-bit
 * address size is "direct": it reaches real memory. Any other is built
 * from registers, so its address is non-canonical. */
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
	if (d->addr32)
		d->direct = true;
	unsigned dlen = d->mod == 1 ? 1 : d->mod == 2 ? 4 : 0;
	if (d->rm == 4) {
		int sib = next(d);
		if (sib < 0)
			return;
		unsigned base = (unsigned)sib & 7;
		if (d->mod == 0 && base == 5) {
			dlen = 4;
			bool index = ((sib >> 3) & 7) != 4 || d->rex_x;
			if (!index)
				d->direct = true;
		} else if ((base == 4 || base == 5) && !d->rex_b) {
			d->ss_based = true;       /* rsp or rbp as the base */
		}
	} else if (d->mod == 0 && d->rm == 5) {
		dlen = 4;
		d->direct = true;
	} else if (d->rm == 5 && !d->rex_b) {
		d->ss_based = true;               /* rbp + displacement */
	}
	/* A non-canonical address in the SS segment is #SS, in any other #GP;
	 * fs: and gs: overrides take the operand out of SS (in 64-bit mode the
	 * cs, ds, es and ss overrides are ignored). */
	if (d->fs_gs)
		d->ss_based = false;
	skip(d, dlen);
}

static unsigned iz(const dec *d) { return d->opsize16 ? 2 : 4; }

/* A ModRM form that raises #UD once decoded. */
static void undefined(dec *d) { d->ud = true; }

static void two_byte(dec *d)
{
	int op = next(d);
	if (op < 0)
		return;
	switch (op) {
	case 0x05: case 0x34:                     /* syscall, sysenter */
		d->runs_more = true;
		return;
	case 0x06: case 0x07: case 0x08: case 0x09: case 0x30: case 0x32: case 0x35:
		d->gp = true;                     /* clts sysret invd wbinvd wrmsr rdmsr sysexit */
		return;
	case 0x0b: case 0x31: case 0x77: case 0xa2: case 0xaa:
		return;                           /* ud2 rdtsc emms cpuid rsm(#UD) */
	case 0xa0: case 0xa1: case 0xa8: case 0xa9:
		d->stack = true;                  /* push/pop fs, gs */
		return;
	case 0x33: case 0x37:                     /* rdpmc (CR4.PCE), getsec */
		d->unknown = true;
		return;
	case 0x00:
		modrm(d);
		if (d->reg <= 1)                  /* sldt, str: emulated under UMIP */
			d->runs_more = true;
		else if (d->reg <= 3)             /* lldt, ltr */
			d->gp = true;
		else if (d->reg >= 6)
			undefined(d);
		return;                           /* verr, verw: read their operand */
	case 0x01:
		modrm(d);
		if (d->mod != 3 && (d->reg <= 1 || d->reg == 4))
			d->runs_more = true;      /* sgdt, sidt, smsw: emulated under UMIP */
		else if (d->mod == 3 && d->reg == 4)
			d->runs_more = true;      /* smsw to a register */
		else if (d->mod != 3 && (d->reg == 2 || d->reg == 3 || d->reg == 6 || d->reg == 7))
			d->gp = true;             /* lgdt lidt lmsw invlpg */
		else
			d->unknown = true;
		return;
	case 0x0d: case 0x18: case 0x19: case 0x1a: case 0x1b: case 0x1c: case 0x1d: case 0x1e: case 0x1f:
		modrm(d);                         /* prefetches and hint nops: no access */
		d->noaccess = true;
		return;
	case 0x0f:                                /* 3DNow!: ModRM then an opcode byte */
		modrm(d);
		skip(d, 1);
		d->out->len_known = false;
		d->unknown = true;
		return;
	case 0x20: case 0x22:
		/* mov to/from a control register: the ModRM byte always names
		 * registers. CR1, CR5-7 and CR9+ are #UD before the privilege
		 * check (measured). */
		if ((d->reg = (unsigned)next(d) >> 3 & 7, d->more))
			return;
		if (d->rex_r ? d->reg != 0 : (d->reg == 1 || d->reg >= 5))
			undefined(d);
		else
			d->gp = true;
		return;
	case 0x21: case 0x23:                     /* debug registers: DR4/5 depend on CR4.DE */
		if ((d->reg = (unsigned)next(d) >> 3 & 7, d->more))
			return;
		if (d->rex_r || d->reg == 4 || d->reg == 5)
			d->unknown = true;
		else
			d->gp = true;
		return;
	case 0x38: case 0x3a:                     /* many opcodes are undefined */
		skip(d, 1);
		modrm(d);
		if (op == 0x3a)
			skip(d, 1);
		if (d->mem)
			d->unknown = true;
		return;
	case 0x70: case 0x71: case 0x72: case 0x73: case 0xc2: case 0xc4: case 0xc5: case 0xc6:
		modrm(d);
		skip(d, 1);
		if (d->mem && op >= 0x71 && op <= 0x73)
			undefined(d);             /* the shift groups take registers only */
		return;
	case 0xa4: case 0xac: case 0xba:
		modrm(d);
		skip(d, 1);
		if (op == 0xba && d->reg >= 5)
			d->lockable = true;
		if (op == 0xba && d->reg < 4)
			undefined(d);             /* 0f ba /0-/3 do not exist */
		return;
	case 0xa3:
		modrm(d);
		return;
	case 0xab: case 0xb3: case 0xbb: case 0xb0: case 0xb1: case 0xc0: case 0xc1:
		modrm(d);
		d->lockable = true;
		return;
	case 0xae:
		modrm(d);
		if (d->mod == 3) {
			if (d->rep && (d->reg == 2 || d->reg == 3))
				d->gp = true;     /* wrfsbase/wrgsbase of a non-canonical value */
			else if (d->rep ? d->reg > 1 : d->reg < 5)
				d->unknown = true;
		}
		return;                           /* fxsave, xsave, clflush...: access */
	case 0xc7:
		modrm(d);
		if (d->mod == 3) {
			if (d->reg < 6)
				d->unknown = true;
		} else if (d->reg == 1) {
			d->lockable = true;       /* cmpxchg8b/16b */
		} else {
			d->unknown = true;
		}
		return;
	case 0x78: case 0x79:
		modrm(d);
		d->unknown = true;
		return;
	case 0x04: case 0x0a: case 0x0c: case 0x0e: case 0x24: case 0x25: case 0x26: case 0x27:
	case 0x36: case 0x39: case 0x3b: case 0x3c: case 0x3d: case 0x3e: case 0x3f:
	case 0x7a: case 0x7b: case 0xa6: case 0xa7:
		/* Undefined: how many bytes the CPU takes before #UD is unknown. */
		d->out->len_known = false;
		d->unknown = true;
		return;
	case 0x6c: case 0x6d: case 0x7c: case 0x7d: case 0xd0: case 0xd6: case 0xd7: case 0xe6:
	case 0xf0:
		/* Defined with some prefixes only (or for registers only). */
		modrm(d);
		if (d->mem)
			d->unknown = true;
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
}

/* VEX (c4, c5) and EVEX (62): lengths known, faults not (features this
 * CPU may lack). */
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
	d->unknown = true;
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
			if ((op & 7) <= 1 && (op & 0x38) != 0x38)
				d->lockable = true; /* not cmp */
			return;
		case 4:
			skip(d, 1);
			return;
		case 5:
			skip(d, iz(d));
			return;
		default:                          /* 06 07 0e 16 17 1e 1f 27 2f 37 3f: #UD */
			undefined(d);
			return;
		}
	}
	if (op >= 0x50 && op <= 0x5f) {
		d->stack = true;
		return;
	}
	if (op >= 0x70 && op <= 0x7f) {
		skip(d, 1);
		return;
	}
	if (op >= 0x84 && op <= 0x8b) {
		modrm(d);
		if (op == 0x86 || op == 0x87)
			d->lockable = true;
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
	if (op >= 0xd8 && op <= 0xdf) {           /* x87 */
		modrm(d);
		return;
	}
	switch (op) {
	case 0x60: case 0x61: case 0xce: case 0xd6:
		undefined(d);                     /* #UD after one byte */
		return;
	case 0x62: case 0xc4: case 0xc5:
		vex(d, op);
		return;
	case 0x63: case 0x8c:
		modrm(d);
		return;
	case 0x68:
		skip(d, iz(d));
		d->stack = true;
		return;
	case 0x69:
		modrm(d);
		skip(d, iz(d));
		return;
	case 0x6a:
		skip(d, 1);
		d->stack = true;
		return;
	case 0x6b: case 0xc0: case 0xc1:
		modrm(d);
		skip(d, 1);
		return;
	case 0x80: case 0x83:
		modrm(d);
		skip(d, 1);
		d->lockable = d->reg != 7;
		return;
	case 0x81:
		modrm(d);
		skip(d, iz(d));
		d->lockable = d->reg != 7;
		return;
	case 0x82:                                /* #UD, length-decoded first */
		modrm(d);
		skip(d, 1);
		undefined(d);
		return;
	case 0x6c: case 0x6d: case 0x6e: case 0x6f: /* ins, outs: IOPL 0 */
	case 0xec: case 0xed: case 0xee: case 0xef: /* in, out (dx) */
	case 0xf4: case 0xfa: case 0xfb:            /* hlt, cli, sti */
		d->gp = true;
		return;
	case 0xe4: case 0xe5: case 0xe6: case 0xe7:
		skip(d, 1);
		d->gp = true;
		return;
	case 0xc6:
		modrm(d);
		skip(d, 1);
		if (d->reg != 0 && !(d->mod == 3 && d->reg == 7))
			undefined(d);             /* only c6 /0 and xabort (c6 f8) */
		return;
	case 0xc7:
		modrm(d);
		skip(d, iz(d));
		if (d->mod == 3 && d->reg == 7)
			d->unknown = true;        /* xbegin */
		else if (d->reg != 0)
			undefined(d);
		return;
	case 0x8d:                                /* lea: no access */
		modrm(d);
		if (d->mod == 3)
			undefined(d);
		d->noaccess = true;
		return;
	case 0x8e:                                /* mov to a segment register */
		modrm(d);
		d->runs_more = true;
		return;
	case 0x8f:
		modrm(d);
		if (d->reg != 0) {                /* XOP on AMD */
			o->len_known = false;
			d->unknown = true;
		}
		/* pop r/m: the stack read faults (#SS) before the operand
		 * (measured). */
		d->stack = true;
		d->noaccess = true;
		return;
	case 0x9a: case 0xea:                     /* #UD, length-decoded first: ptr16:32 */
		skip(d, d->opsize16 ? 4 : 6);
		undefined(d);
		return;
	case 0x9c: case 0x9d: case 0xc3: case 0xc9: case 0xcb: case 0xcf:
		d->stack = true;                  /* pushf popf ret leave retf iret */
		return;
	case 0x9b: case 0x9e: case 0x9f: case 0xcc: case 0xf1:
	case 0xf5: case 0xf8: case 0xf9: case 0xfc: case 0xfd:
		return;
	case 0xa4: case 0xa5: case 0xa6: case 0xa7: case 0xaa: case 0xab:
	case 0xac: case 0xad: case 0xae: case 0xaf: case 0xd7:
		d->string = true;                 /* movs cmps stos lods scas, xlat */
		if (d->addr32)
			d->direct = true;
		return;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3: /* moffs: an absolute address */
		skip(d, d->addr32 ? 4 : 8);
		d->mem = d->direct = true;
		return;
	case 0xa8: case 0xd4: case 0xd5: case 0xe0: case 0xe1: case 0xe2: case 0xe3: case 0xeb:
		skip(d, 1);
		if (op == 0xd4 || op == 0xd5)
			undefined(d);
		return;
	case 0xa9:
		skip(d, iz(d));
		return;
	case 0xc2: case 0xca:
		skip(d, 2);
		d->stack = true;
		return;
	case 0xc8:
		skip(d, 3);
		d->stack = true;
		return;
	case 0xcd: {
		int n = next(d);
		if (n < 0)
			return;
		if (n == 0x80)
			d->runs_more = true;      /* a system call, then the next instruction */
		else if (n != 3 && n != 4)
			d->gp = true;             /* a gate user mode may not use */
		return;
	}
	case 0xd0: case 0xd1: case 0xd2: case 0xd3:
		modrm(d);
		return;
	case 0xe8:
		if (d->opsize16)
			o->len_known = false;     /* Intel and AMD differ */
		skip(d, 4);
		d->stack = true;
		return;
	case 0xe9:
		if (d->opsize16)
			o->len_known = false;
		skip(d, 4);
		return;
	case 0xf6: case 0xf7:
		modrm(d);
		if (!d->more && d->reg <= 1)
			skip(d, op == 0xf6 ? 1 : iz(d));
		d->lockable = d->reg == 2 || d->reg == 3;
		return;
	case 0xfe:
		modrm(d);
		if (d->reg >= 2)
			undefined(d);
		d->lockable = true;
		return;
	case 0xff:
		modrm(d);
		d->lockable = d->reg <= 1;
		if (d->reg == 7 || ((d->reg == 3 || d->reg == 5) && d->mod == 3))
			undefined(d);
		else if (d->reg == 4 && d->mod == 3)
			d->branch_reg = true;     /* jmp to a non-canonical address: #GP */
		else if (d->reg == 2 && d->mod == 3)
			d->stack = true;          /* call reg: the push faults first (#SS) */
		/* push [m] and call [m] read their operand first: #GP (measured) */
		return;
	default:
		return;
	}
}

/* The instruction's class from what it does (see the file comment). */
static void classify(dec *d)
{
	insn_info *o = d->out;
	bool access = d->mem && !d->noaccess;
	/* lock with anything but a lockable memory destination: #UD first. */
	if (d->lock && !(d->lockable && d->mem))
		d->ud = true;
	if (d->ud) {
		o->cls = INSN_PLAIN;
		return;
	}
	if (d->runs_more) {
		o->cls = INSN_RUNS_MORE;
		return;
	}
	if (d->gp) {
		o->cls = INSN_GP;
		return;
	}
	if (access && d->direct) {
		o->mem_direct = true;
		o->cls = d->unknown ? INSN_FAULT_UNKNOWN : INSN_PLAIN;
		return;
	}
	if (d->unknown) {
		o->cls = INSN_FAULT_UNKNOWN;
		return;
	}
	if (d->string && d->direct) {
		o->mem_direct = true;
		return;
	}
	if (access && d->stack && !d->ss_based) {
		/* Which of #GP (operand) and #SS (stack) comes first is open. */
		o->cls = INSN_FAULT_UNKNOWN;
		return;
	}
	if (access && d->ss_based)
		access = false;                    /* #SS: no read */
	if (access || d->string || d->branch_reg)
		o->cls = INSN_GP;
	else
		o->cls = INSN_PLAIN;               /* #SS for stack accesses: no read */
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
		} else if (op == 0xf0) {
			d.lock = true;
		} else if (op == 0x64 || op == 0x65) {
			d.fs_gs = true;           /* fs/gs bases are small, the registers not */
		} else if (op == 0x26 || op == 0x2e || op == 0x36 || op == 0x3e) {
			/* ignored in 64-bit mode */
		} else if ((op & 0xf0) == 0x40) {
			/* REX counts only right before the opcode. */
			int peek = d.pos < d.avail ? d.b[d.pos] : -1;
			if (peek < 0) {
				d.more = true;
				return 1;
			}
			bool prefix = peek == 0x66 || peek == 0x67 || peek == 0xf0 || peek == 0xf2 ||
				      peek == 0xf3 || peek == 0x26 || peek == 0x2e || peek == 0x36 ||
				      peek == 0x3e || peek == 0x64 || peek == 0x65 || (peek & 0xf0) == 0x40;
			if (!prefix) {
				d.rex_w = op & 8;
				d.rex_r = op & 4;
				d.rex_x = op & 2;
				d.rex_b = op & 1;
				op = next(&d);
				break;
			}
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
			return 0;
		}
		return 1;
	}
	out->len = d.pos;
	classify(&d);
	return 0;
}
