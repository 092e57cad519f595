/* SPDX-License-Identifier: MIT */
/*
 * fuzz_repro.c: `mmspec repro --c`, a standalone C reproducer of a
 * divergence: one C file that builds with plain `cc`, needs nothing of
 * mmspec, and runs the program on the kernel with raw syscall(), printing
 * each step's result next to what the model predicted.
 *
 *   mmspec repro --c [--db DB] [-o OUT.c] [--profile X.Y] FILE[:CASE] | ID
 *
 * The model's predictions are computed here, by the model alone (the
 * harness's model-only run), and written into the file as data; the file
 * evaluates every argument at run time against its own arena and the values
 * its steps bound, so the kernel's address choices carry through. What the
 * reproducer compares, per step: the return value or errno (only success
 * or failure where the kernel picks: mmap or mremap without a fixed
 * address in the arena, brk, fork), the signal and si_code of a probe, the
 * value a load read; after each step that changes the address space, the
 * VMAs of the step's window (with one page on each side when the window is
 * in the arena, the step's own range elsewhere, where neighbours are the
 * reproducer's own). pagemap() and mincore()'s vector need the executor's
 * privileged reader and are printed as not checked.
 *
 * Processes: a fork() step forks; every process runs the same loop and takes
 * its steps when a shared turn counter reaches them, as the executor does;
 * a step after an exit() waits until that process's mm is gone (it is a
 * zombie); only the root prints, at the end.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* What the reproducer checks at one step. */
enum {
	M_NONE,         /* nothing: printed only */
	M_ERRNO,        /* -errno */
	M_VALUE,        /* an exact value: k + arena * A */
	M_OK,           /* success, any value */
	M_SIGNAL,       /* a probe's signal and si_code */
	M_UNREACHED     /* the model stopped before this step */
};

#define MAX_WIN_VMAS 32

typedef struct model_step {
	int kind;
	int64_t err;
	uint64_t k;
	int arena;
	int signo, code;
	char text[160];
	/* The model's VMAs in the step's window, relative to its low end. */
	bool layout;
	bool arena_window;    /* compare the whole window, else the inner range */
	uint64_t win_len;
	uint32_t nvmas;
	uint64_t vs[MAX_WIN_VMAS], ve[MAX_WIN_VMAS];
	uint32_t vprot[MAX_WIN_VMAS];
} model_step;

typedef struct collect {
	const prog_case *c;
	model_step *m;
	uint64_t vals[PROG_MAX_VARS];
	uint32_t reached;
} collect;

/* Parses a model outcome ("= -1 ENOMEM", "= A+4p", "= 0x2a",
 * "= SIGSEGV(SEGV_MAPERR)") with the case parser. */
static bool parse_outcome(int op, const char *outcome, prog_result *res)
{
	char text[256];
	bool probe = op == PROG_LOAD || op == PROG_STORE || op == PROG_FETCH;
	snprintf(text, sizeof(text), "case x\n  %s %s\n", probe ? "load(A)" : "munmap(A, 1p)", outcome);
	prog_file *f = NULL;
	prog_diag dg;
	if (prog_parse_text("outcome", text, strlen(text), &f, &dg))
		return false;
	bool ok = f->ncases == 1 && f->cases[0].nsteps == 1;
	if (ok)
		*res = f->cases[0].steps[0].res;
	prog_file_free(f);
	return ok;
}

static uint32_t prot_bits(uint64_t flags)
{
	return ((flags & VM_READ) ? 1 : 0) | ((flags & VM_WRITE) ? 2 : 0) | ((flags & VM_EXEC) ? 4 : 0) |
	       ((flags & VM_MAYSHARE) ? 8 : 0);
}

/* Whether the step's address was fixed by the program (so the value is). */
static bool address_fixed(const prog_step *s)
{
	if (s->op == PROG_MMAP)
		return (s->arg[3].k & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE)) && !s->arg[3].nterms;
	if (s->op == PROG_MREMAP)
		return (s->arg[3].k & LX_MREMAP_FIXED) != 0;
	return true;
}

static void on_step(const harness_step_event *ev, void *vctx)
{
	collect *x = vctx;
	const prog_step *s = ev->s;
	model_step *m = &x->m[ev->index];
	x->reached = ev->index + 1;
	snprintf(m->text, sizeof(m->text), "%s", ev->outcome);
	prog_result res;
	int64_t ret = 0;
	m->kind = M_NONE;
	if (s->op == PROG_MAPS || s->op == PROG_PAGEMAP || s->op == PROG_EXIT) {
		m->kind = M_NONE;
	} else if (!parse_outcome(s->op, ev->outcome, &res)) {
		m->kind = M_NONE;
	} else if (res.kind == PROG_RES_ERRNO) {
		m->kind = M_ERRNO;
		m->err = res.errnos[0];
		ret = -m->err;
	} else if (res.kind == PROG_RES_SIGNAL) {
		m->kind = M_SIGNAL;
		m->signo = res.signo;
		m->code = res.si_code;
	} else if (res.kind == PROG_RES_VALUE) {
		uint64_t v = prog_eval(&res.value, ev->arena, x->vals);
		ret = (int64_t)v;
		m->k = res.value.k;
		m->arena = res.value.arena;
		bool chosen = s->op == PROG_BRK || s->op == PROG_FORK ||
			      ((s->op == PROG_MMAP || s->op == PROG_MREMAP) && (!address_fixed(s) || !res.value.arena));
		m->kind = chosen ? M_OK : M_VALUE;
		if (s->op == PROG_MINCORE && ret == 0)
			m->kind = M_VALUE;
	}
	if (s->res.kind == PROG_RES_BIND && (m->kind == M_VALUE || m->kind == M_OK))
		x->vals[s->res.var] = (uint64_t)ret;
	/* The window after a step that changes the address space. */
	const prog_op_info *oi = prog_op_info_get(s->op);
	uint64_t a[PROG_MAX_ARGS] = { 0 }, lo, hi;
	for (unsigned q = 0; q < s->nargs; q++)
		a[q] = prog_eval(&s->arg[q], ev->arena, x->vals);
	if (!oi->mutates || ev->failed || !exec_step_window(s, a, ret, &lo, &hi) || hi - lo > (64ULL << 20))
		return;
	bool in_arena = lo - ev->arena + (1ULL << 32) < (2ULL << 32);
	/* Outside the arena the model's neighbours are its default layout's,
	 * not the reproducer's: a failed step (nothing of the program's there)
	 * is not worth a layout comparison. */
	if (!in_arena && m->kind == M_ERRNO)
		return;
	oracle_vma_info v[MAX_WIN_VMAS + 1];
	size_t n = oracle_vmas(ev->proc, lo, hi, v, MAX_WIN_VMAS + 1);
	if (n > MAX_WIN_VMAS)
		return;
	m->layout = true;
	m->arena_window = in_arena;
	m->win_len = hi - lo;
	m->nvmas = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t st = v[i].start < lo ? lo : v[i].start, en = v[i].end > hi ? hi : v[i].end;
		m->vs[m->nvmas] = st - lo;
		m->ve[m->nvmas] = en - lo;
		m->vprot[m->nvmas++] = prot_bits(v[i].flags);
	}
}

/* ---- writing C ---- */

static void c_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", out);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(out, "\\%03o", ch);
		else if (ch == '?')
			fputs("\\?", out); /* no trigraphs */
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void c_comment_line(FILE *out, const char *prefix, const char *s)
{
	fputs(prefix, out);
	for (; *s && *s != '\n'; s++)
		if (s[0] == '*' && s[1] == '/')
			fputs("* /", out), s++;
		else
			fputc(*s, out);
	fputc('\n', out);
}

static void c_expr(FILE *out, const prog_expr *e)
{
	fprintf(out, "(0x%" PRIx64 "ULL", e->k);
	if (e->arena)
		fprintf(out, " + (uint64_t)(%d) * A", e->arena);
	for (unsigned t = 0; t < e->nterms; t++)
		fprintf(out, " + (uint64_t)(%d) * V[%u]", e->term[t].coef, e->term[t].var);
	fputc(')', out);
}

static const char *sys_name(int op)
{
	switch (op) {
	case PROG_MMAP: return "SYS_mmap";
	case PROG_MUNMAP: return "SYS_munmap";
	case PROG_MPROTECT: return "SYS_mprotect";
	case PROG_BRK: return "SYS_brk";
	case PROG_MREMAP: return "SYS_mremap";
	case PROG_MADVISE: return "SYS_madvise";
	case PROG_MLOCK: return "SYS_mlock";
	case PROG_MLOCK2: return "325 /* mlock2 */";
	case PROG_MUNLOCK: return "SYS_munlock";
	case PROG_MLOCKALL: return "SYS_mlockall";
	case PROG_MUNLOCKALL: return "SYS_munlockall";
	case PROG_MSEAL: return "462 /* mseal */";
	case PROG_MINCORE: return "SYS_mincore";
	case PROG_FTRUNCATE: return "SYS_ftruncate";
	default: return NULL;
	}
}

/* The fixed part of the reproducer, after the per-program data. */
static const char *const c_body =
	"static uint64_t A, V[NVARS > 0 ? NVARS : 1];\n"
	"struct shared {\n"
	"\tvolatile int turn, abort;\n"
	"\tint done[NSTEPS], signo[NSTEPS], code[NSTEPS];\n"
	"\tint64_t ret[NSTEPS];\n"
	"\tuint64_t addr[NSTEPS], value[NSTEPS], vals[NVARS > 0 ? NVARS : 1];\n"
	"\tint pid[NVARS > 0 ? NVARS : 1];\n"
	"\tint nk[NSTEPS];\n"
	"\tuint64_t ks[NSTEPS][MAXV], ke[NSTEPS][MAXV];\n"
	"\tunsigned kp[NSTEPS][MAXV];\n"
	"\tuint64_t wlo[NSTEPS];\n"
	"};\n"
	"static struct shared *S;\n"
	"static sigjmp_buf jb;\n"
	"static volatile int probing, stage, f_sig, f_code;\n"
	"static volatile uint64_t f_addr, f_trapno, f_err, f_rip, target;\n"
	"static uint64_t scratch[64];\n"
	"static uint64_t *volatile scratch_ptr = &scratch[32];\n"
	"static unsigned char vec[512] __attribute__((unused));\n"
	"static char maps_buf[1 << 20];\n"
	"\n"
	"static void on_signal(int sig, siginfo_t *si, void *ucv)\n"
	"{\n"
	"\tucontext_t *uc = ucv;\n"
	"\tif (!probing) {\n"
	"\t\tS->abort = 1;\n"
	"\t\tsignal(sig, SIG_DFL);\n"
	"\t\treturn;\n"
	"\t}\n"
	"\tif (sig == SIGTRAP && stage == 0 && (uint64_t)uc->uc_mcontext.gregs[REG_RIP] == target) {\n"
	"\t\tstage = 1; /* at the target: let its one instruction be fetched and run */\n"
	"\t\treturn;\n"
	"\t}\n"
	"\tf_sig = sig;\n"
	"\tf_code = si->si_code;\n"
	"\tf_addr = (uint64_t)si->si_addr;\n"
	"\tf_trapno = (uint64_t)uc->uc_mcontext.gregs[REG_TRAPNO];\n"
	"\tf_err = (uint64_t)uc->uc_mcontext.gregs[REG_ERR];\n"
	"\tf_rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];\n"
	"\tsiglongjmp(jb, 1);\n"
	"}\n"
	"\n"
	"/* Jumps to target with the trap flag set and every register but rsp\n"
	"   pointing at scratch memory: at most one instruction runs there. */\n"
	"static void __attribute__((noinline)) jump_single_step(void)\n"
	"{\n"
	"\t__asm__ volatile(\"pushfq\\n\\torq $0x100, (%%rsp)\\n\\t\"\n"
	"\t\t\"movq %1, %%rax\\n\\tmovq %%rax, %%rbx\\n\\tmovq %%rax, %%rcx\\n\\tmovq %%rax, %%rdx\\n\\t\"\n"
	"\t\t\"movq %%rax, %%rsi\\n\\tmovq %%rax, %%rdi\\n\\tmovq %%rax, %%r8\\n\\tmovq %%rax, %%r9\\n\\t\"\n"
	"\t\t\"movq %%rax, %%r10\\n\\tmovq %%rax, %%r11\\n\\tmovq %%rax, %%r12\\n\\tmovq %%rax, %%r13\\n\\t\"\n"
	"\t\t\"movq %%rax, %%r14\\n\\tmovq %%rax, %%r15\\n\\t\"\n"
	"\t\t\"popfq\\n\\tjmp *%0\\n\\t\"\n"
	"\t\t: : \"m\"(target), \"m\"(scratch_ptr)\n"
	"\t\t: \"rax\", \"rbx\", \"rcx\", \"rdx\", \"rsi\", \"rdi\", \"r8\", \"r9\", \"r10\", \"r11\",\n"
	"\t\t  \"r12\", \"r13\", \"r14\", \"r15\", \"memory\", \"cc\");\n"
	"}\n"
	"\n"
	"/* A probe: 0 load, 1 store, 2 fetch. Fills signo/code/addr/value of step i. */\n"
	"static void probe(int i, int kind, uint64_t addr, uint64_t value)\n"
	"{\n"
	"\tf_sig = 0;\n"
	"\tif (sigsetjmp(jb, 1) == 0) {\n"
	"\t\tprobing = 1;\n"
	"\t\tif (kind == 0) {\n"
	"\t\t\tS->value[i] = *(volatile uint64_t *)addr;\n"
	"\t\t} else if (kind == 1) {\n"
	"\t\t\t*(volatile uint64_t *)addr = value;\n"
	"\t\t} else if (addr - 0xffffffffff600000ULL < 4096 && (addr & 0x3ff) == 0 && (addr & 0xfff) < 0xc00) {\n"
	"\t\t\t/* a vsyscall entry: fetchable; running it would emulate a system call */\n"
	"\t\t} else {\n"
	"\t\t\tstage = 0;\n"
	"\t\t\ttarget = addr;\n"
	"\t\t\tjump_single_step();\n"
	"\t\t}\n"
	"\t}\n"
	"\tprobing = 0;\n"
	"\tif (!f_sig)\n"
	"\t\treturn;\n"
	"\tif (kind == 2) {\n"
	"\t\t/* Only a fault of the fetch at addr itself counts (the jump, or an\n"
	"\t\t   instruction-fetch page fault in addr's page); anything the one\n"
	"\t\t   instruction did afterwards means the fetch worked. */\n"
	"\t\tint before = stage == 0 && f_sig == SIGSEGV;\n"
	"\t\tint fetch_pf = f_trapno == 14 && (f_err & 0x10);\n"
	"\t\tint instr = (f_sig == SIGSEGV || f_sig == SIGBUS) && (fetch_pf || f_sig == SIGBUS) &&\n"
	"\t\t\t    (f_addr & ~4095ULL) == (addr & ~4095ULL);\n"
	"\t\t/* emulate_vsyscall() refusing the fetch: SIGSEGV(SI_KERNEL) at the\n"
	"\t\t   target with a stale trap number */\n"
	"\t\tint refused = f_sig == SIGSEGV && f_code == 0x80 && f_trapno != 13 && f_trapno != 14 &&\n"
	"\t\t\t      f_rip == addr;\n"
	"\t\tif (!before && !instr && !refused)\n"
	"\t\t\treturn;\n"
	"\t}\n"
	"\tS->signo[i] = f_sig;\n"
	"\tS->code[i] = f_code;\n"
	"\tS->addr[i] = f_addr;\n"
	"}\n"
	"\n"
	"static int64_t sys(long nr, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f)\n"
	"{\n"
	"\tlong r = syscall(nr, a, b, c, d, e, f);\n"
	"\treturn r == -1 ? -(int64_t)errno : (int64_t)r;\n"
	"}\n"
	"\n"
	"/* The VMAs intersecting [lo, hi), from /proc/self/maps, into step i's record. */\n"
	"static void record_layout(int i, uint64_t lo, uint64_t hi)\n"
	"{\n"
	"\tint fd = open(\"/proc/self/maps\", O_RDONLY);\n"
	"\tsize_t n = 0;\n"
	"\tssize_t r;\n"
	"\tS->wlo[i] = lo;\n"
	"\tS->nk[i] = 0;\n"
	"\tif (fd < 0)\n"
	"\t\treturn;\n"
	"\twhile (n + 1 < sizeof(maps_buf) && (r = read(fd, maps_buf + n, sizeof(maps_buf) - 1 - n)) > 0)\n"
	"\t\tn += (size_t)r;\n"
	"\tclose(fd);\n"
	"\tmaps_buf[n] = 0;\n"
	"\tfor (char *p = maps_buf; *p && S->nk[i] < MAXV;) {\n"
	"\t\tchar *e;\n"
	"\t\tuint64_t s = strtoull(p, &e, 16), en = strtoull(e + 1, &e, 16);\n"
	"\t\tunsigned prot = (e[1] == 'r' ? 1 : 0) | (e[2] == 'w' ? 2 : 0) | (e[3] == 'x' ? 4 : 0) | (e[4] == 's' ? 8 : 0);\n"
	"\t\tif (en > lo && s < hi) {\n"
	"\t\t\tS->ks[i][S->nk[i]] = (s < lo ? lo : s) - lo;\n"
	"\t\t\tS->ke[i][S->nk[i]] = (en > hi ? hi : en) - lo;\n"
	"\t\t\tS->kp[i][S->nk[i]++] = prot;\n"
	"\t\t}\n"
	"\t\tchar *nl = strchr(p, '\\n');\n"
	"\t\tif (!nl)\n"
	"\t\t\tbreak;\n"
	"\t\tp = nl + 1;\n"
	"\t}\n"
	"}\n"
	"\n"
	"/* The window the executor observes after a step (harness/exec.c exec_step_window). */\n"
	"static int window(int op, const uint64_t *a, int64_t ret, uint64_t *lo, uint64_t *hi)\n"
	"{\n"
	"\tconst uint64_t P = 4096, T = 0x7ffffffff000ULL;\n"
	"\tuint64_t start = a[0], len = a[1];\n"
	"\tif (op == OP_MMAP && (ret >= 0 || ret < -4095))\n"
	"\t\tstart = (uint64_t)ret;\n"
	"\tif (op == OP_MMAP && (a[3] & 0x40000)) { /* MAP_HUGETLB: the huge page size */\n"
	"\t\tunsigned lg = (unsigned)(a[3] >> 26) & 0x3f;\n"
	"\t\tuint64_t h = 1ULL << (lg ? (lg < 40 ? lg : 39) : 21);\n"
	"\t\tlen = (len + h - 1) & ~(h - 1);\n"
	"\t\tif (!len)\n"
	"\t\t\tlen = a[1];\n"
	"\t}\n"
	"\tif (op == OP_BRK)\n"
	"\t\tlen = P;\n"
	"\tif (op == OP_MREMAP) {\n"
	"\t\tuint64_t e1 = a[0] + a[1], s2 = (ret >= 0 || ret < -4095) ? (uint64_t)ret : a[4];\n"
	"\t\tuint64_t l = a[0] < s2 ? a[0] : s2, h = e1 > s2 + a[2] ? e1 : s2 + a[2];\n"
	"\t\t*lo = (l & ~(P - 1)) > P ? (l & ~(P - 1)) - P : 0;\n"
	"\t\t*hi = h + 2 * P < T ? ((h + P - 1) & ~(P - 1)) + P : T;\n"
	"\t\treturn 1;\n"
	"\t}\n"
	"\tstart &= ~(P - 1);\n"
	"\tif (start >= T)\n"
	"\t\treturn 0;\n"
	"\tuint64_t alen = (len + P - 1) & ~(P - 1), end = start + alen;\n"
	"\tif (alen < len || end < start || end > T)\n"
	"\t\tend = T;\n"
	"\t*lo = start > P ? start - P : 0;\n"
	"\t*hi = end + P <= T ? end + P : T;\n"
	"\treturn 1;\n"
	"}\n"
	"\n"
	"/* Waits until step i's turn (or everything stopped). */\n"
	"static int my_turn(int i)\n"
	"{\n"
	"\tfor (long spins = 0; S->turn != i; spins++) {\n"
	"\t\tif (S->abort || spins > 20000000L)\n"
	"\t\t\treturn 0;\n"
	"\t\tsched_yield();\n"
	"\t}\n"
	"\treturn 1;\n"
	"}\n"
	"\n"
	"/* Waits until process pid has no mm any more (a zombie, or gone). */\n"
	"static void wait_gone(int pid)\n"
	"{\n"
	"\tchar path[64], buf[512];\n"
	"\tsnprintf(path, sizeof(path), \"/proc/%d/stat\", pid);\n"
	"\tfor (long spins = 0; spins < 20000000L; spins++) {\n"
	"\t\tint fd = open(path, O_RDONLY);\n"
	"\t\tif (fd < 0)\n"
	"\t\t\treturn;\n"
	"\t\tssize_t n = read(fd, buf, sizeof(buf) - 1);\n"
	"\t\tclose(fd);\n"
	"\t\tbuf[n > 0 ? n : 0] = 0;\n"
	"\t\tchar *p = strrchr(buf, ')');\n"
	"\t\tif (!p || p[2] == 'Z' || p[2] == 'X')\n"
	"\t\t\treturn;\n"
	"\t\tsched_yield();\n"
	"\t}\n"
	"}\n"
	"\n"
	"static void fmt_value(char *buf, size_t cap, uint64_t v)\n"
	"{\n"
	"\tint64_t d = (int64_t)(v - A);\n"
	"\tif (d > -(1LL << 32) && d < (1LL << 32) && !(d & 0xfff))\n"
	"\t\tsnprintf(buf, cap, d ? \"A%c%lldp\" : \"A\", d < 0 ? '-' : '+', (long long)(d < 0 ? -d : d) >> 12);\n"
	"\telse if (v < 4096)\n"
	"\t\tsnprintf(buf, cap, \"%llu\", (unsigned long long)v);\n"
	"\telse\n"
	"\t\tsnprintf(buf, cap, \"0x%llx\", (unsigned long long)v);\n"
	"}\n"
	"\n"
	"static void fmt_kernel(int i, char *buf, size_t cap)\n"
	"{\n"
	"\tchar v[64];\n"
	"\tif (!S->done[i]) {\n"
	"\t\tsnprintf(buf, cap, \"(not run)\");\n"
	"\t} else if (IS_PROBE[i]) {\n"
	"\t\tif (S->signo[i])\n"
	"\t\t\tsnprintf(buf, cap, \"= %s(%s)\", sig_name(S->signo[i]), code_name(S->signo[i], S->code[i]));\n"
	"\t\telse if (OP[i] == OP_LOAD)\n"
	"\t\t\tsnprintf(buf, cap, \"= 0x%llx\", (unsigned long long)S->value[i]);\n"
	"\t\telse\n"
	"\t\t\tsnprintf(buf, cap, \"= 0\");\n"
	"\t} else if (S->ret[i] < 0 && S->ret[i] >= -4095) {\n"
	"\t\tsnprintf(buf, cap, \"= -1 %s\", errno_name((int)-S->ret[i]));\n"
	"\t} else if (OP[i] == OP_MMAP || OP[i] == OP_MREMAP) {\n"
	"\t\tfmt_value(v, sizeof(v), (uint64_t)S->ret[i]);\n"
	"\t\tsnprintf(buf, cap, \"= %s\", v);\n"
	"\t} else {\n"
	"\t\tsnprintf(buf, cap, \"= %lld\", (long long)S->ret[i]);\n"
	"\t}\n"
	"}\n"
	"\n"
	"/* Whether the kernel's outcome of step i is what the model predicted. */\n"
	"static int agrees(int i)\n"
	"{\n"
	"\tconst struct expect *m = &MODEL[i];\n"
	"\tint64_t r = S->ret[i];\n"
	"\tint err = r < 0 && r >= -4095;\n"
	"\tif (!S->done[i] || m->kind == M_NONE || m->kind == M_UNREACHED)\n"
	"\t\treturn 1;\n"
	"\tswitch (m->kind) {\n"
	"\tcase M_ERRNO: return err && -r == m->err && !S->signo[i];\n"
	"\tcase M_OK: return !err;\n"
	"\tcase M_SIGNAL: return S->signo[i] == m->signo && S->code[i] == m->code;\n"
	"\tcase M_VALUE: {\n"
	"\t\tuint64_t want = m->k + (uint64_t)(int64_t)m->arena * A;\n"
	"\t\tif (IS_PROBE[i])\n"
	"\t\t\treturn !S->signo[i] && (OP[i] == OP_LOAD ? S->value[i] : 0) == want;\n"
	"\t\treturn !err && (uint64_t)r == want;\n"
	"\t}\n"
	"\t}\n"
	"\treturn 1;\n"
	"}\n"
	"\n"
	"static int layout_agrees(int i)\n"
	"{\n"
	"\tconst struct expect *m = &MODEL[i];\n"
	"\tif (!S->done[i] || !m->layout)\n"
	"\t\treturn 1;\n"
	"\t/* Outside the arena only the step's own range counts: the neighbours\n"
	"\t   there are this program's, not the executor's. */\n"
	"\tuint64_t lo = m->arena_window ? 0 : 4096, hi = m->arena_window ? m->win_len : m->win_len - 4096;\n"
	"\tint a = 0, b = 0;\n"
	"\tfor (;;) {\n"
	"\t\twhile (a < m->n && (m->ve[a] <= lo || m->vs[a] >= hi))\n"
	"\t\t\ta++;\n"
	"\t\twhile (b < S->nk[i] && (S->ke[i][b] <= lo || S->ks[i][b] >= hi))\n"
	"\t\t\tb++;\n"
	"\t\tif (a >= m->n || b >= S->nk[i])\n"
	"\t\t\treturn a >= m->n && b >= S->nk[i];\n"
	"\t\tuint64_t ms = m->vs[a] < lo ? lo : m->vs[a], me = m->ve[a] > hi ? hi : m->ve[a];\n"
	"\t\tuint64_t ks = S->ks[i][b] < lo ? lo : S->ks[i][b], ke = S->ke[i][b] > hi ? hi : S->ke[i][b];\n"
	"\t\tif (ms != ks || me != ke || m->vp[a] != S->kp[i][b])\n"
	"\t\t\treturn 0;\n"
	"\t\ta++;\n"
	"\t\tb++;\n"
	"\t}\n"
	"}\n"
	"\n"
	"static void print_vmas(const char *who, uint64_t base, int n, const uint64_t *s, const uint64_t *e, const unsigned *p)\n"
	"{\n"
	"\tprintf(\"           %-7s\", who);\n"
	"\tif (!n)\n"
	"\t\tprintf(\" no VMA\");\n"
	"\tfor (int j = 0; j < n; j++) {\n"
	"\t\tchar a[64], b[64];\n"
	"\t\tfmt_value(a, sizeof(a), base + s[j]);\n"
	"\t\tfmt_value(b, sizeof(b), base + e[j]);\n"
	"\t\tprintf(\" [%s, %s) %c%c%c%c\", a, b, p[j] & 1 ? 'r' : '-', p[j] & 2 ? 'w' : '-', p[j] & 4 ? 'x' : '-',\n"
	"\t\t       p[j] & 8 ? 's' : 'p');\n"
	"\t}\n"
	"\tprintf(\"\\n\");\n"
	"}\n"
	"\n"
	"/* Picks the arena: 1 GiB free below and 2 GiB above, as the executor does. */\n"
	"static uint64_t pick_arena(void)\n"
	"{\n"
	"\tuint64_t want = ARENA - (1ULL << 30);\n"
	"\tvoid *r = mmap((void *)want, 3ULL << 30, PROT_NONE,\n"
	"\t\t       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);\n"
	"\tif (r == MAP_FAILED || (uint64_t)r != want) {\n"
	"\t\tif (r != MAP_FAILED)\n"
	"\t\t\tmunmap(r, 3ULL << 30);\n"
	"\t\tr = mmap(NULL, 3ULL << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);\n"
	"\t\tif (r == MAP_FAILED)\n"
	"\t\t\treturn 0;\n"
	"\t}\n"
	"\tmunmap(r, 3ULL << 30);\n"
	"\treturn ((uint64_t)r + (1ULL << 30) + (2ULL << 20) - 1) & ~((2ULL << 20) - 1);\n"
	"}\n"
	"\n"
	"int main(void)\n"
	"{\n"
	"\tsetvbuf(stdout, NULL, _IONBF, 0);\n"
	"\tS = mmap(NULL, sizeof(*S), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);\n"
	"\tA = pick_arena();\n"
	"\tif (S == MAP_FAILED || !A) {\n"
	"\t\tfprintf(stderr, \"repro: cannot set up (shared page or arena)\\n\");\n"
	"\t\treturn 3;\n"
	"\t}\n"
	"\t/* The executor's sandbox, as far as the model assumes it: no descriptors\n"
	"\t   but two read-only /proc files at 1000 and 1001, SIGXFSZ ignored,\n"
	"\t   8 MiB of RLIMIT_MEMLOCK, and no privilege (uid 65534) unless the case\n"
	"\t   asks for a capability. The report goes out through fd 1002. */\n"
	"\tsignal(SIGXFSZ, SIG_IGN);\n"
	"\tstruct rlimit ml = { 8 << 20, 8 << 20 };\n"
	"\tsetrlimit(RLIMIT_MEMLOCK, &ml);\n"
	"\tint fd = open(\"/proc/self/maps\", O_RDONLY);\n"
	"\tif (fd >= 0 && fd != 1000) {\n"
	"\t\tdup2(fd, 1000);\n"
	"\t\tclose(fd);\n"
	"\t}\n"
	"\tfd = open(\"/proc/self/smaps\", O_RDONLY);\n"
	"\tif (fd >= 0 && fd != 1001) {\n"
	"\t\tdup2(fd, 1001);\n"
	"\t\tclose(fd);\n"
	"\t}\n"
	"\tdup2(1, 1002);\n"
	"\tfor (int q = 0; q < 1000; q++)\n"
	"\t\tclose(q);\n"
	"\tif (geteuid() == 0 && !KEEP_PRIVILEGE) {\n"
	"\t\tsetgroups(0, NULL);\n"
	"\t\tif (setgid(65534) || setuid(65534)) {\n"
	"\t\t\tdprintf(1002, \"repro: cannot drop privilege\\n\");\n"
	"\t\t\treturn 3;\n"
	"\t\t}\n"
	"\t\tprctl(PR_SET_DUMPABLE, 1); /* keep /proc/self readable */\n"
	"\t}\n"
	"\tstatic char altstack[64 * 1024];\n"
	"\tstack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };\n"
	"\tsigaltstack(&ss, NULL);\n"
	"\tstruct sigaction sa;\n"
	"\tmemset(&sa, 0, sizeof(sa));\n"
	"\tsa.sa_sigaction = on_signal;\n"
	"\tsa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;\n"
	"\tint sigs[] = { SIGSEGV, SIGBUS, SIGTRAP, SIGILL, SIGFPE };\n"
	"\tfor (unsigned q = 0; q < sizeof(sigs) / sizeof(sigs[0]); q++)\n"
	"\t\tsigaction(sigs[q], &sa, NULL);\n"
	"\tint me = ROOT;\n"
	"\tfor (int i = 0; i < NSTEPS; i++) {\n"
	"\t\tif (PROC[i] != me)\n"
	"\t\t\tcontinue;\n"
	"\t\tif (!my_turn(i))\n"
	"\t\t\tbreak;\n"
	"\t\tif (i > 0 && OP[i - 1] == OP_EXIT)\n"
	"\t\t\twait_gone(S->pid[PROC[i - 1]]);\n"
	"\t\tfor (int q = 0; q < NVARS; q++)\n"
	"\t\t\tV[q] = S->vals[q];\n"
	"\t\tint child = run_step(i, me);\n"
	"\t\tif (child >= 0) {\n"
	"\t\t\tme = child; /* the new process goes on with the next step */\n"
	"\t\t\tcontinue;\n"
	"\t\t}\n"
	"\t\tS->done[i] = 1;\n"
	"\t\tS->turn = i + 1;\n"
	"\t\tif (OP[i] == OP_EXIT)\n"
	"\t\t\tsyscall(SYS_exit_group, (int)EXIT_STATUS[i]);\n"
	"\t}\n"
	"\tif (me != ROOT) {\n"
	"\t\tmy_turn(NSTEPS);\n"
	"\t\t_exit(0);\n"
	"\t}\n"
	"\tmy_turn(NSTEPS);\n"
	"\tdup2(1002, 1);\n"
	"\tprintf(\"%s\\n\", TITLE);\n"
	"\tprintf(\"arena A = 0x%llx\\n\", (unsigned long long)A);\n"
	"\tint first = -1;\n"
	"\tfor (int i = 0; i < NSTEPS; i++) {\n"
	"\t\tchar k[96];\n"
	"\t\tfmt_kernel(i, k, sizeof(k));\n"
	"\t\tint ok = agrees(i), lok = layout_agrees(i);\n"
	"\t\tprintf(\"%3d  %-52s kernel %-22s model %-22s %s\\n\", i, TEXT[i], k, MODEL[i].text,\n"
	"\t\t       !S->done[i] ? \"\" : MODEL[i].kind == M_NONE && !MODEL[i].layout ? \"(not checked)\" : ok && lok ? \"agrees\" : \"DIFFERS\");\n"
	"\t\tif (S->done[i] && MODEL[i].layout && (!lok || i == FOCUS)) {\n"
	"\t\t\tprint_vmas(\"kernel\", S->wlo[i], S->nk[i], S->ks[i], S->ke[i], S->kp[i]);\n"
	"\t\t\tprint_vmas(\"model\", S->wlo[i], MODEL[i].n, MODEL[i].vs, MODEL[i].ve, MODEL[i].vp);\n"
	"\t\t}\n"
	"\t\tif (first < 0 && (!ok || !lok))\n"
	"\t\t\tfirst = i;\n"
	"\t}\n"
	"\tfor (int q = 0; q < NVARS; q++)\n"
	"\t\tif (S->pid[q] > 0) {\n"
	"\t\t\tkill(S->pid[q], SIGKILL);\n"
	"\t\t\twaitpid(S->pid[q], NULL, 0);\n"
	"\t\t}\n"
	"\tif (first >= 0) {\n"
	"\t\tprintf(\"DIVERGES at step %d: the kernel and the model disagree\\n\", first);\n"
	"\t\treturn 1;\n"
	"\t}\n"
	"\tprintf(\"agrees: the kernel did what the model predicted%s\\n\", S->abort ? \" (but a process died unexpectedly)\" : \"\");\n"
	"\treturn S->abort ? 2 : 0;\n"
	"}\n";

static void c_names(FILE *out)
{
	fprintf(out, "static const char *errno_name(int e)\n{\n\tswitch (e) {\n");
	for (int e = 1; e < 134; e++) {
		const char *n = prog_errno_name(e);
		if (n && strcmp(n, "E?") && isupper((unsigned char)n[1]))
			fprintf(out, "\tcase %d: return \"%s\";\n", e, n);
	}
	fprintf(out, "\tdefault: return \"E?\";\n\t}\n}\n\n");
	fprintf(out, "static const char *sig_name(int s)\n{\n\treturn s == %d ? \"SIGSEGV\" : s == %d ? \"SIGBUS\" : s == 5 ? \"SIGTRAP\" : \"SIG?\";\n}\n\n",
		LX_SIGSEGV, LX_SIGBUS);
	fprintf(out, "static const char *code_name(int s, int c)\n{\n");
	int sigs[] = { LX_SIGSEGV, LX_SIGBUS, 5 };
	for (int q = 0; q < 3; q++)
		for (int c = -6; c < 12; c++) {
			const char *n = prog_si_code_name(sigs[q], c);
			if (n && strcmp(n, "?"))
				fprintf(out, "\tif (s == %d && c == %d)\n\t\treturn \"%s\";\n", sigs[q], c, n);
		}
	fprintf(out, "\treturn \"?\";\n}\n\n");
}

int fuzz_repro_c(FILE *out, const prog_case *c0, const harness_target *t, const fuzz_repro_info *info,
		 char *err, size_t cap)
{
	char why[512];
	uint32_t bad;
	if (!harness_program_valid(c0, why, sizeof(why), &bad)) {
		snprintf(err, cap, "%s", why);
		return -1;
	}
	for (uint32_t i = 0; i < c0->nsteps; i++)
		if (c0->steps[i].op == PROG_SETRLIMIT || c0->steps[i].op == PROG_MEMFD_CREATE ||
		    c0->steps[i].op == PROG_MLOCKALL) {
			/* fine: all raw system calls */
		}
	prog_case c;
	prog_case_init(&c, c0->name);
	if (prog_case_copy(&c, c0)) {
		snprintf(err, cap, "out of memory");
		return -1;
	}
	/* The model's own run: expectations other than bindings dropped. */
	for (uint32_t i = 0; i < c.nsteps; i++)
		if (c.steps[i].res.kind != PROG_RES_BIND)
			c.steps[i].res.kind = PROG_RES_NONE;
	model_step *m = calloc(c.nsteps ? c.nsteps : 1, sizeof(*m));
	if (!m) {
		prog_case_clear(&c);
		snprintf(err, cap, "out of memory");
		return -1;
	}
	collect x = { .c = &c, .m = m };
	harness_case_report rep;
	harness_check_case(&c, t, on_step, &x, &rep);
	if (rep.result == HARNESS_SKIP || rep.result == HARNESS_ERROR) {
		snprintf(err, cap, "the model cannot run this program (%s): %s", harness_result_name(rep.result),
			 rep.message);
		free(m);
		prog_case_clear(&c);
		return -1;
	}
	for (uint32_t i = x.reached; i < c.nsteps; i++) {
		m[i].kind = M_UNREACHED;
		snprintf(m[i].text, sizeof(m[i].text), "(not reached)");
	}

	/* Header. */
	fprintf(out, "/*\n * Standalone reproducer written by mmspec repro --c");
	if (info && info->source)
		fprintf(out, " from %s", info->source);
	fprintf(out, ".\n");
	if (info && info->signature && info->signature[0])
		c_comment_line(out, " * signature: ", info->signature);
	if (info && info->model && info->model[0]) {
		c_comment_line(out, " * model predicted: ", info->model);
		c_comment_line(out, " * kernel did:      ", info->kernel ? info->kernel : "?");
	}
	if (info && info->kernel_release)
		c_comment_line(out, " * found on Linux ", info->kernel_release);
	fprintf(out, " * model profile: %u.%u\n", t->profile.version >> 16, (t->profile.version >> 8) & 0xff);
	fprintf(out, " *\n * Build and run (no root needed; nothing of mmspec):\n"
		     " *     cc -O1 -o repro repro.c && ./repro\n"
		     " * It runs the program below on this kernel with raw system calls, and prints\n"
		     " * each step's result next to the model's prediction, then DIVERGES (exit 1)\n"
		     " * or agrees (exit 0). A is the arena: a page-aligned address with 1 GiB\n"
		     " * free below it and 2 GiB above.\n *\n");
	char *text = prog_case_to_string(&c);
	for (const char *p = text ? text : ""; *p;) {
		const char *nl = strchr(p, '\n');
		char line[512];
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		snprintf(line, sizeof(line), "%.*s", (int)(n < 500 ? n : 500), p);
		c_comment_line(out, " *   ", line);
		p += n + (nl ? 1 : 0);
	}
	free(text);
	fprintf(out, " */\n");
	fprintf(out, "#define _GNU_SOURCE\n#include <errno.h>\n#include <fcntl.h>\n#include <setjmp.h>\n"
		     "#include <signal.h>\n#include <stdint.h>\n#include <stdio.h>\n#include <stdlib.h>\n"
		     "#include <string.h>\n#include <sched.h>\n#include <grp.h>\n#include <sys/mman.h>\n#include <sys/prctl.h>\n#include <sys/resource.h>\n"
		     "#include <sys/syscall.h>\n#include <sys/wait.h>\n#include <ucontext.h>\n#include <unistd.h>\n\n");
	fprintf(out, "#define NSTEPS %u\n#define NVARS %u\n#define MAXV %d\n#define ROOT (-1)\n", c.nsteps,
		c.nvars, MAX_WIN_VMAS);
	fprintf(out, "#define ARENA 0x%" PRIx64 "ULL\n", info && info->arena ? info->arena : (uint64_t)0x100000000000ULL);
	fprintf(out, "#define FOCUS %d\n", info ? info->focus_step : -1);
	bool keep = false;
	for (unsigned q = 0; q < c.nreq; q++)
		keep |= c.req[q].kind == PROG_REQ_CAP;
	fprintf(out, "#define KEEP_PRIVILEGE %d /* the case requires a capability */\n", keep);
	fprintf(out, "enum { OP_MMAP = %d, OP_MREMAP = %d, OP_BRK = %d, OP_LOAD = %d, OP_EXIT = %d };\n",
		PROG_MMAP, PROG_MREMAP, PROG_BRK, PROG_LOAD, PROG_EXIT);
	fprintf(out, "enum { M_NONE, M_ERRNO, M_VALUE, M_OK, M_SIGNAL, M_UNREACHED };\n\n");
	fprintf(out, "static const char *const TITLE = ");
	{
		char title[400];
		snprintf(title, sizeof(title), "mmspec reproducer%s%s", info && info->signature && info->signature[0] ? ": " : "",
			 info && info->signature ? info->signature : "");
		c_string(out, title);
	}
	fprintf(out, ";\n\n");
	c_names(out);

	/* Per-step tables. */
	fprintf(out, "static const int OP[NSTEPS] = {");
	for (uint32_t i = 0; i < c.nsteps; i++)
		fprintf(out, "%s%d", i ? ", " : " ", c.steps[i].op);
	fprintf(out, " };\nstatic const int PROC[NSTEPS] = {");
	for (uint32_t i = 0; i < c.nsteps; i++)
		fprintf(out, "%s%d", i ? ", " : " ", c.steps[i].proc == PROG_ROOT ? -1 : c.steps[i].proc);
	fprintf(out, " };\nstatic const int IS_PROBE[NSTEPS] = {");
	for (uint32_t i = 0; i < c.nsteps; i++)
		fprintf(out, "%s%d", i ? ", " : " ",
			c.steps[i].op == PROG_LOAD || c.steps[i].op == PROG_STORE || c.steps[i].op == PROG_FETCH);
	fprintf(out, " };\nstatic const long long EXIT_STATUS[NSTEPS] = {");
	for (uint32_t i = 0; i < c.nsteps; i++)
		fprintf(out, "%s%lld", i ? ", " : " ",
			c.steps[i].op == PROG_EXIT ? (long long)c.steps[i].arg[0].k : 0LL);
	fprintf(out, " };\nstatic const char *const TEXT[NSTEPS] = {\n");
	for (uint32_t i = 0; i < c.nsteps; i++) {
		char *st = prog_step_to_string(&c, &c.steps[i]);
		const char *p = st ? st : "?";
		while (*p == ' ')
			p++;
		fputc('\t', out);
		c_string(out, p);
		fprintf(out, ",\n");
		free(st);
	}
	fprintf(out, "};\n\nstruct expect {\n\tint kind;\n\tlong long err;\n\tuint64_t k;\n\tint arena, signo, code;\n"
		     "\tconst char *text;\n\tint layout, arena_window;\n\tuint64_t win_len;\n\tint n;\n"
		     "\tuint64_t vs[MAXV], ve[MAXV];\n\tunsigned vp[MAXV];\n};\n");
	fprintf(out, "static const struct expect MODEL[NSTEPS] = {\n");
	for (uint32_t i = 0; i < c.nsteps; i++) {
		const model_step *ms = &m[i];
		fprintf(out, "\t{ %d, %lld, 0x%" PRIx64 "ULL, %d, %d, %d, ", ms->kind, (long long)ms->err, ms->k,
			ms->arena, ms->signo, ms->code);
		c_string(out, ms->text);
		fprintf(out, ", %d, %d, 0x%" PRIx64 "ULL, %u", ms->layout, ms->arena_window, ms->win_len, ms->nvmas);
		if (!ms->nvmas)
			fprintf(out, ", { 0 }, { 0 }, { 0 }");
		if (ms->nvmas) {
			fprintf(out, ",\n\t  {");
			for (uint32_t q = 0; q < ms->nvmas; q++)
				fprintf(out, "%s0x%" PRIx64 "ULL", q ? ", " : " ", ms->vs[q]);
			fprintf(out, " }, {");
			for (uint32_t q = 0; q < ms->nvmas; q++)
				fprintf(out, "%s0x%" PRIx64 "ULL", q ? ", " : " ", ms->ve[q]);
			fprintf(out, " }, {");
			for (uint32_t q = 0; q < ms->nvmas; q++)
				fprintf(out, "%s%u", q ? ", " : " ", ms->vprot[q]);
			fprintf(out, " }");
		}
		fprintf(out, " },\n");
	}
	fprintf(out, "};\n\n");

	/* The steps. */
	fprintf(out, "static int run_step(int i, int me);\n\n");
	fputs(c_body, out);
	fprintf(out, "\n/* Runs step i in process me; returns the new process's variable in the\n"
		     "   child of a fork(), else -1. */\n");
	fprintf(out, "static int run_step(int i, int me)\n{\n\tuint64_t a[6] = { 0 };\n\tint64_t r = 0;\n"
		     "\t(void)me;\n\tswitch (i) {\n");
	for (uint32_t i = 0; i < c.nsteps; i++) {
		const prog_step *s = &c.steps[i];
		const prog_op_info *oi = prog_op_info_get(s->op);
		char *st = prog_step_to_string(&c, s);
		char line[600];
		snprintf(line, sizeof(line), "%s", st ? st : "?");
		free(st);
		char *p = line;
		while (*p == ' ')
			p++;
		fprintf(out, "\tcase %u: /* ", i);
		for (; *p; p++)
			fputs(p[0] == '*' && p[1] == '/' ? "* " : (char[2]){ *p, 0 }, out);
		fprintf(out, " */\n");
		for (unsigned q = 0; q < s->nargs; q++)
			if (oi->argkind[q] != PROG_ARG_STR && oi->argkind[q] != PROG_ARG_PROC) {
				fprintf(out, "\t\ta[%u] = ", q);
				c_expr(out, &s->arg[q]);
				fprintf(out, ";\n");
			}
		const char *nr = sys_name(s->op);
		switch (s->op) {
		case PROG_LOAD:
			fprintf(out, "\t\tprobe(i, 0, a[0], 0);\n");
			break;
		case PROG_STORE:
			fprintf(out, "\t\tprobe(i, 1, a[0], a[1]);\n");
			break;
		case PROG_FETCH:
			fprintf(out, "\t\tprobe(i, 2, a[0], 0);\n");
			break;
		case PROG_MAPS:
		case PROG_PAGEMAP:
			fprintf(out, "\t\t/* %s: compared by the executor; not checked here */\n", oi->name);
			break;
		case PROG_MEMFD_CREATE:
			fprintf(out, "\t\tr = sys(SYS_memfd_create, (uint64_t)");
			c_string(out, s->str);
			fprintf(out, ", a[1], 0, 0, 0, 0);\n");
			break;
		case PROG_SETRLIMIT:
			fprintf(out, "\t\t{\n\t\t\tstruct rlimit rl = { a[1], a[2] };\n"
				     "\t\t\tr = sys(SYS_setrlimit, a[0], (uint64_t)&rl, 0, 0, 0, 0);\n\t\t}\n");
			break;
		case PROG_MINCORE:
			fprintf(out, "\t\tr = sys(SYS_mincore, a[0], a[1], a[1] <= (sizeof(vec) << 12) ? (uint64_t)vec : 0, 0, 0, 0);\n");
			break;
		case PROG_FORK:
			fprintf(out, "\t\tr = sys(SYS_fork, 0, 0, 0, 0, 0, 0);\n");
			if (s->res.kind == PROG_RES_BIND)
				fprintf(out, "\t\tif (r == 0)\n\t\t\treturn %u;\n\t\tif (r > 0) {\n\t\t\tS->pid[%u] = (int)r;\n"
					     "\t\t\tS->vals[%u] = (uint64_t)r;\n\t\t}\n", s->res.var, s->res.var, s->res.var);
			else
				fprintf(out, "\t\tif (r == 0)\n\t\t\t_exit(0); /* an unnamed child takes no steps */\n");
			break;
		case PROG_EXIT:
			fprintf(out, "\t\t/* the process ends after its step is marked done */\n");
			break;
		case PROG_WAIT:
			fprintf(out, "\t\t{\n\t\t\tint st = 0;\n\t\t\tr = waitpid(S->pid[%u], &st, 0);\n"
				     "\t\t\tr = r < 0 ? -(int64_t)errno : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);\n"
				     "\t\t\tS->pid[%u] = 0;\n\t\t}\n", s->arg[0].term[0].var, s->arg[0].term[0].var);
			break;
		default:
			if (nr)
				fprintf(out, "\t\tr = sys(%s, a[0], a[1], a[2], a[3], a[4], a[5]);\n", nr);
			break;
		}
		fprintf(out, "\t\tS->ret[i] = r;\n");
		if (s->res.kind == PROG_RES_BIND && s->op != PROG_FORK)
			fprintf(out, "\t\tS->vals[%u] = %s;\n", s->res.var,
				s->op == PROG_LOAD ? "S->value[i]" : "(uint64_t)r");
		if (oi->mutates)
			fprintf(out, "\t\t{\n\t\t\tuint64_t lo, hi;\n\t\t\tif (window(OP[i], a, r, &lo, &hi) && hi - lo <= (64ULL << 20))\n"
				     "\t\t\t\trecord_layout(i, lo, hi);\n\t\t}\n");
		fprintf(out, "\t\tbreak;\n");
	}
	fprintf(out, "\t}\n\treturn -1;\n}\n");
	free(m);
	prog_case_clear(&c);
	return ferror(out) ? -1 : 0;
}
