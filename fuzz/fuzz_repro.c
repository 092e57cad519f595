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
 * harness's model-only run) under the facts of this machine that an
 * executor gathered (the caller passes them: fuzz_repro_info.facts), and
 * written into the file as data, with the other outcomes `mmspec run`
 * adopts where the kernel may choose (a load from a page reclaim may have
 * dropped, a MAP_32BIT search that finds no room). The file prints the
 * facts, sets the sandbox's resource limits from them, and checks them when
 * it runs: on a machine with other facts a difference is UNDECIDED, not a
 * divergence. A program that reaches, outside the arena, memory it did not
 * map (the executor's own under mmspec run) is refused. The file
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
#define MAX_ALTS 8

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
	/* Other values a load may legally read (M_VALUE of a load). */
	uint32_t nalt;
	uint64_t alt[MAX_ALTS];
	bool alt_enomem;      /* the kernel may find no room (a MAP_32BIT search) */
} model_step;

#define MAX_OWN 64

typedef struct collect {
	const prog_case *c;
	model_step *m;
	uint64_t vals[PROG_MAX_VARS];
	uint32_t reached;
	/* The model's default initial layout (what the executor's own memory
	 * stands for in a model-only run), and what the program mapped outside
	 * the arena: a step that reaches the first but not the second has no
	 * counterpart in a standalone C program, where other memory is there. */
	oracle_vma_info init[128];
	size_t ninit;
	uint64_t own_s[MAX_OWN], own_e[MAX_OWN];
	uint32_t nown;
	int foreign_step;         /* the first such step, or -1 */
	char foreign_why[200];
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

/*
 * The other values a load of value at addr may legally read, as `mmspec run`
 * adopts them (harness/check.c, adopt_after_load): each page the eight
 * bytes touch holds what the model has, or zeroes where reclaim may have
 * dropped it (oracle_page_may_drop: a clean lazyfree page, a droppable one),
 * or the content it would have had if reclaim dropped it before the write
 * that ended its lazyfree state (oracle_page_read_alt). The model's own run
 * never takes these choices, so each load accepts any of them: a kernel
 * that dropped a page at one load and kept it at the next is not caught
 * here (mmspec run catches it), but no legal choice reads as a divergence.
 */
static void load_alternatives(const oracle_proc *p, uint64_t addr, uint64_t value, model_step *m)
{
	uint64_t pg[2] = { addr & ~0xfffULL, (addr + 7) & ~0xfffULL };
	int npg = pg[0] == pg[1] ? 1 : 2;
	uint8_t keep[8], choice[2][3][8];
	bool ok[2][3] = { { false } };
	memcpy(keep, &value, 8);
	for (int j = 0; j < npg; j++) {
		/* The bytes of the load that lie in page j: [lo, hi). */
		unsigned lo = j ? (unsigned)(pg[1] - addr) : 0, hi = j || npg == 1 ? 8 : (unsigned)(pg[1] - addr);
		for (int c = 0; c < 3; c++)
			memcpy(choice[j][c], keep, 8);
		memset(choice[j][1] + lo, 0, hi - lo);
		ok[j][0] = true;
		ok[j][1] = oracle_page_may_drop(p, pg[j]);
		ok[j][2] = oracle_page_read_alt(p, pg[j], (size_t)((addr + lo) & 0xfff), choice[j][2] + lo, hi - lo);
	}
	int lo1 = npg == 2 ? (int)(pg[1] - addr) : 8;
	for (int c0 = 0; c0 < 3; c0++)
		for (int c1 = 0; c1 < (npg == 2 ? 3 : 1); c1++) {
			if ((!c0 && !c1) || !ok[0][c0] || (npg == 2 && !ok[1][c1]))
				continue;
			uint8_t v[8];
			memcpy(v, choice[0][c0], (size_t)lo1);
			if (npg == 2)
				memcpy(v + lo1, choice[1][c1] + lo1, (size_t)(8 - lo1));
			uint64_t val;
			memcpy(&val, v, 8);
			bool seen = val == value;
			for (uint32_t q = 0; q < m->nalt && !seen; q++)
				seen = m->alt[q] == val;
			if (!seen && m->nalt < MAX_ALTS)
				m->alt[m->nalt++] = val;
		}
}

/* Whether [lo, hi) lies in what the program mapped outside the arena. */
static bool own_range(const collect *x, uint64_t lo, uint64_t hi)
{
	for (uint32_t q = 0; q < x->nown; q++)
		if (lo >= x->own_s[q] && hi <= x->own_e[q])
			return true;
	return false;
}

/*
 * Notes a step that reaches, outside the arena, memory of the model's
 * initial layout that the program did not map: in `mmspec run` that is the
 * executor's own memory (its fence above the first mmap(NULL), its
 * libraries), seeded into the model from the real layout; the model-only
 * run behind a reproducer has its default layout there instead, and the
 * reproducer its own memory, so neither side means anything.
 */
static void check_foreign(collect *x, const harness_step_event *ev, const uint64_t *a)
{
	const prog_step *s = ev->s;
	uint64_t lo, hi;
	switch (s->op) {
	case PROG_LOAD:
	case PROG_STORE:
	case PROG_FETCH:
		lo = a[0];
		hi = a[0] + 8;
		break;
	case PROG_MPROTECT:
	case PROG_MADVISE:
	case PROG_MLOCK:
	case PROG_MLOCK2:
	case PROG_MUNLOCK:
	case PROG_MSEAL:
	case PROG_MINCORE:
	case PROG_MUNMAP:
		lo = a[0] & ~0xfffULL;
		hi = a[0] + a[1];
		if (hi < lo || a[1] > (1ULL << 40))
			return;
		break;
	default:
		return;
	}
	if (x->foreign_step >= 0 || lo - ev->arena + (1ULL << 30) < (3ULL << 30) || own_range(x, lo, hi))
		return;
	for (size_t q = 0; q < x->ninit; q++) {
		const oracle_vma_info *v = &x->init[q];
		if (v->start < hi && lo < v->end && strcmp(v->name, "[heap]") && strcmp(v->name, "[stack]")) {
			x->foreign_step = (int)ev->index;
			snprintf(x->foreign_why, sizeof(x->foreign_why),
				 "step %u (line %u) reaches 0x%" PRIx64 ", memory the program did not map outside the arena "
				 "(the executor's own under mmspec run)",
				 ev->index, s->line, lo > v->start ? lo : v->start);
			return;
		}
	}
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
	const prog_op_info *oi = prog_op_info_get(s->op);
	uint64_t a[PROG_MAX_ARGS] = { 0 }, lo, hi;
	for (unsigned q = 0; q < s->nargs; q++)
		a[q] = prog_eval(&s->arg[q], ev->arena, x->vals);
	check_foreign(x, ev, a);
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
		if (s->op == PROG_LOAD)
			load_alternatives(ev->proc, a[0], v, m);
	}
	/* MAP_32BIT searches bottom-up from a randomized begin (find_start_end
	 * in a PF_RANDOMIZE task): where the model finds room the kernel may not,
	 * and `mmspec run` adopts its ENOMEM when a search from the highest
	 * begin finds none either (oracle/mmap.c). The reproducer accepts the
	 * ENOMEM without redoing that search. */
	if (s->op == PROG_MMAP && (a[3] & LX_MAP_32BIT) && !(a[3] & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE)) &&
	    !(a[3] & LX_MAP_HUGETLB) && !(m->kind == M_ERRNO && m->err == LX_ENOMEM))
		m->alt_enomem = true;
	if (s->res.kind == PROG_RES_BIND && (m->kind == M_VALUE || m->kind == M_OK))
		x->vals[s->res.var] = (uint64_t)ret;
	/* What the program mapped, wherever the model put it. */
	if ((s->op == PROG_MMAP || s->op == PROG_MREMAP) && (m->kind == M_VALUE || m->kind == M_OK) &&
	    x->nown < MAX_OWN) {
		uint64_t len = s->op == PROG_MMAP ? a[1] : a[2];
		x->own_s[x->nown] = (uint64_t)ret;
		x->own_e[x->nown++] = (uint64_t)ret + ((len + 0xfff) & ~0xfffULL);
	}
	/* The window after a step that changes the address space. */
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

/* The facts check, in a reproducer written with the machine's facts. */
static const char *const c_facts =
	"/* ---- the machine's facts, which the model predicted with ---- */\n"
	"struct facts {\n"
	"\tchar release[65];\n"
	"\tunsigned version;\n"
	"\tunsigned long long mmap_min_addr, mmap_min_effective, max_map_count;\n"
	"\tint overcommit_memory;\n"
	"\tunsigned long long commit_guess_pages;\n"
	"\tint swap, thp, ksm, memory_failure, maybe_guard, soft_dirty;\n"
	"\tunsigned long long hugepage_sizes, hugepages_free_2m;\n"
	"\tint privileged;\n"
	"};\n"
	"static char fact_buf[1 << 20];\n"
	"static char facts_differ[2048];\n"
	"\n"
	"static long read_text(const char *path, char *buf, size_t cap)\n"
	"{\n"
	"\tint fd = open(path, O_RDONLY);\n"
	"\tlong n = 0, r;\n"
	"\tif (fd < 0)\n"
	"\t\treturn -1;\n"
	"\twhile ((size_t)n + 1 < cap && (r = read(fd, buf + n, cap - 1 - (size_t)n)) > 0)\n"
	"\t\tn += r;\n"
	"\tclose(fd);\n"
	"\tbuf[n] = 0;\n"
	"\treturn n;\n"
	"}\n"
	"\n"
	"static unsigned long long read_num(const char *path, unsigned long long dflt)\n"
	"{\n"
	"\tchar b[64];\n"
	"\treturn read_text(path, b, sizeof(b)) > 0 ? strtoull(b, NULL, 10) : dflt;\n"
	"}\n"
	"\n"
	"static unsigned long long meminfo_kb(const char *text, const char *key)\n"
	"{\n"
	"\tconst char *p = strstr(text, key);\n"
	"\treturn p ? strtoull(p + strlen(key), NULL, 10) : 0;\n"
	"}\n"
	"\n"
	"/* MADV_GUARD_INSTALL marks its VMA \"gu\" in smaps (VM_MAYBE_GUARD). */\n"
	"static int probe_maybe_guard(void)\n"
	"{\n"
	"\tchar *p = mmap(NULL, 3 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);\n"
	"\tint gu = 0;\n"
	"\tchar head[32];\n"
	"\tif (p == MAP_FAILED)\n"
	"\t\treturn 0;\n"
	"\tsnprintf(head, sizeof(head), \"\\n%lx-\", (unsigned long)(p + 4096));\n"
	"\tif (!mprotect(p + 4096, 4096, PROT_READ | PROT_WRITE) && !syscall(SYS_madvise, p + 4096, 4096, 102) &&\n"
	"\t    read_text(\"/proc/self/smaps\", fact_buf, sizeof(fact_buf)) > 0) {\n"
	"\t\tchar *at = strstr(fact_buf, head), *vf = at ? strstr(at, \"VmFlags:\") : NULL;\n"
	"\t\tchar *eol = vf ? strchr(vf, '\\n') : NULL;\n"
	"\t\tif (eol) {\n"
	"\t\t\t*eol = 0;\n"
	"\t\t\tgu = strstr(vf, \" gu\") != NULL;\n"
	"\t\t}\n"
	"\t}\n"
	"\tmunmap(p, 3 * 4096);\n"
	"\treturn gu;\n"
	"}\n"
	"\n"
	"/* CONFIG_MEM_SOFT_DIRTY: a fresh page reads pagemap bit 55. */\n"
	"static int probe_soft_dirty(void)\n"
	"{\n"
	"\tvolatile char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);\n"
	"\tunsigned long long e = 0;\n"
	"\tint fd;\n"
	"\tif (p == MAP_FAILED)\n"
	"\t\treturn 0;\n"
	"\tp[0] = 1;\n"
	"\tfd = open(\"/proc/self/pagemap\", O_RDONLY);\n"
	"\tif (fd >= 0) {\n"
	"\t\tif (pread(fd, &e, 8, (off_t)((uint64_t)p / 4096 * 8)) != 8)\n"
	"\t\t\te = 0;\n"
	"\t\tclose(fd);\n"
	"\t}\n"
	"\tmunmap((void *)p, 4096);\n"
	"\treturn (int)((e >> 55) & 1);\n"
	"}\n"
	"\n"
	"static void facts_here(struct facts *f)\n"
	"{\n"
	"\tstruct utsname u;\n"
	"\tunsigned a = 0, b = 0, c = 0;\n"
	"\tvoid *h;\n"
	"\tmemset(f, 0, sizeof(*f));\n"
	"\tuname(&u);\n"
	"\tsnprintf(f->release, sizeof(f->release), \"%s\", u.release);\n"
	"\tsscanf(u.release, \"%u.%u.%u\", &a, &b, &c);\n"
	"\tf->version = (a << 16) | (b << 8) | (c > 255 ? 255 : c);\n"
	"\tf->mmap_min_addr = read_num(\"/proc/sys/vm/mmap_min_addr\", 4096);\n"
	"\tf->max_map_count = read_num(\"/proc/sys/vm/max_map_count\", 65530);\n"
	"\tf->overcommit_memory = (int)read_num(\"/proc/sys/vm/overcommit_memory\", 0);\n"
	"\tif (read_text(\"/proc/meminfo\", fact_buf, sizeof(fact_buf)) > 0) {\n"
	"\t\tf->commit_guess_pages = (meminfo_kb(fact_buf, \"MemTotal:\") + meminfo_kb(fact_buf, \"SwapTotal:\")) / 4;\n"
	"\t\tf->swap = meminfo_kb(fact_buf, \"SwapTotal:\") / 4 != 0;\n"
	"\t}\n"
	"\tf->thp = access(\"/sys/kernel/mm/transparent_hugepage\", F_OK) == 0;\n"
	"\tf->ksm = access(\"/sys/kernel/mm/ksm\", F_OK) == 0;\n"
	"\tf->memory_failure = access(\"/proc/sys/vm/memory_failure_early_kill\", F_OK) == 0;\n"
	"\tf->maybe_guard = probe_maybe_guard();\n"
	"\tf->soft_dirty = probe_soft_dirty();\n"
	"\tif (access(\"/sys/kernel/mm/hugepages/hugepages-2048kB\", F_OK) == 0)\n"
	"\t\tf->hugepage_sizes |= 1ULL << 21;\n"
	"\tif (access(\"/sys/kernel/mm/hugepages/hugepages-1048576kB\", F_OK) == 0)\n"
	"\t\tf->hugepage_sizes |= 1ULL << 30;\n"
	"\tf->hugepages_free_2m = read_num(\"/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages\", 0);\n"
	"\t/* A hint below the effective minimum is raised to it (round_hint_to_min). */\n"
	"\tf->mmap_min_effective = 65536;\n"
	"\th = mmap((void *)4096, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);\n"
	"\tif (h != MAP_FAILED) {\n"
	"\t\tif ((uint64_t)h < (1ULL << 32))\n"
	"\t\t\tf->mmap_min_effective = (uint64_t)h;\n"
	"\t\tmunmap(h, 4096);\n"
	"\t}\n"
	"\tf->privileged = geteuid() == 0;\n"
	"}\n"
	"\n"
	"static void fact_differs(const char *name, unsigned long long written, unsigned long long here)\n"
	"{\n"
	"\tsize_t n = strlen(facts_differ);\n"
	"\tif (written != here)\n"
	"\t\tsnprintf(facts_differ + n, sizeof(facts_differ) - n, \"  %s: %llu where written, %llu here\\n\", name,\n"
	"\t\t\t written, here);\n"
	"}\n"
	"\n"
	"/* Fills facts_differ with the facts that differ from WRITTEN; returns\n"
	"   whether any does. */\n"
	"static int check_facts(void)\n"
	"{\n"
	"\tstruct facts f;\n"
	"\tfacts_here(&f);\n"
	"\tfacts_differ[0] = 0;\n"
	"\tif (f.version != WRITTEN.version)\n"
	"\t\tsnprintf(facts_differ, sizeof(facts_differ), \"  kernel: Linux %s where written, Linux %s here\\n\",\n"
	"\t\t\t WRITTEN.release, f.release);\n"
	"\tfact_differs(\"vm.mmap_min_addr\", WRITTEN.mmap_min_addr, f.mmap_min_addr);\n"
	"\tfact_differs(\"effective mmap_min_addr (LSM)\", WRITTEN.mmap_min_effective, f.mmap_min_effective);\n"
	"\tfact_differs(\"vm.max_map_count\", WRITTEN.max_map_count, f.max_map_count);\n"
	"\tfact_differs(\"vm.overcommit_memory\", (unsigned long long)WRITTEN.overcommit_memory,\n"
	"\t\t     (unsigned long long)f.overcommit_memory);\n"
	"\tfact_differs(\"MemTotal+SwapTotal pages\", WRITTEN.commit_guess_pages, f.commit_guess_pages);\n"
	"\tfact_differs(\"swap active\", (unsigned long long)WRITTEN.swap, (unsigned long long)f.swap);\n"
	"\tfact_differs(\"CONFIG_TRANSPARENT_HUGEPAGE\", (unsigned long long)WRITTEN.thp, (unsigned long long)f.thp);\n"
	"\tfact_differs(\"CONFIG_KSM\", (unsigned long long)WRITTEN.ksm, (unsigned long long)f.ksm);\n"
	"\tfact_differs(\"CONFIG_MEMORY_FAILURE\", (unsigned long long)WRITTEN.memory_failure,\n"
	"\t\t     (unsigned long long)f.memory_failure);\n"
	"\tfact_differs(\"VM_MAYBE_GUARD\", (unsigned long long)WRITTEN.maybe_guard, (unsigned long long)f.maybe_guard);\n"
	"\tfact_differs(\"CONFIG_MEM_SOFT_DIRTY\", (unsigned long long)WRITTEN.soft_dirty, (unsigned long long)f.soft_dirty);\n"
	"\tfact_differs(\"hugetlb sizes (bit n: 2^n bytes)\", WRITTEN.hugepage_sizes, f.hugepage_sizes);\n"
	"\tfact_differs(\"free 2 MiB huge pages\", WRITTEN.hugepages_free_2m, f.hugepages_free_2m);\n"
	"\tif (KEEP_CAPS)\n"
	"\t\tfact_differs(\"root (to keep the case's capabilities)\", (unsigned long long)WRITTEN.privileged,\n"
	"\t\t\t     (unsigned long long)f.privileged);\n"
	"\treturn facts_differ[0] != 0;\n"
	"}\n"
	"\n";

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
	"/* The report, on fd 1002: writing there needs no new descriptor, which\n"
	"   a program that lowered RLIMIT_NOFILE would leave the root without. */\n"
	"static void say(const char *fmt, ...)\n"
	"{\n"
	"\tva_list ap;\n"
	"\tva_start(ap, fmt);\n"
	"\tvdprintf(1002, fmt, ap);\n"
	"\tva_end(ap);\n"
	"}\n"
	"\n"
	"#define FETCH_REG 0xdead0000dead0000ULL\n"
	"void repro_fetch_jmp(void); /* the label of fetch's jump to its target */\n"
	"static sigjmp_buf jb;\n"
	"static volatile int probing, stage, f_sig, f_code;\n"
	"static volatile uint64_t f_addr, f_trapno, f_err, f_rip, target;\n"

	"/* mincore()'s vector: 64 KiB, as the executor's; a longer range gets NULL. */\n"
	"static unsigned char vec[1 << 16] __attribute__((unused));\n"
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
	"\tif (sig == SIGTRAP && stage == 0 && (uint64_t)uc->uc_mcontext.gregs[REG_RIP] == (uint64_t)repro_fetch_jmp &&\n"
	"\t    target != (uint64_t)repro_fetch_jmp)\n"
	"\t\treturn; /* the trap before the jump to the target */\n"
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
	"/* Jumps to target with the trap flag set and every register, rsp too,\n"
	"   holding FETCH_REG, as the executor does (harness/exec.c): the one\n"
	"   instruction that runs there cannot reach memory through a register\n"
	"   (an operand built from them is non-canonical: #GP; a stack access:\n"
	"   #SS). popfq sets TF; the trap after the next instruction stops at the\n"
	"   jump (let go on), the one after the jump at the target (stage 1), and\n"
	"   the next after the target's instruction, or its fault, ends the probe.\n"
	"   The jump goes through memory, so no register holds the target. The\n"
	"   signal handler runs on the alternate stack. */\n"
	"static void __attribute__((noinline, used)) jump_single_step(void)\n"
	"{\n"
	"\t__asm__ volatile(\"movabs %1, %%rax\\n\\t\"\n"
	"\t\t\"mov %%rax, %%rbx\\n\\tmov %%rax, %%rcx\\n\\tmov %%rax, %%rdx\\n\\t\"\n"
	"\t\t\"mov %%rax, %%rsi\\n\\tmov %%rax, %%rdi\\n\\tmov %%rax, %%rbp\\n\\t\"\n"
	"\t\t\"mov %%rax, %%r8\\n\\tmov %%rax, %%r9\\n\\tmov %%rax, %%r10\\n\\tmov %%rax, %%r11\\n\\t\"\n"
	"\t\t\"mov %%rax, %%r12\\n\\tmov %%rax, %%r13\\n\\tmov %%rax, %%r14\\n\\tmov %%rax, %%r15\\n\\t\"\n"
	"\t\t\"pushfq\\n\\torq $0x100, (%%rsp)\\n\\tpopfq\\n\\t\"\n"
	"\t\t\"mov %%rax, %%rsp\\n\\t\"\n"
	"\t\t\".globl repro_fetch_jmp\\n\"\n"
	"\t\t\"repro_fetch_jmp:\\n\\t\"\n"
	"\t\t\"jmp *%0\\n\\t\"\n"
	"\t\t: : \"m\"(target), \"i\"(FETCH_REG)\n"
	"\t\t: \"rax\", \"rbx\", \"rcx\", \"rdx\", \"rsi\", \"rdi\", \"r8\", \"r9\", \"r10\", \"r11\",\n"
	"\t\t  \"r12\", \"r13\", \"r14\", \"r15\", \"memory\", \"cc\");\n"
	"\t__builtin_unreachable();\n"
	"}\n"
	"\n"
	"/* A probe: 0 load, 1 store, 2 fetch. Fills signo/code/addr/value of step i. */\n"
	"__attribute__((unused)) static void probe(int i, int kind, uint64_t addr, uint64_t value)\n"
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
	"\t\tint refused = f_sig == SIGSEGV && f_code == 0x80 && addr - 0xffffffffff600000ULL < 4096 &&\n"
	"\t\t\t      f_trapno != 13 && f_trapno != 14 && f_rip == addr;\n"
	"\t\tif (!before && !instr && !refused)\n"
	"\t\t\treturn;\n"
	"\t}\n"
	"\tS->signo[i] = f_sig;\n"
	"\tS->code[i] = f_code;\n"
	"\tS->addr[i] = f_addr;\n"
	"}\n"
	"\n"
	"__attribute__((unused)) static int64_t sys(long nr, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f)\n"
	"{\n"
	"\tlong r = syscall(nr, a, b, c, d, e, f);\n"
	"\treturn r == -1 ? -(int64_t)errno : (int64_t)r;\n"
	"}\n"
	"\n"
	"/* The VMAs intersecting [lo, hi), from /proc/self/maps, into step i's record. */\n"
	"__attribute__((unused)) static void record_layout(int i, uint64_t lo, uint64_t hi)\n"
	"{\n"
	"\tint fd = open(\"/proc/self/maps\", O_RDONLY);\n"
	"\tsize_t n = 0;\n"
	"\tssize_t r;\n"
	"\tS->wlo[i] = lo;\n"
	"\tS->nk[i] = 0;\n"
	"\t/* A process whose RLIMIT_NOFILE leaves no descriptor cannot read\n"
	"\t   its own maps (mmspec run has the executor parent read them): its\n"
	"\t   layout is not observed here, and not compared. */\n"
	"\tif (fd < 0) {\n"
	"\t\tS->nk[i] = -1;\n"
	"\t\treturn;\n"
	"\t}\n"
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
	"__attribute__((unused)) static int window(int op, const uint64_t *a, int64_t ret, uint64_t *lo, uint64_t *hi)\n"
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
	"__attribute__((unused)) static void wait_gone(int pid)\n"
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
	"/* Whether the kernel's outcome of step i is what the model predicted:\n"
	"   1, or 2 for another legal outcome `mmspec run` adopts; 0 if not. */\n"
	"static int agrees(int i)\n"
	"{\n"
	"\tconst struct expect *m = &MODEL[i];\n"
	"\tint64_t r = S->ret[i];\n"
	"\tint err = r < 0 && r >= -4095;\n"
	"\tif (!S->done[i] || m->kind == M_NONE || m->kind == M_UNREACHED)\n"
	"\t\treturn 1;\n"
	"\tif (m->alt_enomem && !IS_PROBE[i] && r == -ENOMEM)\n"
	"\t\treturn 2;\n"
	"\tswitch (m->kind) {\n"
	"\tcase M_ERRNO: return err && -r == m->err && !S->signo[i];\n"
	"\tcase M_OK: return !err;\n"
	"\tcase M_SIGNAL: return S->signo[i] == m->signo && S->code[i] == m->code;\n"
	"\tcase M_VALUE: {\n"
	"\t\tuint64_t want = m->k + (uint64_t)(int64_t)m->arena * A;\n"
	"\t\tif (IS_PROBE[i] && OP[i] == OP_LOAD && !S->signo[i])\n"
	"\t\t\tfor (int q = 0; q < m->nalt; q++)\n"
	"\t\t\t\tif (S->value[i] == m->alt[q])\n"
	"\t\t\t\t\treturn 2;\n"
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
	"\tif (!S->done[i] || !m->layout || S->nk[i] < 0)\n"
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
	"\tsay(\"           %-7s\", who);\n"
	"\tif (!n)\n"
	"\t\tsay(\" no VMA\");\n"
	"\tfor (int j = 0; j < n; j++) {\n"
	"\t\tchar a[64], b[64];\n"
	"\t\tfmt_value(a, sizeof(a), base + s[j]);\n"
	"\t\tfmt_value(b, sizeof(b), base + e[j]);\n"
	"\t\tsay(\" [%s, %s) %c%c%c%c\", a, b, p[j] & 1 ? 'r' : '-', p[j] & 2 ? 'w' : '-', p[j] & 4 ? 'x' : '-',\n"
	"\t\t       p[j] & 8 ? 's' : 'p');\n"
	"\t}\n"
	"\tsay(\"\\n\");\n"
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
	"/* At the root's exit (nobody else's): the report is out once the\n"
	"   reporter has seen its end and exited. */\n"
	"static void end_report(void)\n"
	"{\n"
	"\tchar c;\n"
	"\tclose(1);\n"
	"\tclose(1002);\n"
	"\twhile (read(1003, &c, 1) > 0)\n"
	"\t\t;\n"
	"}\n"
	"\n"
	"int main(void)\n"
	"{\n"
	"\tsetvbuf(stdout, NULL, _IONBF, 0);\n"
	"\tS = mmap(NULL, sizeof(*S), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);\n"
	"#if HAVE_FACTS\n"
	"\tint other_facts = check_facts();\n"
	"#endif\n"
	"\tA = pick_arena();\n"
	"\tif (S == MAP_FAILED || !A) {\n"
	"\t\tfprintf(stderr, \"repro: cannot set up (shared page or arena)\\n\");\n"
	"\t\treturn 3;\n"
	"\t}\n"
	"\t/* The executor's sandbox, as far as the model assumes it: THP disabled\n"
	"\t   for the process, SIGXFSZ ignored, its resource limits, no descriptors\n"
	"\t   but two read-only /proc files at 1000 and 1001, and no privilege (uid\n"
	"\t   65534) but the capabilities the case asks for. The report goes out\n"
	"\t   through fd 1002. */\n"
	"\t/* The report goes through a pipe to a process forked before the\n"
	"\t   limits: a program that lowers RLIMIT_FSIZE would otherwise lose it\n"
	"\t   when stdout is a file (EFBIG, SIGXFSZ being ignored). The reporter\n"
	"\t   is a grandchild, so that a wait() step finds no child but the\n"
	"\t   program's, as in the executor; it holds fd 1003's other end until\n"
	"\t   it has written everything. */\n"
	"\tint pfd[2], dfd[2];\n"
	"\tif (pipe(pfd) || pipe(dfd)) {\n"
	"\t\tfprintf(stderr, \"repro: cannot set up (pipe)\\n\");\n"
	"\t\treturn 3;\n"
	"\t}\n"
	"\tpid_t mid = fork();\n"
	"\tif (mid == 0) {\n"
	"\t\tif (fork() == 0) {\n"
	"\t\t\tchar buf[4096];\n"
	"\t\t\tssize_t n;\n"
	"\t\t\tclose(pfd[1]);\n"
	"\t\t\tclose(dfd[0]);\n"
	"\t\t\twhile ((n = read(pfd[0], buf, sizeof(buf))) > 0)\n"
	"\t\t\t\tif (write(1, buf, (size_t)n) != n)\n"
	"\t\t\t\t\tbreak;\n"
	"\t\t}\n"
	"\t\t_exit(0);\n"
	"\t}\n"
	"\tif (mid < 0 || waitpid(mid, NULL, 0) != mid || dup2(pfd[1], 1002) != 1002 || dup2(dfd[0], 1003) != 1003) {\n"
	"\t\tfprintf(stderr, \"repro: cannot set up (reporter)\\n\");\n"
	"\t\treturn 3;\n"
	"\t}\n"
	"\tclose(pfd[0]);\n"
	"\tclose(dfd[1]);\n"
	"\tatexit(end_report);\n"
	"\tprctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);\n"
	"\tsignal(SIGXFSZ, SIG_IGN);\n"
	"\tchar limits_failed[256] = \"\";\n"
	"\tfor (int q = 0; q < 16; q++) {\n"
	"\t\tstruct rlimit rl = { RLIM_CUR[q], RLIM_MAX[q] };\n"
	"\t\tif (RLIM_SET[q] && setrlimit(q, &rl) && q != RLIMIT_NOFILE) {\n"
	"\t\t\tsize_t n = strlen(limits_failed);\n"
	"\t\t\tsnprintf(limits_failed + n, sizeof(limits_failed) - n, \" %d\", q);\n"
	"\t\t}\n"
	"\t}\n"
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

	"\tfor (int q = 0; q < 1000; q++)\n"
	"\t\tclose(q);\n"
	"\tif (geteuid() == 0) {\n"
	"\t\tstruct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };\n"
	"\t\tstruct __user_cap_data_struct data[2];\n"
	"\t\tmemset(data, 0, sizeof(data));\n"
	"\t\tdata[0].effective = data[0].permitted = (uint32_t)KEEP_CAPS;\n"
	"\t\tdata[1].effective = data[1].permitted = (uint32_t)(KEEP_CAPS >> 32);\n"
	"\t\tif (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||\n"
	"\t\t    (KEEP_CAPS && prctl(PR_SET_KEEPCAPS, 1)) || setresuid(65534, 65534, 65534) ||\n"
	"\t\t    syscall(SYS_capset, &hdr, data)) {\n"
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
	"\tsay(\"%s\\n\", TITLE);\n"
	"\tsay(\"arena A = 0x%llx\\n\", (unsigned long long)A);\n"
	"\tint first = -1;\n"
	"\tfor (int i = 0; i < NSTEPS; i++) {\n"
	"\t\tchar k[96];\n"
	"\t\tfmt_kernel(i, k, sizeof(k));\n"
	"\t\tint ok = agrees(i), lok = layout_agrees(i);\n"
	"\t\tsay(\"%3d  %-52s kernel %-22s model %-22s %s\\n\", i, TEXT[i], k, MODEL[i].text,\n"
	"\t\t       !S->done[i] ? \"\" : MODEL[i].kind == M_NONE && !MODEL[i].layout ? \"(not checked)\" :\n"
	"\t\t       ok == 2 && lok ? (OP[i] == OP_LOAD ? \"agrees (reclaim dropped the page: legal)\" : \"agrees (no room: legal)\") :\n"
	"\t\t       ok && lok ? (MODEL[i].layout && S->nk[i] < 0 ? \"agrees (layout not observable: no descriptor left)\" : \"agrees\") : \"DIFFERS\");\n"
	"\t\tif (S->done[i] && MODEL[i].layout && S->nk[i] >= 0 && (!lok || i == FOCUS)) {\n"
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
	"\tif (limits_failed[0])\n"
	"\t\tsay(\"the sandbox's resource limits could not all be set here (resources%s): run as root\\n\", limits_failed);\n"
	"#if HAVE_FACTS\n"
	"\tif (other_facts)\n"
	"\t\tsay(\"this machine's facts differ from those the model predicted with:\\n%s\", facts_differ);\n"
	"\telse\n"
	"\t\tsay(\"facts: as where the reproducer was written (Linux %s)\\n\", WRITTEN.release);\n"
	"\tif (first >= 0 && (other_facts || limits_failed[0])) {\n"
	"\t\tsay(\"UNDECIDED at step %d: the kernel did not do what the model predicted for the machine\\n\"\n"
	"\t\t       \"where this was written, but this machine differs (above); write the reproducer here\\n\"\n"
	"\t\t       \"again (mmspec repro --c) to compare with what the model predicts for it\\n\", first);\n"
	"\t\treturn 4;\n"
	"\t}\n"
	"#else\n"
	"\tif (first >= 0 && limits_failed[0]) {\n"
	"\t\tsay(\"UNDECIDED at step %d: the sandbox's limits are not all in place (above)\\n\", first);\n"
	"\t\treturn 4;\n"
	"\t}\n"
	"#endif\n"
	"\tif (first >= 0) {\n"
	"\t\tsay(\"DIVERGES at step %d: the kernel and the model disagree\\n\", first);\n"
	"\t\treturn 1;\n"
	"\t}\n"
	"\tsay(\"agrees: the kernel did what the model predicted%s\\n\", S->abort ? \" (but a process died unexpectedly)\" : \"\");\n"
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

/* The facts the model predicted with, for the header comment. */
static void c_facts_comment(FILE *out, const exec_target_info *f)
{
	if (!f) {
		fprintf(out, " * facts: the profile's defaults (no executor ran where this was written);\n"
			     " * the machine's facts are not checked\n");
		return;
	}
	fprintf(out, " * facts of the machine where it was written, which the model predicted with\n"
		     " * (checked again at run time):\n");
	fprintf(out, " *   Linux %.64s %.64s; vm.mmap_min_addr %" PRIu64 " (effective %" PRIu64 "),\n", f->release,
		f->machine, f->mmap_min_addr, f->mmap_min_effective);
	fprintf(out, " *   vm.max_map_count %" PRIu64 ", vm.overcommit_memory %d, MemTotal+SwapTotal %" PRIu64 " pages,\n",
		f->max_map_count, f->overcommit_memory, f->commit_guess_pages);
	fprintf(out, " *   swap %s, THP %d, KSM %d, MEMORY_FAILURE %d, VM_MAYBE_GUARD %d, SOFT_DIRTY %d,\n",
		f->swap_pages ? "active" : "none", f->thp, f->ksm, f->memory_failure, f->maybe_guard, f->soft_dirty);
	fprintf(out, " *   hugetlb sizes 0x%" PRIx64 " (%" PRIu64 " free 2 MiB pages), root %d, zero page PFN 0x%" PRIx64
		     " (pagemap: not compared here)\n",
		f->hugepage_sizes, f->hugepages_free_2m, f->privileged, f->zero_pfn);
}

/*
 * The facts as data, and the sandbox's resource limits: the executor's
 * (exec_target_info rlim_*) when facts are known, else the ones every
 * sandbox sets (exec_sandbox_rlimits), which the model-only run seeds.
 */
static void c_facts_data(FILE *out, const exec_target_info *f)
{
	uint64_t cur[16] = { 0 }, max[16] = { 0 };
	bool set[16] = { false };
	if (f) {
		for (int q = 0; q < 16; q++) {
			cur[q] = f->rlim_cur[q];
			max[q] = f->rlim_max[q];
			set[q] = true;
		}
	} else {
		for (size_t q = 0; q < exec_sandbox_rlimit_count; q++) {
			int r = exec_sandbox_rlimits[q].resource;
			if (r >= 0 && r < 16) {
				cur[r] = max[r] = exec_sandbox_rlimits[q].value;
				set[r] = true;
			}
		}
	}
	fprintf(out, "#define HAVE_FACTS %d\n", f != NULL);
	fprintf(out, "static const int RLIM_SET[16] = {");
	for (int q = 0; q < 16; q++)
		fprintf(out, "%s%d", q ? ", " : " ", set[q]);
	fprintf(out, " };\nstatic const unsigned long long RLIM_CUR[16] = {");
	for (int q = 0; q < 16; q++)
		fprintf(out, "%s0x%" PRIx64 "ULL", q ? ", " : " ", cur[q]);
	fprintf(out, " };\nstatic const unsigned long long RLIM_MAX[16] = {");
	for (int q = 0; q < 16; q++)
		fprintf(out, "%s0x%" PRIx64 "ULL", q ? ", " : " ", max[q]);
	fprintf(out, " };\n");
	if (!f)
		return;
	/* Declared here, defined with the facts check (c_facts). */
	fprintf(out, "static const struct {\n\tconst char *release;\n\tunsigned version;\n"
		     "\tunsigned long long mmap_min_addr, mmap_min_effective, max_map_count;\n\tint overcommit_memory;\n"
		     "\tunsigned long long commit_guess_pages;\n\tint swap, thp, ksm, memory_failure, maybe_guard, soft_dirty;\n"
		     "\tunsigned long long hugepage_sizes, hugepages_free_2m;\n\tint privileged;\n} WRITTEN = {\n\t");
	c_string(out, f->release);
	fprintf(out, ", 0x%x, %" PRIu64 "ULL, %" PRIu64 "ULL, %" PRIu64 "ULL, %d,\n\t%" PRIu64 "ULL, %d, %d, %d, %d, %d, %d,\n"
		     "\t0x%" PRIx64 "ULL, %" PRIu64 "ULL, %d\n};\n",
		f->version, f->mmap_min_addr, f->mmap_min_effective, f->max_map_count, f->overcommit_memory,
		f->commit_guess_pages, f->swap_pages != 0, f->thp, f->ksm, f->memory_failure, f->maybe_guard,
		f->soft_dirty, f->hugepage_sizes, f->hugepages_free_2m, f->privileged);
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
	/* Large (the initial layout): not on the stack. */
	collect *px = calloc(1, sizeof(*px));
	oracle_world *w0 = oracle_world_new(&t->profile);
	if (!px || !w0) {
		free(px);
		oracle_world_free(w0);
		free(m);
		prog_case_clear(&c);
		snprintf(err, cap, "out of memory");
		return -1;
	}
	px->c = &c;
	px->m = m;
	px->foreign_step = -1;
	oracle_proc_seed_default(oracle_world_root(w0));
	px->ninit = oracle_vmas(oracle_world_root(w0), 0, ~0ULL, px->init, sizeof(px->init) / sizeof(px->init[0]));
	if (px->ninit > sizeof(px->init) / sizeof(px->init[0]))
		px->ninit = sizeof(px->init) / sizeof(px->init[0]);
	oracle_world_free(w0);
	harness_case_report rep;
	harness_check_case(&c, t, on_step, px, &rep);
	uint32_t reached = px->reached;
	if (rep.result == HARNESS_SKIP || rep.result == HARNESS_ERROR || px->foreign_step >= 0) {
		if (px->foreign_step >= 0)
			snprintf(err, cap, "a standalone C program cannot reproduce this: %s", px->foreign_why);
		else
			snprintf(err, cap, "the model cannot run this program (%s): %s", harness_result_name(rep.result),
				 rep.message);
		free(px);
		free(m);
		prog_case_clear(&c);
		return -1;
	}
	free(px);
	for (uint32_t i = reached; i < c.nsteps; i++) {
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
	c_facts_comment(out, info ? info->facts : NULL);
	fprintf(out, " *\n * Build and run (nothing of mmspec; as root, as the executor, it drops to\n"
		     " * uid 65534 keeping only the capabilities the case requires):\n"
		     " *     cc -O1 -o repro repro.c && ./repro\n"
		     " * It runs the program below on this kernel with raw system calls, and prints\n"
		     " * each step's result next to the model's prediction, then DIVERGES (exit 1)\n"
		     " * or agrees (exit 0); where something differed on a machine whose facts\n"
		     " * are not those above, UNDECIDED (exit 4). A is the arena: a page-aligned\n"
		     " * address with 1 GiB free below it and 2 GiB above.\n *\n");
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
		     "#include <signal.h>\n#include <stdarg.h>\n#include <stdint.h>\n#include <stdio.h>\n#include <stdlib.h>\n"
		     "#include <string.h>\n#include <sched.h>\n#include <grp.h>\n#include <sys/mman.h>\n#include <sys/prctl.h>\n#include <sys/resource.h>\n"
		     "#include <sys/syscall.h>\n#include <sys/utsname.h>\n#include <sys/wait.h>\n#include <ucontext.h>\n"
		     "#include <unistd.h>\n#include <linux/capability.h>\n\n");
	fprintf(out, "#define NSTEPS %u\n#define NVARS %u\n#define MAXV %d\n#define MAXALT %d\n#define ROOT (-1)\n",
		c.nsteps, c.nvars, MAX_WIN_VMAS, MAX_ALTS);
	fprintf(out, "#define ARENA 0x%" PRIx64 "ULL\n", info && info->arena ? info->arena : (uint64_t)0x100000000000ULL);
	fprintf(out, "#define FOCUS %d\n", info ? info->focus_step : -1);
	uint64_t keep = 0;
	for (unsigned q = 0; q < c.nreq; q++)
		if (c.req[q].kind == PROG_REQ_CAP && c.req[q].cap >= 0 && c.req[q].cap < 64)
			keep |= 1ULL << c.req[q].cap;
	fprintf(out, "#define KEEP_CAPS 0x%" PRIx64 "ULL /* the capabilities the case requires */\n", keep);
	c_facts_data(out, info ? info->facts : NULL);
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
		     "\tuint64_t vs[MAXV], ve[MAXV];\n\tunsigned vp[MAXV];\n"
		     "\tint nalt; /* other values a load may legally read (reclaim dropped a page) */\n"
		     "\tuint64_t alt[MAXALT];\n"
		     "\tint alt_enomem; /* ENOMEM is a legal outcome too (the kernel found no room) */\n};\n");
	fprintf(out, "static const struct expect MODEL[NSTEPS] = {\n");
	for (uint32_t i = 0; i < c.nsteps; i++) {
		const model_step *ms = &m[i];
		fprintf(out, "\t{ .kind = %d, .err = %lld, .k = 0x%" PRIx64 "ULL, .arena = %d, .signo = %d, .code = %d,\n\t  .text = ",
			ms->kind, (long long)ms->err, ms->k, ms->arena, ms->signo, ms->code);
		c_string(out, ms->text);
		if (ms->layout) {
			fprintf(out, ",\n\t  .layout = 1, .arena_window = %d, .win_len = 0x%" PRIx64 "ULL, .n = %u",
				ms->arena_window, ms->win_len, ms->nvmas);
			if (ms->nvmas) {
				fprintf(out, ",\n\t  .vs = {");
				for (uint32_t q = 0; q < ms->nvmas; q++)
					fprintf(out, "%s0x%" PRIx64 "ULL", q ? ", " : " ", ms->vs[q]);
				fprintf(out, " }, .ve = {");
				for (uint32_t q = 0; q < ms->nvmas; q++)
					fprintf(out, "%s0x%" PRIx64 "ULL", q ? ", " : " ", ms->ve[q]);
				fprintf(out, " }, .vp = {");
				for (uint32_t q = 0; q < ms->nvmas; q++)
					fprintf(out, "%s%u", q ? ", " : " ", ms->vprot[q]);
				fprintf(out, " }");
			}
		}
		if (ms->nalt) {
			fprintf(out, ",\n\t  .nalt = %u, .alt = {", ms->nalt);
			for (uint32_t q = 0; q < ms->nalt; q++)
				fprintf(out, "%s0x%" PRIx64 "ULL", q ? ", " : " ", ms->alt[q]);
			fprintf(out, " }");
		}
		if (ms->alt_enomem)
			fprintf(out, ", .alt_enomem = 1");
		fprintf(out, " },\n");
	}
	fprintf(out, "};\n\n");

	/* The steps. */
	fprintf(out, "static int run_step(int i, int me);\n\n");
	if (info && info->facts)
		fputs(c_facts, out);
	fputs(c_body, out);
	fprintf(out, "\n/* Runs step i in process me; returns the new process's variable in the\n"
		     "   child of a fork(), else -1. */\n");
	fprintf(out, "static int run_step(int i, int me)\n{\n\tuint64_t a[6] = { 0 };\n\tint64_t r = 0;\n\t(void)a;\n"
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
