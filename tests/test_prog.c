/* SPDX-License-Identifier: MIT */
/*
 * test_prog.c: unit tests of the case language (harness/prog_*.c).
 *
 * Table driven: a row per malformed snippet with the line, column and message
 * it must produce; a row per expression with the folded form it must give; a
 * row per step with its canonical printed form. Every case the tests build or
 * parse goes through the same round trips: print -> parse -> equal, print is
 * a fixed point, encode -> decode -> equal, and every proper prefix of the
 * encoding is rejected. Byte flips of encodings and of case text must never
 * crash, and whatever they decode or parse to must survive the round trips.
 *
 * Usage: test_prog [--suites DIR] [FILTER]. With --suites, every *.mmt file
 * under DIR (recursively) must parse and every case in it must round-trip.
 */
#include <dirent.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "linux_abi.h"
#include "harness.h" /* harness_xfail_match */
#include "prog.h"
#include "prog_int.h" /* prog_case_check, the validator */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *suites_dir;

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */

static prog_file *parse(const char *text)
{
	prog_file *f = NULL;
	prog_diag d;
	if (prog_parse_text("t.mmt", text, strlen(text), &f, &d) != 0) {
		char msg[600];
		prog_diag_format(&d, msg, sizeof(msg));
		CHECK_MSG(0, "unexpected parse error: %s\n--- text:\n%s", msg, text);
		return NULL;
	}
	CHECK(f != NULL);
	return f;
}

/* Parses text that must fail; returns the diagnostic. */
static prog_diag parse_err(const char *text, size_t len)
{
	prog_file *f = (prog_file *)1;
	prog_diag d;
	int rc = prog_parse_text("t.mmt", text, len, &f, &d);
	CHECK_MSG(rc == -1, "parse unexpectedly succeeded:\n%s", text);
	CHECK(f == NULL);
	if (rc == 0)
		prog_file_free(f);
	return d;
}

static uint8_t *encode(const prog_case *c, size_t *len)
{
	size_t n = prog_encode(c, NULL, 0);
	uint8_t *buf = malloc(n + 1);
	CHECK(buf != NULL);
	buf[n] = 0xa5; /* canary: prog_encode must not write past cap */
	size_t m = prog_encode(c, buf, n);
	CHECK_EQ_U64(m, n);
	CHECK_EQ_U64(buf[n], 0xa5);
	*len = n;
	return buf;
}

/*
 * The round trips every valid case must survive. Returns false (after
 * recording a failure) when one breaks, so callers can stop early.
 */
static bool roundtrip(const prog_case *c)
{
	bool ok = true;
	char *text = prog_case_to_string(c);
	CHECK(text != NULL);
	if (!text)
		return false;

	/* print -> parse -> equal, and the printed form is a fixed point */
	prog_file *f = parse(text);
	if (!f || f->ncases != 1) {
		CHECK_MSG(0, "printed case does not parse to one case:\n%s", text);
		ok = false;
	} else {
		if (!prog_case_equal(c, &f->cases[0])) {
			CHECK_MSG(0, "print -> parse changed the case:\n%s", text);
			ok = false;
		}
		char *again = prog_case_to_string(&f->cases[0]);
		if (!again || strcmp(again, text) != 0) {
			CHECK_MSG(0, "printing is not a fixed point:\n%s---\n%s", text,
				  again ? again : "(null)");
			ok = false;
		}
		free(again);
		const char *why = prog_case_check(&f->cases[0]);
		CHECK_MSG(why == NULL, "parsed case invalid: %s\n%s", why, text);
	}
	prog_file_free(f);

	/* encode -> decode -> equal; every proper prefix is rejected */
	size_t len;
	uint8_t *buf = encode(c, &len);
	prog_case d;
	const char *why = NULL;
	if (prog_decode(buf, len, &d, &why) != 0) {
		CHECK_MSG(0, "decode of a fresh encoding failed: %s\n%s", why, text);
		ok = false;
	} else {
		if (!prog_case_equal(c, &d)) {
			CHECK_MSG(0, "encode -> decode changed the case:\n%s", text);
			ok = false;
		}
		/* lines survive the encoding too */
		for (uint32_t i = 0; i < d.nsteps && i < c->nsteps; i++)
			CHECK_EQ_U64(d.steps[i].line, c->steps[i].line);
		CHECK_EQ_U64(d.line, c->line);
		prog_case_clear(&d);
	}
	for (size_t n = 0; n < len; n++) {
		prog_case t;
		why = NULL;
		int rc = prog_decode(buf, n, &t, &why);
		if (rc == 0) {
			CHECK_MSG(0, "prefix of %zu/%zu bytes decoded", n, len);
			prog_case_clear(&t);
			ok = false;
			break;
		}
		CHECK(why != NULL);
		CHECK(t.nsteps == 0 && t.steps == NULL && t.nvars == 0);
	}
	free(buf);
	free(text);
	return ok;
}

static void roundtrip_file(const prog_file *f)
{
	for (uint32_t i = 0; i < f->ncases; i++)
		if (!roundtrip(&f->cases[i]))
			return;
}

/* The last step of the first case of a text. */
static const prog_step *last_step(const prog_file *f)
{
	if (!f || f->ncases < 1 || f->cases[0].nsteps < 1)
		return NULL;
	return &f->cases[0].steps[f->cases[0].nsteps - 1];
}

/* Binds $x, $y, $z, $w before the step under test. */
#define PRELUDE                                                                      \
	"case t\n"                                                                   \
	"  mmap(NULL, 1p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = $x\n"       \
	"  mmap(NULL, 1p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = $y\n"       \
	"  mmap(NULL, 1p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = $z\n"       \
	"  mmap(NULL, 1p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = $w\n"       \
	"  fork() = $c\n"
#define PRELUDE_LINES 6

/* ---------------------------------------------------------------------- */
/* Names and ops                                                           */

TEST(test_op_table)
{
	static const struct {
		const char *name;
		int op, nargs, min_args;
		bool mutates, pseudo;
		const char *call; /* a call that parses */
	} rows[] = {
		{ "mmap", PROG_MMAP, 6, 6, true, false, "mmap(A, 1p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)" },
		{ "munmap", PROG_MUNMAP, 2, 2, true, false, "munmap(A, 1p)" },
		{ "mprotect", PROG_MPROTECT, 3, 3, true, false, "mprotect(A, 1p, PROT_NONE)" },
		{ "brk", PROG_BRK, 1, 1, true, false, "brk(NULL)" },
		{ "mremap", PROG_MREMAP, 5, 4, true, false, "mremap(A, 1p, 2p, MREMAP_MAYMOVE)" },
		{ "madvise", PROG_MADVISE, 3, 3, true, false, "madvise(A, 1p, MADV_DONTNEED)" },
		{ "mlock", PROG_MLOCK, 2, 2, true, false, "mlock(A, 1p)" },
		{ "mlock2", PROG_MLOCK2, 3, 3, true, false, "mlock2(A, 1p, MLOCK_ONFAULT)" },
		{ "munlock", PROG_MUNLOCK, 2, 2, true, false, "munlock(A, 1p)" },
		{ "mlockall", PROG_MLOCKALL, 1, 1, true, false, "mlockall(MCL_CURRENT)" },
		{ "munlockall", PROG_MUNLOCKALL, 0, 0, true, false, "munlockall()" },
		{ "mseal", PROG_MSEAL, 3, 2, true, false, "mseal(A, 1p)" },
		{ "mincore", PROG_MINCORE, 2, 2, false, false, "mincore(A, 1p)" },
		{ "fork", PROG_FORK, 0, 0, false, false, "fork()" },
		{ "exit", PROG_EXIT, 1, 1, false, false, "exit(0)" },
		{ "wait", PROG_WAIT, 1, 1, false, false, "wait($c)" },
		{ "memfd_create", PROG_MEMFD_CREATE, 2, 2, false, false, "memfd_create(\"f\", 0)" },
		{ "ftruncate", PROG_FTRUNCATE, 2, 2, false, false, "ftruncate(3, 1p)" },
		{ "setrlimit", PROG_SETRLIMIT, 3, 3, false, false, "setrlimit(RLIMIT_AS, 1G, RLIM_INFINITY)" },
		{ "load", PROG_LOAD, 1, 1, false, true, "load(A)" },
		{ "store", PROG_STORE, 2, 2, false, true, "store(A, 0x41)" },
		{ "fetch", PROG_FETCH, 1, 1, false, true, "fetch(A)" },
		{ "maps", PROG_MAPS, 2, 0, false, true, "maps()" },
		{ "pagemap", PROG_PAGEMAP, 2, 2, false, true, "pagemap(A, 4p)" },
	};
	CHECK_EQ_U64(ARRAY_SIZE(rows), PROG_OP_COUNT);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const prog_op_info *info = prog_op_info_get(rows[i].op);
		CHECK(info != NULL);
		if (!info)
			continue;
		CHECK_STR(info->name, rows[i].name);
		CHECK_EQ_U64(info->nargs, rows[i].nargs);
		CHECK_EQ_U64(info->min_args, rows[i].min_args);
		CHECK_MSG(info->mutates == rows[i].mutates, "%s mutates", rows[i].name);
		CHECK_MSG(info->pseudo == rows[i].pseudo, "%s pseudo", rows[i].name);
		CHECK_EQ_U64(prog_op_lookup(rows[i].name, strlen(rows[i].name)), rows[i].op);

		char text[512];
		snprintf(text, sizeof(text), PRELUDE "  %s\n", rows[i].call);
		prog_file *f = parse(text);
		const prog_step *s = last_step(f);
		CHECK(s != NULL);
		if (s) {
			CHECK_EQ_U64(s->op, rows[i].op);
			CHECK_EQ_U64(s->nargs, rows[i].nargs);
			CHECK_EQ_U64(s->proc, PROG_ROOT);
			CHECK_EQ_U64(s->line, PRELUDE_LINES + 1);
			CHECK_EQ_U64(s->res.kind, PROG_RES_NONE);
			roundtrip(&f->cases[0]);
		}
		prog_file_free(f);
	}
	CHECK(prog_op_info_get(-1) == NULL);
	CHECK(prog_op_info_get(PROG_OP_COUNT) == NULL);
	CHECK_EQ_U64(prog_op_lookup("mmap2", 5), (uint64_t)-1);
	CHECK_EQ_U64(prog_op_lookup("mma", 3), (uint64_t)-1);
	CHECK_EQ_U64(prog_op_lookup("mmap", 4), PROG_MMAP);
}

TEST(test_arg_kinds)
{
	const prog_op_info *i = prog_op_info_get(PROG_MMAP);
	CHECK(i->argkind[0] == PROG_ARG_ADDR && i->argkind[1] == PROG_ARG_LEN &&
	      i->argkind[2] == PROG_ARG_PROT && i->argkind[3] == PROG_ARG_MAP &&
	      i->argkind[4] == PROG_ARG_INT && i->argkind[5] == PROG_ARG_LEN);
	i = prog_op_info_get(PROG_MREMAP);
	CHECK(i->argkind[3] == PROG_ARG_MREMAP && i->argkind[4] == PROG_ARG_ADDR);
	i = prog_op_info_get(PROG_MEMFD_CREATE);
	CHECK(i->argkind[0] == PROG_ARG_STR && i->argkind[1] == PROG_ARG_MFD);
	i = prog_op_info_get(PROG_SETRLIMIT);
	CHECK(i->argkind[0] == PROG_ARG_RLIMIT && i->argkind[1] == PROG_ARG_VALUE &&
	      i->argkind[2] == PROG_ARG_VALUE);
	i = prog_op_info_get(PROG_WAIT);
	CHECK(i->argkind[0] == PROG_ARG_PROC);
	i = prog_op_info_get(PROG_STORE);
	CHECK(i->argkind[0] == PROG_ARG_ADDR && i->argkind[1] == PROG_ARG_VALUE);
	i = prog_op_info_get(PROG_MLOCKALL);
	CHECK(i->argkind[0] == PROG_ARG_MCL);
	i = prog_op_info_get(PROG_MADVISE);
	CHECK(i->argkind[2] == PROG_ARG_MADV);
	i = prog_op_info_get(PROG_MSEAL);
	CHECK(i->argkind[2] == PROG_ARG_INT);
}

TEST(test_constant_names)
{
	static const struct {
		const char *name;
		int value;
	} errnos[] = {
		{ "ENOMEM", LX_ENOMEM }, { "EINVAL", LX_EINVAL }, { "EEXIST", LX_EEXIST },
		{ "EPERM", LX_EPERM }, { "EACCES", LX_EACCES }, { "EAGAIN", LX_EAGAIN },
		{ "EFAULT", LX_EFAULT }, { "EBADF", LX_EBADF }, { "ENOSYS", LX_ENOSYS },
		{ "EOPNOTSUPP", LX_EOPNOTSUPP }, { "EOVERFLOW", LX_EOVERFLOW },
		{ "ENODEV", LX_ENODEV }, { "ETXTBSY", LX_ETXTBSY }, { "ESRCH", LX_ESRCH },
		{ "ECHILD", LX_ECHILD }, { "ENOENT", LX_ENOENT }, { "E2BIG", LX_E2BIG },
		{ "ENOTTY", LX_ENOTTY }, { "ENAMETOOLONG", LX_ENAMETOOLONG },
		{ "EBUSY", LX_EBUSY }, { "EINTR", LX_EINTR }, { "EMFILE", LX_EMFILE },
		{ "ENFILE", LX_ENFILE }, { "EFBIG", LX_EFBIG }, { "ENOSPC", LX_ENOSPC },
		{ "ERANGE", LX_ERANGE }, { "EHWPOISON", LX_EHWPOISON }, { "EIO", 5 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(errnos); i++) {
		CHECK_STR(prog_errno_name(errnos[i].value), errnos[i].name);
		CHECK_EQ_U64(prog_errno_lookup(errnos[i].name, strlen(errnos[i].name)),
			     errnos[i].value);
	}
	CHECK_EQ_U64(prog_errno_lookup("EFOO", 4), (uint64_t)-1);
	CHECK_EQ_U64(prog_errno_lookup("ENOMEMX", 7), (uint64_t)-1);
	CHECK_EQ_U64(prog_errno_lookup("ENOMEMX", 6), LX_ENOMEM);
	/* Unknown values still give a printable name for messages. */
	CHECK_STR(prog_errno_name(4000), "E?");
	CHECK_STR(prog_signal_name(LX_SIGSEGV), "SIGSEGV");
	CHECK_STR(prog_signal_name(LX_SIGBUS), "SIGBUS");
	CHECK_STR(prog_signal_name(LX_SIGTRAP), "SIGTRAP");
	CHECK_STR(prog_signal_name(9), "SIGKILL");
	CHECK_STR(prog_signal_name(99), "SIG?");
	CHECK_STR(prog_si_code_name(LX_SIGSEGV, LX_SEGV_MAPERR), "SEGV_MAPERR");
	CHECK_STR(prog_si_code_name(LX_SIGSEGV, LX_SEGV_ACCERR), "SEGV_ACCERR");
	CHECK_STR(prog_si_code_name(LX_SIGSEGV, LX_SEGV_PKUERR), "SEGV_PKUERR");
	CHECK_STR(prog_si_code_name(LX_SIGSEGV, LX_SI_KERNEL), "SI_KERNEL");
	CHECK_STR(prog_si_code_name(LX_SIGBUS, LX_BUS_ADRERR), "BUS_ADRERR");
	CHECK_STR(prog_si_code_name(LX_SIGBUS, LX_BUS_ADRALN), "BUS_ADRALN");
	CHECK_STR(prog_si_code_name(LX_SIGBUS, LX_BUS_OBJERR), "BUS_OBJERR");
	CHECK_STR(prog_si_code_name(LX_SIGBUS, LX_BUS_MCEERR_AR), "BUS_MCEERR_AR");
	CHECK_STR(prog_si_code_name(LX_SIGTRAP, 1), "TRAP_BRKPT");
	CHECK_STR(prog_si_code_name(LX_SIGSEGV, 77), "?");
}

/* ---------------------------------------------------------------------- */
/* Expressions                                                             */

typedef struct term_row {
	int var;   /* 0 = $x, 1 = $y, 2 = $z, 3 = $w; -1 ends */
	int coef;
} term_row;

TEST(test_expressions)
{
	static const struct {
		const char *expr;
		uint64_t k;
		int arena;
		term_row terms[4];
	} rows[] = {
		{ "0", 0, 0, { { -1, 0 } } },
		{ "NULL", 0, 0, { { -1, 0 } } },
		{ "123", 123, 0, { { -1, 0 } } },
		{ "0x10", 16, 0, { { -1, 0 } } },
		{ "0XfF", 255, 0, { { -1, 0 } } },
		{ "18446744073709551615", UINT64_MAX, 0, { { -1, 0 } } },
		{ "0xffffffffffffffff", UINT64_MAX, 0, { { -1, 0 } } },
		{ "0x0000000000000000001", 1, 0, { { -1, 0 } } },
		{ "4p", 16384, 0, { { -1, 0 } } },
		{ "2K", 2048, 0, { { -1, 0 } } },
		{ "3M", 3 << 20, 0, { { -1, 0 } } },
		{ "1G", 1 << 30, 0, { { -1, 0 } } },
		{ "0x1p", 4096, 0, { { -1, 0 } } },
		{ "(1+2)p", 3 * 4096, 0, { { -1, 0 } } },
		{ "(2)M", 2 << 20, 0, { { -1, 0 } } },
		{ "(-1)p", (uint64_t)-4096, 0, { { -1, 0 } } },
		{ "(0x8000000000000000)p", 0, 0, { { -1, 0 } } }, /* groups wrap */
		{ "2M+0x10", (2 << 20) + 16, 0, { { -1, 0 } } },
		{ "1 + 2", 3, 0, { { -1, 0 } } },
		{ "-1", UINT64_MAX, 0, { { -1, 0 } } },
		{ "--1", 1, 0, { { -1, 0 } } },
		{ "+5", 5, 0, { { -1, 0 } } },
		{ "-(-(1))", 1, 0, { { -1, 0 } } },
		{ "0xffffffffffffffff+1", 0, 0, { { -1, 0 } } },
		{ "0-1", UINT64_MAX, 0, { { -1, 0 } } },
		{ "10-3-2", 5, 0, { { -1, 0 } } },
		{ "10-(3-2)", 9, 0, { { -1, 0 } } },
		{ "A", 0, 1, { { -1, 0 } } },
		{ "A+4p", 16384, 1, { { -1, 0 } } },
		{ "A-1p", (uint64_t)-4096, 1, { { -1, 0 } } },
		{ "4p+A", 16384, 1, { { -1, 0 } } },
		{ "A+A", 0, 2, { { -1, 0 } } },
		{ "A-A", 0, 0, { { -1, 0 } } },
		{ "-A", 0, -1, { { -1, 0 } } },
		{ "(A+1p)", 4096, 1, { { -1, 0 } } },
		{ "$x", 0, 0, { { 0, 1 }, { -1, 0 } } },
		{ "$x+2p", 8192, 0, { { 0, 1 }, { -1, 0 } } },
		{ "A-$x", 0, 1, { { 0, -1 }, { -1, 0 } } },
		{ "$y+$x", 0, 0, { { 0, 1 }, { 1, 1 }, { -1, 0 } } },
		{ "$x+$y+$z", 0, 0, { { 0, 1 }, { 1, 1 }, { 2, 1 }, { -1, 0 } } },
		{ "$x+$y+$z+$w-$w", 0, 0, { { 0, 1 }, { 1, 1 }, { 2, 1 }, { -1, 0 } } },
		{ "$x+$x+$x", 0, 0, { { 0, 3 }, { -1, 0 } } },
		{ "$x-$x", 0, 0, { { -1, 0 } } },
		{ "-(A+$x)", 0, -1, { { 0, -1 }, { -1, 0 } } },
		{ "$w-(1p-$z)", (uint64_t)-4096, 0, { { 2, 1 }, { 3, 1 }, { -1, 0 } } },
		{ "PROT_READ|PROT_WRITE", 3, 0, { { -1, 0 } } },
		{ "PROT_READ|0x10", 0x11, 0, { { -1, 0 } } },
		{ "PROT_NONE", 0, 0, { { -1, 0 } } },
		{ "MAP_SHARED", 1, 0, { { -1, 0 } } },
		{ "MAP_ANON", 0x20, 0, { { -1, 0 } } },
		{ "MAP_FILE", 0, 0, { { -1, 0 } } },
		{ "MAP_TYPE", 0xf, 0, { { -1, 0 } } },
		{ "MAP_HUGE_2MB", 21ULL << 26, 0, { { -1, 0 } } },
		{ "MAP_FIXED_NOREPLACE", 0x100000, 0, { { -1, 0 } } },
		{ "MADV_DONTNEED", 4, 0, { { -1, 0 } } },
		{ "MADV_GUARD_INSTALL", 102, 0, { { -1, 0 } } },
		{ "RLIMIT_AS", 9, 0, { { -1, 0 } } },
		{ "RLIM_INFINITY", UINT64_MAX, 0, { { -1, 0 } } },
		{ "MFD_CLOEXEC|MFD_ALLOW_SEALING", 3, 0, { { -1, 0 } } },
		{ "MCL_CURRENT|MCL_FUTURE", 3, 0, { { -1, 0 } } },
		{ "MLOCK_ONFAULT", 1, 0, { { -1, 0 } } },
		{ "MREMAP_MAYMOVE|MREMAP_FIXED", 3, 0, { { -1, 0 } } },
		{ "1+2|4", 7, 0, { { -1, 0 } } },   /* `|` binds looser than `+` */
		{ "(1|2)+4", 7, 0, { { -1, 0 } } },
		{ "1|2|4|8", 15, 0, { { -1, 0 } } },
		{ "PROT_READ+PROT_WRITE", 3, 0, { { -1, 0 } } },
		{ "A+(1+2)p", 3 * 4096, 1, { { -1, 0 } } },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char text[512];
		snprintf(text, sizeof(text), PRELUDE "  munmap(%s, 1p)\n", rows[i].expr);
		prog_file *f = parse(text);
		const prog_step *s = last_step(f);
		CHECK_MSG(s != NULL, "row %zu: %s", i, rows[i].expr);
		if (!s) {
			prog_file_free(f);
			continue;
		}
		const prog_expr *e = &s->arg[0];
		CHECK_MSG(e->k == rows[i].k, "%s: k 0x%llx, want 0x%llx", rows[i].expr,
			  (unsigned long long)e->k, (unsigned long long)rows[i].k);
		CHECK_MSG(e->arena == rows[i].arena, "%s: arena %d", rows[i].expr, e->arena);
		int n = 0;
		while (rows[i].terms[n].var >= 0)
			n++;
		CHECK_MSG(e->nterms == n, "%s: %u terms, want %d", rows[i].expr, e->nterms, n);
		for (int t = 0; t < n && t < e->nterms; t++)
			CHECK_MSG(e->term[t].var == rows[i].terms[t].var &&
					  e->term[t].coef == rows[i].terms[t].coef,
				  "%s: term %d is (%u, %d)", rows[i].expr, t, e->term[t].var,
				  e->term[t].coef);
		roundtrip(&f->cases[0]);
		prog_file_free(f);
	}
}

TEST(test_eval)
{
	prog_expr e;
	uint64_t vals[4] = { 0x1000, 0x20000, 7, 0 };
	memset(&e, 0, sizeof(e));
	e.k = 5;
	CHECK_EQ_U64(prog_eval(&e, 0x40000000, vals), 5);
	e.arena = 1;
	CHECK_EQ_U64(prog_eval(&e, 0x40000000, vals), 0x40000005);
	e.arena = -2;
	CHECK_EQ_U64(prog_eval(&e, 0x40000000, vals), (uint64_t)5 - 0x80000000);
	e.arena = 0;
	e.nterms = 2;
	e.term[0].var = 0;
	e.term[0].coef = 3;
	e.term[1].var = 1;
	e.term[1].coef = -1;
	CHECK_EQ_U64(prog_eval(&e, 0, vals), 5 + 0x3000 - 0x20000);
	/* constants wrap mod 2^64 */
	e.nterms = 0;
	e.k = UINT64_MAX;
	e.arena = 1;
	CHECK_EQ_U64(prog_eval(&e, 2, vals), 1);

	/* the parsed form evaluates as written */
	prog_file *f = parse(PRELUDE "  munmap(A+A-$y+3p+$x, 1p)\n");
	const prog_step *s = last_step(f);
	if (s) {
		uint64_t v[5] = { 0x7000, 0x9000, 0, 0, 0 };
		CHECK_EQ_U64(prog_eval(&s->arg[0], 0x100000, v), 0x200000 - 0x9000 + 0x3000 + 0x7000);
	}
	prog_file_free(f);
}

/* ---------------------------------------------------------------------- */
/* Results                                                                 */

TEST(test_results)
{
	static const struct {
		const char *step;
		int kind;
		uint64_t k;      /* VALUE */
		int arena;       /* VALUE */
		int nerr;        /* ERRNO */
		int err[4];
		int signo, code; /* SIGNAL */
		int var;         /* BIND */
		const char *str; /* LAYOUT */
	} rows[] = {
		{ "munmap(A, 1p)", PROG_RES_NONE },
		{ "munmap(A, 1p) = ?", PROG_RES_ANY },
		{ "munmap(A, 1p) = 0", PROG_RES_VALUE, 0 },
		{ "munmap(A, 1p) = -1", PROG_RES_VALUE, UINT64_MAX },
		{ "mmap(A, 1p, PROT_READ, MAP_PRIVATE, -1, 0) = A+4p", PROG_RES_VALUE, 16384, 1 },
		{ "load(A) = 0x41", PROG_RES_VALUE, 0x41 },
		{ "munmap(A, 1p) = -1 ENOMEM", PROG_RES_ERRNO, .nerr = 1, .err = { LX_ENOMEM } },
		{ "munmap(A, 1p) = - 1 ENOMEM", PROG_RES_ERRNO, .nerr = 1, .err = { LX_ENOMEM } },
		{ "munmap(A, 1p) = -1 EINVAL|ENOMEM", PROG_RES_ERRNO, .nerr = 2,
		  .err = { LX_EINVAL, LX_ENOMEM } },
		{ "munmap(A, 1p) = -1 EINVAL|ENOMEM|EPERM|EACCES", PROG_RES_ERRNO, .nerr = 4,
		  .err = { LX_EINVAL, LX_ENOMEM, LX_EPERM, LX_EACCES } },
		{ "munmap(A, 1p) = -1 ENOMEM (Cannot allocate memory)", PROG_RES_ERRNO, .nerr = 1,
		  .err = { LX_ENOMEM } },
		{ "munmap(A, 1p) = -1 EINVAL (Invalid argument) # pasted", PROG_RES_ERRNO,
		  .nerr = 1, .err = { LX_EINVAL } },
		{ "munmap(A, 1p) = -1 EINVAL ()", PROG_RES_ERRNO, .nerr = 1, .err = { LX_EINVAL } },
		{ "store(A, 1) = SIGSEGV(SEGV_MAPERR)", PROG_RES_SIGNAL, .signo = LX_SIGSEGV,
		  .code = LX_SEGV_MAPERR },
		{ "store(A, 1) = SIGSEGV(SEGV_ACCERR)", PROG_RES_SIGNAL, .signo = LX_SIGSEGV,
		  .code = LX_SEGV_ACCERR },
		{ "store(A, 1) = SIGSEGV(SEGV_PKUERR)", PROG_RES_SIGNAL, .signo = LX_SIGSEGV,
		  .code = LX_SEGV_PKUERR },
		{ "store(A, 1) = SIGSEGV(SI_KERNEL)", PROG_RES_SIGNAL, .signo = LX_SIGSEGV,
		  .code = LX_SI_KERNEL },
		{ "load(A) = SIGBUS(BUS_ADRERR)", PROG_RES_SIGNAL, .signo = LX_SIGBUS,
		  .code = LX_BUS_ADRERR },
		{ "load(A) = SIGBUS(BUS_ADRALN)", PROG_RES_SIGNAL, .signo = LX_SIGBUS,
		  .code = LX_BUS_ADRALN },
		{ "load(A) = SIGBUS(BUS_OBJERR)", PROG_RES_SIGNAL, .signo = LX_SIGBUS,
		  .code = LX_BUS_OBJERR },
		{ "load(A) = SIGBUS(BUS_MCEERR_AR)", PROG_RES_SIGNAL, .signo = LX_SIGBUS,
		  .code = LX_BUS_MCEERR_AR },
		{ "fetch(A) = SIGTRAP(TRAP_BRKPT)", PROG_RES_SIGNAL, .signo = LX_SIGTRAP, .code = 1 },
		{ "fetch(A) = SIGSEGV( SEGV_ACCERR )", PROG_RES_SIGNAL, .signo = LX_SIGSEGV,
		  .code = LX_SEGV_ACCERR },
		{ "mmap(NULL, 1p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = $new",
		  PROG_RES_BIND, .var = 5 },
		{ "munmap(A, 1p) = $new # comment", PROG_RES_BIND, .var = 5 },
		{ "mremap($x, 1p, 2p, MREMAP_MAYMOVE) = $x", PROG_RES_VALUE, 0 },
		{ "fork() = $d", PROG_RES_BIND, .var = 5 },
		{ "fork() = ?", PROG_RES_ANY },
		{ "fork()", PROG_RES_NONE },
		{ "maps(A, 4p) = \"aab.\"", PROG_RES_LAYOUT, .str = "aab." },
		{ "maps(A, 2p+1p) = \"AbC\"", PROG_RES_LAYOUT, .str = "AbC" },
		{ "maps(NULL, 1p) = \".\"", PROG_RES_LAYOUT, .str = "." },
		{ "wait($c) = 3", PROG_RES_VALUE, 3 },
		{ "munmap(A, 1p)=0", PROG_RES_VALUE, 0 },
		{ "store(A, 1) = MAP_SHARED", PROG_RES_VALUE, 1 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char text[512];
		snprintf(text, sizeof(text), PRELUDE "  %s\n", rows[i].step);
		prog_file *f = parse(text);
		const prog_step *s = last_step(f);
		CHECK_MSG(s != NULL, "row %zu: %s", i, rows[i].step);
		if (!s) {
			prog_file_free(f);
			continue;
		}
		const prog_result *r = &s->res;
		CHECK_MSG(r->kind == rows[i].kind, "%s: kind %u, want %d", rows[i].step, r->kind,
			  rows[i].kind);
		switch (rows[i].kind) {
		case PROG_RES_VALUE:
			CHECK_MSG(r->value.k == rows[i].k && r->value.arena == rows[i].arena,
				  "%s: value", rows[i].step);
			break;
		case PROG_RES_ERRNO:
			CHECK_EQ_U64(r->nerrno, rows[i].nerr);
			for (int e = 0; e < rows[i].nerr; e++)
				CHECK_EQ_U64(r->errnos[e], rows[i].err[e]);
			break;
		case PROG_RES_SIGNAL:
			CHECK_EQ_U64(r->signo, rows[i].signo);
			CHECK_EQ_U64(r->si_code, rows[i].code);
			break;
		case PROG_RES_BIND:
			CHECK_EQ_U64(r->var, rows[i].var);
			CHECK_STR(f->cases[0].var[r->var], s->op == PROG_FORK ? "d" : "new");
			CHECK_EQ_U64(f->cases[0].var_kind[r->var],
				     s->op == PROG_FORK ? PROG_VAR_PROC : PROG_VAR_VALUE);
			break;
		case PROG_RES_LAYOUT:
			CHECK_STR(s->str, rows[i].str);
			break;
		}
		roundtrip(&f->cases[0]);
		prog_file_free(f);
	}
}

TEST(test_bind_then_compare)
{
	prog_file *f = parse("case b\n"
			     "  mmap(NULL, 2p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = $x\n"
			     "  mremap($x, 2p, 4p, MREMAP_MAYMOVE) = $x\n"
			     "  munmap($x+1p, 1p) = 0\n"
			     "  fork() = $child\n"
			     "  [$child] store($x, 7) = 0\n"
			     "  [$child] exit(3)\n"
			     "  wait($child) = 3\n");
	if (!f)
		return;
	const prog_case *c = &f->cases[0];
	CHECK_EQ_U64(c->nvars, 2);
	CHECK_STR(c->var[0], "x");
	CHECK_STR(c->var[1], "child");
	CHECK_EQ_U64(c->var_kind[0], PROG_VAR_VALUE);
	CHECK_EQ_U64(c->var_kind[1], PROG_VAR_PROC);
	CHECK_EQ_U64(c->steps[0].res.kind, PROG_RES_BIND);
	CHECK_EQ_U64(c->steps[1].res.kind, PROG_RES_VALUE);
	CHECK_EQ_U64(c->steps[1].res.value.nterms, 1);
	CHECK_EQ_U64(c->steps[1].res.value.term[0].var, 0);
	CHECK_EQ_U64(c->steps[4].proc, 1);
	CHECK_EQ_U64(c->steps[5].proc, 1);
	CHECK_EQ_U64(c->steps[6].proc, PROG_ROOT);
	CHECK_EQ_U64(c->steps[6].arg[0].term[0].var, 1);
	CHECK_EQ_U64(c->steps[6].line, 8);
	CHECK_EQ_U64(c->line, 1);
	roundtrip(c);
	prog_file_free(f);
}

/* ---------------------------------------------------------------------- */
/* Requires and case structure                                             */

TEST(test_requires)
{
	prog_file *f = parse("# leading comment\n"
			     "\n"
			     "case r1   # trailing comment\n"
			     "  requires linux >= 6.10\n"
			     "\trequires linux < 6.1.5\n"
			     "  requires linux == 5.15.200\n"
			     "  requires linux <= 6.0\n"
			     "  requires linux>6.12\n"
			     "  requires cap CAP_IPC_LOCK\n"
			     "  requires cap CAP_SYS_RAWIO # why\n"
			     "  requires config SOFT_DIRTY\n"
			     "  munmap(A, 1p)\n"
			     "case r2\n"
			     "  requires cap CAP_SYS_ADMIN\n"
			     "  requires cap CAP_SYS_RESOURCE\n"
			     "  requires config CONFIG_MEM_SOFT_DIRTY\n"
			     "  requires linux >= 6.10.0\n"
			     "case empty.case_name-1\n");
	if (!f)
		return;
	CHECK_EQ_U64(f->ncases, 3);
	const prog_case *c = &f->cases[0];
	CHECK_STR(c->name, "r1");
	CHECK_EQ_U64(c->line, 3);
	CHECK_EQ_U64(c->nreq, 8);
	CHECK(c->req[0].kind == PROG_REQ_LINUX && c->req[0].cmp == PROG_GE &&
	      c->req[0].version == PROG_VERSION(6, 10, 0));
	CHECK(c->req[1].cmp == PROG_LT && c->req[1].version == PROG_VERSION(6, 1, 5));
	CHECK(c->req[2].cmp == PROG_EQ && c->req[2].version == PROG_VERSION(5, 15, 200));
	CHECK(c->req[3].cmp == PROG_LE && c->req[3].version == PROG_VERSION(6, 0, 0));
	CHECK(c->req[4].cmp == PROG_GT && c->req[4].version == PROG_VERSION(6, 12, 0));
	CHECK(c->req[5].kind == PROG_REQ_CAP && c->req[5].cap == LX_CAP_IPC_LOCK);
	CHECK_STR(c->req[5].name, "CAP_IPC_LOCK");
	CHECK(c->req[6].kind == PROG_REQ_CAP && c->req[6].cap == LX_CAP_SYS_RAWIO);
	CHECK(c->req[7].kind == PROG_REQ_CONFIG);
	CHECK_STR(c->req[7].name, "SOFT_DIRTY");
	CHECK_EQ_U64(c->req[7].line, 11);
	c = &f->cases[1];
	CHECK(c->req[0].cap == LX_CAP_SYS_ADMIN && c->req[1].cap == LX_CAP_SYS_RESOURCE);
	CHECK_STR(c->req[2].name, "CONFIG_MEM_SOFT_DIRTY");
	CHECK_EQ_U64(c->nsteps, 0);
	CHECK_STR(f->cases[2].name, "empty.case_name-1");
	CHECK_STR(f->path, "t.mmt");
	roundtrip_file(f);

	char *text = prog_case_to_string(&f->cases[0]);
	CHECK_STR(text, "case r1\n"
			"  requires linux >= 6.10\n"
			"  requires linux < 6.1.5\n"
			"  requires linux == 5.15.200\n"
			"  requires linux <= 6.0\n"
			"  requires linux > 6.12\n"
			"  requires cap CAP_IPC_LOCK\n"
			"  requires cap CAP_SYS_RAWIO\n"
			"  requires config SOFT_DIRTY\n"
			"  munmap(A, 1p)\n");
	free(text);
	prog_file_free(f);

	/* an empty file and a file of comments have no cases */
	f = parse("");
	if (f)
		CHECK_EQ_U64(f->ncases, 0);
	prog_file_free(f);
	f = parse("# nothing\n\n   \n# here");
	if (f)
		CHECK_EQ_U64(f->ncases, 0);
	prog_file_free(f);
}

/* `xfail target GLOB  # why`: parsed, printed with its reason, encoded, decoded. */
TEST(test_xfail)
{
	prog_file *f = parse("case x1\n"
			     "  requires linux >= 6.1\n"
			     "  xfail target qemu-user   # qemu maps   it differently  \n"
			     "\txfail target vm:6.1.*\n"
			     "  munmap(A, 1p)\n"
			     "case x2\n"
			     "  munmap(A, 1p)\n");
	if (!f)
		return;
	const prog_case *c = &f->cases[0];
	CHECK_EQ_U64(c->nxfail, 2);
	CHECK_STR(c->xfail[0].target, "qemu-user");
	CHECK_STR(c->xfail[0].why, "qemu maps   it differently");
	CHECK_EQ_U64(c->xfail[0].line, 3);
	CHECK_STR(c->xfail[1].target, "vm:6.1.*");
	CHECK_STR(c->xfail[1].why, "");
	CHECK_EQ_U64(f->cases[1].nxfail, 0);
	/* Printed: requires, then xfail lines with the reason as a comment. */
	char *text = prog_case_to_string(c);
	CHECK(text && strstr(text, "  requires linux >= 6.1\n  xfail target qemu-user  # qemu maps   it differently\n"
				   "  xfail target vm:6.1.*\n  munmap(A, 1p)"));
	/* The printed form parses back to the same case. */
	prog_file *g = text ? parse(text) : NULL;
	CHECK(g && g->ncases == 1 && prog_case_equal(&g->cases[0], c));
	/* Encoded and decoded, with and without source lines. */
	size_t len;
	uint8_t *buf = encode(c, &len);
	prog_case d;
	const char *why = NULL;
	CHECK(buf && prog_decode(buf, len, &d, &why) == 0);
	if (buf && !why) {
		CHECK(prog_case_equal(&d, c));
		CHECK_EQ_U64(d.xfail[0].line, 3);
		prog_case_clear(&d);
	}
	free(buf);
	/* A case without xfail encodes as before: no FLAG_XFAIL bit. */
	buf = encode(&f->cases[1], &len);
	CHECK(buf && len > 5 && (buf[5] & 0x02) == 0);
	free(buf);
	/* Harness matching: a glob over the target name. */
	CHECK(harness_xfail_match(c, "qemu-user") == &c->xfail[0]);
	CHECK(harness_xfail_match(c, "vm:6.1.0-57-cloud-amd64") == &c->xfail[1]);
	CHECK(harness_xfail_match(c, "vm:6.12.118+deb12-cloud-amd64") == NULL);
	CHECK(harness_xfail_match(c, "host") == NULL);
	free(text);
	if (g)
		prog_file_free(g);
	prog_file_free(f);
}

TEST(test_contract_example)
{
	/* The example of ARCHITECTURE.md, verbatim. */
	prog_file *f = parse(
		"# A comment runs to the end of the line.\n"
		"case mprotect-stops-at-hole          # starts a case; names are [a-z0-9._-]+\n"
		"  requires linux >= 6.10             # optional; skip where not met\n"
		"  mmap(A, 4p, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0) = A\n"
		"  munmap(A+2p, 1p) = 0\n"
		"  mprotect(A, 4p, PROT_READ) = -1 ENOMEM\n"
		"  store(A, 0x41) = SIGSEGV(SEGV_ACCERR)\n"
		"  store(A+3p, 0x41) = 0\n"
		"  load(A+3p) = 0x41\n"
		"  mmap(NULL, 2p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = $x\n"
		"  munmap($x, 2p)\n"
		"  fork() = $c\n"
		"  [$c] store(A+3p, 7) = 0\n"
		"  load(A+3p) = 0x41\n"
		"  maps()\n");
	if (!f)
		return;
	const prog_case *c = &f->cases[0];
	CHECK_STR(c->name, "mprotect-stops-at-hole");
	CHECK_EQ_U64(c->nsteps, 12);
	CHECK_EQ_U64(c->nvars, 2);
	CHECK_EQ_U64(c->steps[11].op, PROG_MAPS);
	roundtrip(c);
	char *text = prog_case_to_string(c);
	CHECK_STR(text,
		  "case mprotect-stops-at-hole\n"
		  "  requires linux >= 6.10\n"
		  "  mmap(A, 4p, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = A\n"
		  "  munmap(A+2p, 1p) = 0\n"
		  "  mprotect(A, 4p, PROT_READ) = -1 ENOMEM\n"
		  "  store(A, 0x41) = SIGSEGV(SEGV_ACCERR)\n"
		  "  store(A+3p, 0x41) = 0\n"
		  "  load(A+3p) = 0x41\n"
		  "  mmap(NULL, 2p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = $x\n"
		  "  munmap($x, 2p)\n"
		  "  fork() = $c\n"
		  "  [$c] store(A+3p, 0x7) = 0\n"
		  "  load(A+3p) = 0x41\n"
		  "  maps()\n");
	free(text);
	prog_file_free(f);
}

TEST(test_strace_paste)
{
	/* Lines as strace -f -e trace=memory prints them. */
	prog_file *f = parse(
		"case pasted\n"
		"mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f5a1c3d2000\n"
		"mprotect(0x7f5a1c3d2000, 4096, PROT_NONE) = 0\n"
		"munmap(0x7f5a1c3d2000, 8192)            = 0\n"
		"brk(NULL)                               = 0x55d0c0a3b000\n"
		"mmap(0x7f5a1c3d2000, 4096, PROT_READ, MAP_PRIVATE|MAP_FIXED_NOREPLACE|MAP_ANONYMOUS, -1, 0) = -1 EEXIST (File exists)\n"
		"mremap(0x7f5a1c3d2000, 4096, 8192, MREMAP_MAYMOVE) = 0x7f5a1c3d0000\n"
		"madvise(0x7f5a1c3d0000, 8192, MADV_DONTNEED) = 0\n"
		"mlockall(MCL_CURRENT|MCL_FUTURE)        = -1 ENOMEM (Cannot allocate memory)\n"
		"memfd_create(\"shm\", MFD_CLOEXEC)        = 3\n"
		"ftruncate(3, 16384)                     = 0\n"
		"mmap(NULL, 16384, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0) = 0x7f5a1c3ce000\n"
		"exit(0)                                 = ?\n");
	if (!f)
		return;
	const prog_case *c = &f->cases[0];
	CHECK_EQ_U64(c->nsteps, 12);
	CHECK_EQ_U64(c->steps[0].res.value.k, 0x7f5a1c3d2000);
	CHECK_EQ_U64(c->steps[4].res.kind, PROG_RES_ERRNO);
	CHECK_EQ_U64(c->steps[4].res.errnos[0], LX_EEXIST);
	CHECK_EQ_U64(c->steps[5].nargs, 5);
	CHECK_EQ_U64(c->steps[5].arg[4].k, 0);
	CHECK_STR(c->steps[8].str, "shm");
	CHECK_EQ_U64(c->steps[11].res.kind, PROG_RES_ANY);
	roundtrip(c);
	char *line = prog_step_to_string(c, &c->steps[4]);
	CHECK_STR(line, "mmap(0x7f5a1c3d2000, 1p, PROT_READ, "
			"MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0) = -1 EEXIST");
	free(line);
	prog_file_free(f);
}

/* ---------------------------------------------------------------------- */
/* Errors                                                                  */

TEST(test_errors)
{
	static const struct {
		const char *text;
		uint32_t line, col;
		const char *msg;
	} rows[] = {
		/* case structure */
		{ "munmap(A, 1p)\n", 1, 1, "step before any `case`" },
		{ "  requires linux >= 6.10\n", 1, 3, "`requires` outside a case" },
		{ "case Bad\n", 1, 6, "bad character `B` in case name" },
		{ "case a/b\n", 1, 7, "bad character `/` in case name" },
		{ "case\n", 1, 5, "expected a case name" },
		{ "case   # no name\n", 1, 8, "expected a case name" },
		{ "case a b\n", 1, 8, "unexpected `b` after the case name" },
		{ "case a\ncase a\n", 2, 6, "duplicate case name `a` (first at line 1)" },
		{ "case t\n  munmap(A, 1p)\n  requires linux >= 6.10\n", 3, 3,
		  "`requires` must come before the first step" },
		/* requires */
		{ "case t\n  requires linux >= 6\n", 2, 21, "bad kernel version `6`" },
		{ "case t\n  requires linux >= 6.\n", 2, 21, "bad kernel version" },
		{ "case t\n  requires linux >= 6.1.2.3\n", 2, 21, "bad kernel version" },
		{ "case t\n  requires linux >= 6.x\n", 2, 21, "bad kernel version" },
		{ "case t\n  requires linux >= 6.256\n", 2, 21, "out of range" },
		{ "case t\n  requires linux >= 65536.1\n", 2, 21, "out of range" },
		{ "case t\n  requires linux ~ 6.1\n", 2, 18, "expected <, <=, ==, >= or >" },
		{ "case t\n  requires linux >=\n", 2, 20, "expected a kernel version" },
		{ "case t\n  requires cap CAP_FOO\n", 2, 16, "unknown capability `CAP_FOO`" },
		{ "case t\n  requires cap\n", 2, 15, "expected a capability" },
		{ "case t\n  requires config soft_dirty\n", 2, 19, "bad character" },
		{ "case t\n  requires config\n", 2, 18, "expected a config name" },
		{ "case t\n  requires kernel 6.1\n", 2, 12, "unknown requirement `kernel`" },
		{ "case t\n  requires\n", 2, 11, "expected linux, cap or config" },
		{ "case t\n  requires linux >= 6.1 extra\n", 2, 25, "unexpected `extra`" },
		{ "case t\n  requires cap CAP_IPC_LOCK x\n", 2, 29, "unexpected `x`" },
		{ "case t\n"
		  "  requires cap CAP_IPC_LOCK\n  requires cap CAP_IPC_LOCK\n"
		  "  requires cap CAP_IPC_LOCK\n  requires cap CAP_IPC_LOCK\n"
		  "  requires cap CAP_IPC_LOCK\n  requires cap CAP_IPC_LOCK\n"
		  "  requires cap CAP_IPC_LOCK\n  requires cap CAP_IPC_LOCK\n"
		  "  requires cap CAP_IPC_LOCK\n", 10, 3, "more than 8 requires" },
		/* xfail */
		{ "  xfail target host\n", 1, 3, "`xfail` outside a case" },
		{ "case t\n  munmap(A, 1p)\n  xfail target host\n", 3, 3, "`xfail` must come before the first step" },
		{ "case t\n  xfail host\n", 2, 9, "expected `target` after `xfail`" },
		{ "case t\n  xfail target\n", 2, 15, "expected a target name or glob" },
		{ "case t\n  xfail target   # why\n", 2, 18, "expected a target name or glob" },
		{ "case t\n  xfail target a b\n", 2, 18, "unexpected `b` after the target" },
		{ "case t\n  xfail target a\n  xfail target a\n", 3, 16, "duplicate xfail target `a` (first at line 2)" },
		{ "case t\n  xfail target a\n  xfail target b\n  xfail target c\n  xfail target d\n"
		  "  xfail target e\n", 6, 3, "more than 4 xfail lines" },
		/* operations and argument lists */
		{ "case t\n  foo(1)\n", 2, 3, "unknown operation `foo`" },
		{ "case t\n  munmapp(A, 1p)\n", 2, 3, "unknown operation `munmapp`" },
		{ "case t\n  munmap A\n", 2, 10, "expected `(` after the operation name" },
		{ "case t\n  = 0\n", 2, 3, "expected an operation" },
		{ "case t\n  mmap(A, 4p, PROT_READ, MAP_PRIVATE, -1)\n", 2, 41,
		  "too few arguments: mmap takes 6 arguments, got 5" },
		{ "case t\n  munmap(A, 1p, 3)\n", 2, 17, "too many arguments: munmap takes 2 arguments" },
		{ "case t\n  exit(1, 2)\n", 2, 11, "too many arguments: exit takes 1 argument" },
		{ "case t\n  munlockall(0)\n", 2, 14, "munlockall takes 0 arguments" },
		{ "case t\n  maps(A)\n", 2, 9, "maps takes 0 or 2 arguments, got 1" },
		{ "case t\n  mremap(A, 1p, 2p)\n", 2, 19, "mremap takes 4 or 5 arguments, got 3" },
		{ "case t\n  mseal(A)\n", 2, 10, "mseal takes 2 or 3 arguments, got 1" },
		{ "case t\n  munmap(A, 1p\n", 2, 15, "missing `)`" },
		{ "case t\n  munmap(A, 1p # comment)\n", 2, 16, "missing `)`" },
		{ "case t\n  munmap(A 1p)\n", 2, 12, "expected `,` or `)`, found `1p`" },
		{ "case t\n  munmap(A, )\n", 2, 13, "expected an expression, found `)`" },
		{ "case t\n  munmap(, 1p)\n", 2, 10, "expected an expression, found `,`" },
		{ "case t\n  munmap(-, 1p)\n", 2, 11, "expected an expression, found `,`" },
		{ "case t\n  munmap(A, 1p) junk\n", 2, 17, "unexpected `junk` after the call" },
		{ "case t\n  munmap(A, 1p) =\n", 2, 18,
		  "expected an expression, found the end of the line" },
		/* numbers and units */
		{ "case t\n  munmap(A, 4q)\n", 2, 14, "unknown unit `q`" },
		{ "case t\n  munmap(A, 4pp)\n", 2, 14, "unknown unit `pp`" },
		{ "case t\n  munmap(A, 4k)\n", 2, 14, "unknown unit `k`" },
		{ "case t\n  munmap(A, 12abc3)\n", 2, 13, "bad number `12abc3`" },
		{ "case t\n  munmap(A, 4p_)\n", 2, 13, "bad number `4p_`" },
		{ "case t\n  munmap(A, 99999999999999999999)\n", 2, 13, "does not fit in 64 bits" },
		{ "case t\n  munmap(A, 18446744073709551616)\n", 2, 13, "does not fit in 64 bits" },
		{ "case t\n  munmap(A, 0x10000000000000000)\n", 2, 13, "does not fit in 64 bits" },
		{ "case t\n  munmap(A, 0x10000000000000p)\n", 2, 13, "does not fit in 64 bits" },
		{ "case t\n  munmap(A, 17179869184G)\n", 2, 13, "does not fit in 64 bits" },
		{ "case t\n  munmap(A, 0x)\n", 2, 13, "no hex digits" },
		{ "case t\n  munmap(A, 0xg)\n", 2, 13, "no hex digits" },
		{ "case t\n  munmap(A, 0755)\n", 2, 13, "leading zero" },
		{ "case t\n  munmap(A, (A)p)\n", 2, 16, "unit needs a constant" },
		{ "case t\n  munmap(A, (1)q)\n", 2, 16, "unknown unit `q`" },
		{ "case t\n  munmap(A, (1+2)\n", 2, 18, "missing `)`" },
		{ "case t\n  munmap(A, (1+2, 3)\n", 2, 17, "missing `)`, found `,`" },
		{ "case t\n  munmap(A, 1p))\n", 2, 16, "unexpected `)` after the call" },
		/* names and flags */
		{ "case t\n  munmap(A, MAP_FOO)\n", 2, 13, "unknown flag `MAP_FOO`" },
		{ "case t\n  mprotect(A, 1p, PROT_READ|PROT_RAED)\n", 2, 29, "unknown flag `PROT_RAED`" },
		{ "case t\n  munmap(A, foo)\n", 2, 13, "unknown name `foo`" },
		{ "case t\n  munmap(a, 1p)\n", 2, 10, "unknown name `a`" },
		{ "case t\n  munmap(Ap, 1p)\n", 2, 10, "unknown name `Ap`" },
		{ "case t\n  munmap(A, ENOMEM)\n", 2, 13, "is an errno" },
		{ "case t\n  munmap(A|1, 1p)\n", 2, 11, "`|` needs constant operands" },
		{ "case t\n  munmap(1|A, 1p)\n", 2, 11, "`|` needs constant operands" },
		{ "case t\n  munmap(A, @)\n", 2, 13, "unexpected character `@`" },
		{ "case t\n  munmap(A, 1p) @\n", 2, 17, "unexpected character `@`" },
		{ "case t\n  munmap(A, 1p * 2)\n", 2, 16, "unexpected character `*`" },
		/* variables */
		{ "case t\n  munmap($x, 1p)\n", 2, 10, "$x used before it is bound" },
		{ "case t\n  munmap(A, 1p) = $x+1\n", 2, 19, "$x used before it is bound" },
		{ "case t\n  munmap(A, $X)\n", 2, 13, "bad variable name `$X`" },
		{ "case t\n  munmap(A, $1a)\n", 2, 13, "bad variable name `$1a`" },
		{ "case t\n  munmap(A, $)\n", 2, 13, "expected a variable name after `$`" },
		{ "case t\n  munmap(A, 1p) = $x $y\n", 2, 22, "unexpected `$y` after the result" },
		{ "case t\n  munmap(A, 1p) = $x 5\n", 2, 22, "unexpected `5` after the result" },
		{ "case t\n  fork() = $c\n  munmap($c, 1p)\n", 3, 10,
		  "$c is a process variable; it cannot be used in an expression" },
		{ "case t\n  fork() = $c\n  munmap(A, 1p) = $c\n", 3, 19,
		  "$c is a process variable" },
		{ "case t\n  fork() = $c\n  munmap(A+$c, 1p)\n", 3, 12, "$c is a process variable" },
		{ "case t\n  [$c] munmap(A, 1p)\n", 2, 4, "$c used before it is bound" },
		{ "case t\n  munmap(A, 1p) = $v\n  [$v] munmap(A, 1p)\n", 3, 4,
		  "$v is not a process variable" },
		{ "case t\n  fork() = $c\n  [$c munmap(A, 1p)\n", 3, 7, "expected `]`" },
		{ "case t\n  [A] munmap(A, 1p)\n", 2, 4, "expected a process variable" },
		{ "case t\n  [pid 123] munmap(A, 1p)\n", 2, 4, "`[pid N]` prefix is not supported" },
		{ "case t\n  fork() = $c\n  [$c]\n", 3, 7, "expected an operation" },
		{ "case t\n  wait(A)\n", 2, 8, "expected a process variable" },
		{ "case t\n  wait($c)\n", 2, 8, "$c used before it is bound" },
		{ "case t\n  munmap(A, 1p) = $v\n  wait($v)\n", 3, 8, "$v is not a process variable" },
		{ "case t\n  fork() = $c\n  wait($c+1)\n", 3, 10, "expected `,` or `)`" },
		/* fork */
		{ "case t\n  fork() = 5\n", 2, 12, "result of fork() must be `?` or a new $variable" },
		{ "case t\n  fork() = -1 EAGAIN\n", 2, 12, "result of fork()" },
		{ "case t\n  fork() = $c\n  fork() = $c\n", 3, 12, "$c is already bound" },
		/* strings */
		{ "case t\n  memfd_create(f, 0)\n", 2, 16, "expected a double-quoted string" },
		{ "case t\n  memfd_create(\"abc, 0)\n", 2, 16, "unterminated string" },
		{ "case t\n  memfd_create(\"abc\\\n", 2, 16, "unterminated string" },
		{ "case t\n  memfd_create(\"a\\tb\", 0)\n", 2, 18, "unknown escape `\\t`" },
		{ "case t\n  memfd_create(\"a\tb\", 0)\n", 2, 18, "control character 0x09" },
		{ "case t\n  memfd_create(\"a\"b, 0)\n", 2, 19, "expected `,` or `)`, found `b`" },
		{ "case t\n  munmap(\"x\", 1p)\n", 2, 10, "a string is only allowed" },
		{ "case t\n  memfd_create(\"a\", \"b\")\n", 2, 21, "a string is only allowed" },
		{ "case t\n  memfd_create(\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", 0)\n",
		  2, 16, "string longer than 127 bytes" },
		/* results */
		{ "case t\n  munmap(A, 1p) = -1 EFOO\n", 2, 22, "unknown errno `EFOO`" },
		{ "case t\n  munmap(A, 1p) = -1 ENOMEM|EFOO\n", 2, 29, "unknown errno `EFOO`" },
		{ "case t\n  munmap(A, 1p) = -1 ENOMEM|\n", 2, 29,
		  "expected an errno name, found the end of the line" },
		{ "case t\n  munmap(A, 1p) = -1 ENOMEM|EINVAL|EPERM|EACCES|EAGAIN\n", 2, 49,
		  "more than 4 errnos" },
		{ "case t\n  munmap(A, 1p) = -1 ENOMEM (Cannot allocate memory\n", 2, 29,
		  "missing `)` after the error description" },
		{ "case t\n  munmap(A, 1p) = -1 ENOMEM (Cannot allocate memory) x\n", 2, 54,
		  "unexpected `x` after the result" },
		{ "case t\n  munmap(A, 1p) = -1 ENOMEM extra\n", 2, 29, "unexpected `extra` after the result" },
		{ "case t\n  munmap(A, 1p) = -2 ENOMEM\n", 2, 22, "unexpected `ENOMEM` after the result" },
		{ "case t\n  munmap(A, 1p) = 0 0\n", 2, 21, "unexpected `0` after the result" },
		{ "case t\n  munmap(A, 1p) = ?x\n", 2, 20, "unexpected `x` after the result" },
		{ "case t\n  munmap(A, 1p) = = 0\n", 2, 19, "expected an expression, found `=`" },
		{ "case t\n  store(A, 1) = SIGSEGV(SEGV_FOO)\n", 2, 25, "unknown si_code `SEGV_FOO` for SIGSEGV" },
		{ "case t\n  store(A, 1) = SIGSEGV(BUS_ADRERR)\n", 2, 25, "unknown si_code `BUS_ADRERR`" },
		{ "case t\n  store(A, 1) = SIGSEGV\n", 2, 24, "expected `(` and an si_code after SIGSEGV" },
		{ "case t\n  store(A, 1) = SIGSEGV()\n", 2, 25, "expected an si_code, found `)`" },
		{ "case t\n  store(A, 1) = SIGSEGV(SEGV_MAPERR\n", 2, 36, "missing `)`" },
		{ "case t\n  store(A, 1) = SIGKILL(SI_USER)\n", 2, 17, "SIGKILL is not a fault" },
		{ "case t\n  store(A, 1) = SIGSEGV(SEGV_MAPERR) (x)\n", 2, 38, "unexpected `(` after the result" },
		/* layout drawings */
		{ "case t\n  munmap(A, 1p) = \"a\"\n", 2, 19, "a string result is only allowed for maps" },
		{ "case t\n  memfd_create(\"f\", 0) = \"a\"\n", 2, 26, "only allowed for maps" },
		{ "case t\n  maps() = \"a\"\n", 2, 12, "a layout drawing needs a window" },
		{ "case t\n  maps(A, 2p) = \"a\"\n", 2, 17, "layout drawing has 1 pages but LEN is 2 pages" },
		{ "case t\n  maps(A, 100) = \"a\"\n", 2, 11, "nonzero multiple of 1p" },
		{ "case t\n  maps(A, 0) = \"\"\n", 2, 11, "nonzero multiple of 1p" },
		{ "case t\n  munmap(A, 1p) = $x\n  maps(A, $x) = \"a\"\n", 3, 11,
		  "the LEN of maps must be a constant" },
		{ "case t\n  maps(A, A) = \"a\"\n", 2, 11, "the LEN of maps must be a constant" },
		{ "case t\n  maps(A, 2p) = \"a1\"\n", 2, 19, "bad character `1` in layout drawing" },
		{ "case t\n  maps(A, 2p) = \"a \"\n", 2, 19, "bad character ` ` in layout drawing" },
		{ "case t\n  maps(A, 1p) = \"\\n\"\n", 2, 18, "bad character in layout drawing" },
		{ "case t\n  maps(A, 1p) = \"\"\n", 2, 17, "empty layout drawing" },
		{ "case t\n  maps(A, 1p) = \"a\n", 2, 17, "unterminated string" },
		{ "case t\n  maps(A, 1p) = \"a\" \"b\"\n", 2, 21, "unexpected `\"b\"` after the result" },
		/* expression limits */
		{ PRELUDE "  munmap($x+$y+$z+$w, 1p)\n", PRELUDE_LINES + 1, 10,
		  "more than 3 variables in one expression" },
		{ PRELUDE "  munmap(A, 1p) = $x+$y+$z+$w\n", PRELUDE_LINES + 1, 19,
		  "more than 3 variables in one expression" },
		/* a later error after a good case */
		{ "case good\n  munmap(A, 1p)\n\ncase bad\n  munmap(A, 1p) = -1 EFOO\n", 5, 22,
		  "unknown errno" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		prog_diag d = parse_err(rows[i].text, strlen(rows[i].text));
		char msg[600];
		prog_diag_format(&d, msg, sizeof(msg));
		CHECK_MSG(d.line == rows[i].line && d.col == rows[i].col &&
				  strstr(d.msg, rows[i].msg) != NULL,
			  "row %zu: got %s\n  want t.mmt:%u:%u: ...%s...\n  text: %s", i, msg,
			  rows[i].line, rows[i].col, rows[i].msg, rows[i].text);
		CHECK_STR(d.file, "t.mmt");
	}
}

/* Errors that need built-up text or bytes the table cannot hold. */
TEST(test_errors_generated)
{
	char *text = malloc(200000);
	prog_diag d;

	/* coefficient range: 127 A's are fine, 128 are not */
	strcpy(text, "case t\n  munmap(A");
	for (int i = 1; i < 127; i++)
		strcat(text, "+A");
	strcat(text, ", 1p)\n");
	prog_file *f = parse(text);
	if (f) {
		CHECK_EQ_U64(f->cases[0].steps[0].arg[0].arena, 127);
		roundtrip(&f->cases[0]);
	}
	prog_file_free(f);
	strcpy(text, "case t\n  munmap(A");
	for (int i = 1; i < 128; i++)
		strcat(text, "+A");
	strcat(text, ", 1p)\n");
	d = parse_err(text, strlen(text));
	CHECK(d.line == 2 && d.col == 10 && strstr(d.msg, "coefficient of A out of range"));
	/* -128 is in range */
	strcpy(text, "case t\n  munmap(-A");
	for (int i = 1; i < 128; i++)
		strcat(text, "-A");
	strcat(text, ", 1p)\n");
	f = parse(text);
	if (f) {
		CHECK_EQ_U64(f->cases[0].steps[0].arg[0].arena, (uint64_t)(int64_t)-128);
		roundtrip(&f->cases[0]);
	}
	prog_file_free(f);
	strcpy(text, PRELUDE "  munmap($x");
	for (int i = 1; i < 128; i++)
		strcat(text, "+$x");
	strcat(text, ", 1p)\n");
	d = parse_err(text, strlen(text));
	CHECK(d.line == PRELUDE_LINES + 1 && d.col == 10 &&
	      strstr(d.msg, "coefficient of $x out of range"));

	/* nesting depth */
	strcpy(text, "case t\n  munmap(");
	for (int i = 0; i < 100; i++)
		strcat(text, "(");
	strcat(text, "1");
	for (int i = 0; i < 100; i++)
		strcat(text, ")");
	strcat(text, ", 1p)\n");
	d = parse_err(text, strlen(text));
	CHECK(d.line == 2 && strstr(d.msg, "nested more than"));
	CHECK_EQ_U64(d.col, 10 + 64);
	/* a long unary chain hits the same limit instead of the stack */
	strcpy(text, "case t\n  munmap(");
	memset(text + 16, '-', 50000);
	strcpy(text + 16 + 50000, "1, 1p)\n");
	d = parse_err(text, strlen(text));
	CHECK(d.line == 2 && strstr(d.msg, "nested more than"));

	/* case name length */
	strcpy(text, "case ");
	for (int i = 0; i < 63; i++)
		strcat(text, "a");
	strcat(text, "\n");
	f = parse(text);
	prog_file_free(f);
	strcpy(text, "case ");
	for (int i = 0; i < 64; i++)
		strcat(text, "a");
	strcat(text, "\n");
	d = parse_err(text, strlen(text));
	CHECK(d.line == 1 && d.col == 6 && strstr(d.msg, "longer than 63"));

	/* variable name length */
	strcpy(text, "case t\n  munmap(A, 1p) = $");
	for (int i = 0; i < 64; i++)
		strcat(text, "v");
	strcat(text, "\n");
	d = parse_err(text, strlen(text));
	CHECK(d.line == 2 && d.col == 19 && strstr(d.msg, "variable name longer than 63"));

	/* 64 variables are fine, the 65th is not */
	strcpy(text, "case t\n");
	for (int i = 0; i < 64; i++)
		sprintf(text + strlen(text), "  munmap(A, 1p) = $v%d\n", i);
	f = parse(text);
	if (f) {
		CHECK_EQ_U64(f->cases[0].nvars, 64);
		roundtrip(&f->cases[0]);
	}
	prog_file_free(f);
	strcat(text, "  munmap(A, 1p) = $v64\n");
	d = parse_err(text, strlen(text));
	CHECK(d.line == 66 && d.col == 19 && strstr(d.msg, "more than 64 variables"));

	/* 4096 steps are fine, the 4097th is not */
	size_t cap = 4200 * 16;
	char *big = malloc(cap);
	strcpy(big, "case t\n");
	size_t n = strlen(big);
	for (int i = 0; i < PROG_MAX_STEPS; i++) {
		memcpy(big + n, "  load(A)\n", 10);
		n += 10;
	}
	big[n] = '\0';
	f = parse(big);
	if (f)
		CHECK_EQ_U64(f->cases[0].nsteps, PROG_MAX_STEPS);
	prog_file_free(f);
	strcpy(big + n, "  load(A)\n");
	d = parse_err(big, strlen(big));
	CHECK(d.line == PROG_MAX_STEPS + 2 && strstr(d.msg, "more than 4096 steps"));
	free(big);

	/* a NUL byte is reported where it is */
	static const char nul[] = "case t\n  munmap(A,\0 1p)\n";
	d = parse_err(nul, sizeof(nul) - 1);
	CHECK(d.line == 2 && d.col == 12 && strstr(d.msg, "unexpected byte 0x00"));
	static const char nulstr[] = "case t\n  memfd_create(\"a\0\", 0)\n";
	d = parse_err(nulstr, sizeof(nulstr) - 1);
	CHECK(d.line == 2 && d.col == 18 && strstr(d.msg, "control character 0x00"));
	static const char nulname[] = "case a\0b\n";
	d = parse_err(nulname, sizeof(nulname) - 1);
	CHECK(d.line == 1 && d.col == 7 && strstr(d.msg, "bad byte 0x00"));
	/* text that stops mid-line still parses */
	f = NULL;
	CHECK(prog_parse_text(NULL, "case t\n  load(A)", 16, &f, &d) == 0);
	if (f) {
		CHECK_EQ_U64(f->cases[0].nsteps, 1);
		CHECK_STR(f->path, "<text>");
	}
	prog_file_free(f);
	/* CRLF line ends are fine */
	f = parse("case t\r\n  munmap(A, 1p) = 0\r\n");
	if (f)
		CHECK_EQ_U64(f->cases[0].nsteps, 1);
	prog_file_free(f);
	free(text);
}

TEST(test_diag_format)
{
	prog_diag d;
	memset(&d, 0, sizeof(d));
	strcpy(d.file, "suites/x.mmt");
	d.line = 3;
	d.col = 14;
	strcpy(d.msg, "unknown unit `q`");
	char buf[300];
	prog_diag_format(&d, buf, sizeof(buf));
	CHECK_STR(buf, "suites/x.mmt:3:14: unknown unit `q`");
	d.line = 0;
	prog_diag_format(&d, buf, sizeof(buf));
	CHECK_STR(buf, "suites/x.mmt: unknown unit `q`");
	prog_diag_format(&d, buf, 5);
	CHECK_STR(buf, "suit");
}

TEST(test_parse_file)
{
	char path[] = "/tmp/test_prog_XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	FILE *fp = fdopen(fd, "w");
	fputs("case from-file\n  munmap(A, 1p) = 0\n  load(A) = SIGSEGV(SEGV_MAPERR)\n", fp);
	fclose(fp);
	prog_file *f = NULL;
	prog_diag d;
	CHECK(prog_parse_file(path, &f, &d) == 0);
	if (f) {
		CHECK_STR(f->path, path);
		CHECK_EQ_U64(f->ncases, 1);
		CHECK_EQ_U64(f->cases[0].nsteps, 2);
		roundtrip_file(f);
	}
	prog_file_free(f);

	fp = fopen(path, "w");
	fputs("case bad\n  munmap(A, 1p) = 0 0\n", fp);
	fclose(fp);
	f = (prog_file *)1;
	CHECK(prog_parse_file(path, &f, &d) == -1);
	CHECK(f == NULL);
	char msg[600], want[600];
	prog_diag_format(&d, msg, sizeof(msg));
	snprintf(want, sizeof(want), "%s:2:21: unexpected `0` after the result", path);
	CHECK_STR(msg, want);
	unlink(path);

	f = (prog_file *)1;
	CHECK(prog_parse_file("/nonexistent/dir/x.mmt", &f, &d) == -1);
	CHECK(f == NULL);
	CHECK_EQ_U64(d.line, 0);
	prog_diag_format(&d, msg, sizeof(msg));
	CHECK_MSG(strstr(msg, "/nonexistent/dir/x.mmt: cannot read the file") == msg, "%s", msg);
	prog_file_free(NULL);
}

/* ---------------------------------------------------------------------- */
/* Printing                                                                */

TEST(test_canonical_print)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
		{ "mmap(A, 4p, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0) = A",
		  "mmap(A, 4p, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = A" },
		{ "mmap(0, 8192, 3, 0x32, -1, 0)",
		  "mmap(NULL, 2p, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0)" },
		{ "mmap(A, 1p, PROT_READ, 0x24, -1, 0)", "mmap(A, 1p, PROT_READ, 0x4|MAP_ANONYMOUS, -1, 0)" },
		{ "mmap(A, 1p, PROT_READ, 0, 3, 0)", "mmap(A, 1p, PROT_READ, 0, 3, 0)" },
		{ "mmap(A, 1p, PROT_READ, MAP_TYPE|MAP_FIXED, 3, 0)", "mmap(A, 1p, PROT_READ, 0xf|MAP_FIXED, 3, 0)" },
		{ "mmap(A, 1p, PROT_READ, MAP_SHARED_VALIDATE|MAP_SYNC, 3, 1p)",
		  "mmap(A, 1p, PROT_READ, MAP_SHARED_VALIDATE|MAP_SYNC, 3, 1p)" },
		{ "mmap(A, 1p, PROT_READ, MAP_DROPPABLE|MAP_ANON, -1, 0)",
		  "mmap(A, 1p, PROT_READ, MAP_DROPPABLE|MAP_ANONYMOUS, -1, 0)" },
		{ "mmap(A, 2M, PROT_READ, MAP_HUGE_2MB|MAP_HUGETLB|MAP_ANONYMOUS|MAP_PRIVATE, -1, 0)",
		  "mmap(A, 512p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|MAP_HUGE_2MB, -1, 0)" },
		{ "mmap(A, 1G, PROT_READ, MAP_HUGE_1GB|MAP_HUGETLB|MAP_SHARED, -1, 0)",
		  "mmap(A, 262144p, PROT_READ, MAP_SHARED|MAP_HUGETLB|MAP_HUGE_1GB, -1, 0)" },
		{ "mmap(A, 1p, PROT_READ, MAP_UNINITIALIZED|MAP_PRIVATE|0x80000000, -1, 0)",
		  "mmap(A, 1p, PROT_READ, MAP_PRIVATE|MAP_UNINITIALIZED|0x80000000, -1, 0)" },
		{ "mmap(A, 1p, PROT_READ|PROT_EXEC|PROT_SEM|PROT_GROWSDOWN|PROT_GROWSUP, "
		  "MAP_PRIVATE|MAP_32BIT|MAP_ABOVE4G|MAP_GROWSDOWN|MAP_DENYWRITE|MAP_EXECUTABLE|"
		  "MAP_LOCKED|MAP_NORESERVE|MAP_POPULATE|MAP_NONBLOCK|MAP_STACK, -1, 0)",
		  "mmap(A, 1p, PROT_READ|PROT_EXEC|PROT_SEM|PROT_GROWSDOWN|PROT_GROWSUP, "
		  "MAP_PRIVATE|MAP_32BIT|MAP_ABOVE4G|MAP_GROWSDOWN|MAP_DENYWRITE|MAP_EXECUTABLE|"
		  "MAP_LOCKED|MAP_NORESERVE|MAP_POPULATE|MAP_NONBLOCK|MAP_STACK, -1, 0)" },
		{ "munmap(A+0x1000, 4096)", "munmap(A+1p, 1p)" },
		{ "munmap(A - 4096, 100)", "munmap(A-1p, 100)" },
		{ "munmap(A+1, 1p)", "munmap(A+0x1, 1p)" },
		{ "munmap(A-1, 1p)", "munmap(A-0x1, 1p)" },
		{ "munmap(A+A, 1p)", "munmap(A+A, 1p)" },
		{ "munmap(-A-A+1p, 1p)", "munmap(-A-A+1p, 1p)" },
		{ "munmap(0x7f0000001000, 0x100000000)", "munmap(0x7f0000001000, 1048576p)" },
		{ "munmap(A, 0x100000001)", "munmap(A, 0x100000001)" },
		{ "munmap(A, 4294967295)", "munmap(A, 4294967295)" },
		{ "munmap(A, -4096)", "munmap(A, -1p)" },
		{ "munmap(A, -1)", "munmap(A, -1)" },
		{ "munmap(A, 0x8000000000000000)", "munmap(A, -2251799813685248p)" },
		{ "munmap(A, 0)", "munmap(A, 0)" },
		{ "munmap(0xffffffffffffffff, 1p)", "munmap(0xffffffffffffffff, 1p)" },
		{ "munmap($x+$x-$y-1p, 1p)", "munmap($x+$x-$y-1p, 1p)" },
		{ "munmap(A+A-$x+(-4096), 1p)", "munmap(A+A-$x-1p, 1p)" },
		{ "munmap($y+$x, 1p)", "munmap($x+$y, 1p)" },
		{ "munmap(-$x+A, $y-$x)", "munmap(A-$x, -$x+$y)" },
		{ "munmap($x+0x8000000000000000, 1p)", "munmap($x-2251799813685248p, 1p)" },
		{ "mprotect(A, 1p, 0)", "mprotect(A, 1p, PROT_NONE)" },
		{ "mprotect(A, 1p, PROT_READ|0x10)", "mprotect(A, 1p, PROT_READ|0x10)" },
		{ "mprotect(A, 1p, -1)",
		  "mprotect(A, 1p, PROT_READ|PROT_WRITE|PROT_EXEC|PROT_SEM|PROT_GROWSDOWN|PROT_GROWSUP|0xfffffffffcfffff0)" },
		{ "mprotect(A, 1p, $x)", "mprotect(A, 1p, $x)" },
		{ "mprotect(A, 1p, $x+1)", "mprotect(A, 1p, $x+0x1)" },
		{ "madvise(A, 1p, 4)", "madvise(A, 1p, MADV_DONTNEED)" },
		{ "madvise(A, 1p, 0)", "madvise(A, 1p, MADV_NORMAL)" },
		{ "madvise(A, 1p, MADV_GUARD_REMOVE)", "madvise(A, 1p, MADV_GUARD_REMOVE)" },
		{ "madvise(A, 1p, 99)", "madvise(A, 1p, 99)" },
		{ "madvise(A, 1p, -1)", "madvise(A, 1p, -1)" },
		{ "mlockall(0)", "mlockall(0)" },
		{ "mlockall(3)", "mlockall(MCL_CURRENT|MCL_FUTURE)" },
		{ "mlockall(MCL_ONFAULT|8)", "mlockall(MCL_ONFAULT|0x8)" },
		{ "mlock2(A, 1p, 1)", "mlock2(A, 1p, MLOCK_ONFAULT)" },
		{ "mlock2(A, 1p, 0)", "mlock2(A, 1p, 0)" },
		{ "mremap(A, 1p, 2p, MREMAP_MAYMOVE, 0)", "mremap(A, 1p, 2p, MREMAP_MAYMOVE)" },
		{ "mremap(A, 1p, 2p, 3, A+8p)", "mremap(A, 1p, 2p, MREMAP_MAYMOVE|MREMAP_FIXED, A+8p)" },
		{ "mremap(A, 1p, 2p, 7, 0x1000)",
		  "mremap(A, 1p, 2p, MREMAP_MAYMOVE|MREMAP_FIXED|MREMAP_DONTUNMAP, 0x1000)" },
		{ "mremap(A, 1p, 2p, 0) = A", "mremap(A, 1p, 2p, 0) = A" },
		{ "mseal(A, 1p, 0)", "mseal(A, 1p)" },
		{ "mseal(A, 1p, 1) = -1 EINVAL", "mseal(A, 1p, 1) = -1 EINVAL" },
		{ "maps(0, 0)", "maps()" },
		{ "maps(A, 0)", "maps(A, 0)" },
		{ "maps(0, 4p)", "maps(NULL, 4p)" },
		{ "maps(A, 4p) = \"aab.\"", "maps(A, 4p) = \"aab.\"" },
		{ "pagemap(A, 16384)", "pagemap(A, 4p)" },
		{ "mincore(A, 1)", "mincore(A, 1)" },
		{ "memfd_create(\"f\\\"\\\\\\n#x\", MFD_CLOEXEC|MFD_ALLOW_SEALING) = 3",
		  "memfd_create(\"f\\\"\\\\\\n#x\", MFD_CLOEXEC|MFD_ALLOW_SEALING) = 3" },
		{ "memfd_create(\"\", MFD_HUGETLB|MFD_HUGE_2MB|MFD_NOEXEC_SEAL|MFD_EXEC)",
		  "memfd_create(\"\", MFD_HUGETLB|MFD_NOEXEC_SEAL|MFD_EXEC|MFD_HUGE_2MB)" },
		{ "memfd_create(\"x\", 0)", "memfd_create(\"x\", 0)" },
		{ "setrlimit(RLIMIT_MEMLOCK, 0x10000, RLIM_INFINITY)",
		  "setrlimit(RLIMIT_MEMLOCK, 0x10000, 0xffffffffffffffff)" },
		{ "setrlimit(8, 0, 0)", "setrlimit(RLIMIT_MEMLOCK, 0, 0)" },
		{ "setrlimit(0, 1, 2)", "setrlimit(RLIMIT_CPU, 0x1, 0x2)" },
		{ "setrlimit(RLIMIT_RTTIME+1, 1, 2)", "setrlimit(16, 0x1, 0x2)" },
		{ "ftruncate(3, 8192) = 0", "ftruncate(3, 2p) = 0" },
		{ "exit(-1)", "exit(-1)" },
		{ "exit(0x10)", "exit(16)" },
		{ "store(A, 0x41) = 0", "store(A, 0x41) = 0" },
		{ "store(A, 0)", "store(A, 0)" },
		{ "store(A, -1)", "store(A, 0xffffffffffffffff)" },
		{ "load(A) = 65", "load(A) = 0x41" },
		{ "load(A) = 0", "load(A) = 0" },
		{ "load(A) = $x", "load(A) = $x" },
		{ "load(A) = A+1", "load(A) = A+0x1" },
		{ "brk(0)", "brk(NULL)" },
		{ "brk(NULL) = 0x555555558000", "brk(NULL) = 0x555555558000" },
		{ "mmap(A, 1p, PROT_READ, MAP_PRIVATE, -1, 0) = 0", "mmap(A, 1p, PROT_READ, MAP_PRIVATE, -1, 0) = NULL" },
		{ "munmap(A, 1p) = -1", "munmap(A, 1p) = -1" },
		{ "munmap(A, 1p) = -1 EINVAL|ENOMEM (x)", "munmap(A, 1p) = -1 EINVAL|ENOMEM" },
		{ "munmap(A,1p)=?", "munmap(A, 1p) = ?" },
		{ "load(A) = SIGBUS(BUS_ADRERR)", "load(A) = SIGBUS(BUS_ADRERR)" },
		{ "fetch(A) = SIGSEGV(SI_KERNEL)", "fetch(A) = SIGSEGV(SI_KERNEL)" },
		{ "fetch(A) = SIGTRAP(TRAP_TRACE)", "fetch(A) = SIGTRAP(TRAP_TRACE)" },
		{ "[$c] exit(3)", "[$c] exit(3)" },
		{ "[ $c ]munmap(A, 1p)", "[$c] munmap(A, 1p)" },
		{ "wait($c) = 3", "wait($c) = 3" },
		{ "munmap(A, 1p) = $new", "munmap(A, 1p) = $new" },
		{ "fork() = $d", "fork() = $d" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char text[1024];
		snprintf(text, sizeof(text), PRELUDE "  %s\n", rows[i].in);
		prog_file *f = parse(text);
		const prog_step *s = last_step(f);
		CHECK_MSG(s != NULL, "row %zu: %s", i, rows[i].in);
		if (!s) {
			prog_file_free(f);
			continue;
		}
		char *out = prog_step_to_string(&f->cases[0], s);
		CHECK_STR(out, rows[i].out);
		free(out);
		roundtrip(&f->cases[0]);
		prog_file_free(f);
	}
}

TEST(test_print_expr_api)
{
	prog_case c;
	prog_case_init(&c, "e");
	strcpy(c.var[0], "x");
	c.nvars = 1;
	prog_expr e;
	memset(&e, 0, sizeof(e));
	e.k = 8192;
	static const struct {
		int kind;
		const char *out;
	} rows[] = {
		{ PROG_ARG_ADDR, "0x2000" }, { PROG_ARG_LEN, "2p" }, { PROG_ARG_INT, "8192" },
		{ PROG_ARG_VALUE, "0x2000" }, { PROG_ARG_PROT, "0x2000" }, { PROG_ARG_MAP, "MAP_LOCKED" },
		{ PROG_ARG_MADV, "8192" }, { PROG_ARG_RLIMIT, "8192" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);
		prog_print_expr(out, &c, &e, rows[i].kind);
		fclose(out);
		CHECK_STR(buf, rows[i].out);
		free(buf);
	}
	/* variable-relative: the constant part prints the same for every kind */
	e.nterms = 1;
	e.term[0].var = 0;
	e.term[0].coef = -2;
	e.arena = 1;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	prog_print_expr(out, &c, &e, PROG_ARG_INT);
	fclose(out);
	CHECK_STR(buf, "A-$x-$x+2p");
	free(buf);
	prog_case_clear(&c);
}

/* ---------------------------------------------------------------------- */
/* Programs built in code                                                  */

TEST(test_case_api)
{
	prog_case c, d;
	prog_case_init(&c, "built");
	CHECK_STR(c.name, "built");
	CHECK_EQ_U64(c.nsteps, 0);
	CHECK(prog_case_add_step(&c, -1) == NULL);
	CHECK(prog_case_add_step(&c, PROG_OP_COUNT) == NULL);

	prog_step *s = prog_case_add_step(&c, PROG_MMAP);
	CHECK(s != NULL);
	CHECK_EQ_U64(s->proc, PROG_ROOT);
	CHECK_EQ_U64(s->nargs, 6);
	CHECK_EQ_U64(s->res.kind, PROG_RES_NONE);
	s->arg[0].arena = 1;
	s->arg[1].k = 4096;
	s->arg[2].k = LX_PROT_READ;
	s->arg[3].k = LX_MAP_PRIVATE | LX_MAP_ANONYMOUS | LX_MAP_FIXED;
	s->arg[4].k = (uint64_t)-1;
	s->res.kind = PROG_RES_BIND;
	s->res.var = 0;
	strcpy(c.var[0], "m");
	c.nvars = 1;
	s = prog_case_add_step(&c, PROG_STORE);
	s->arg[0].nterms = 1;
	s->arg[0].term[0].var = 0;
	s->arg[0].term[0].coef = 1;
	s->arg[1].k = 0x41;
	s->res.kind = PROG_RES_SIGNAL;
	s->res.signo = LX_SIGSEGV;
	s->res.si_code = LX_SEGV_ACCERR;
	for (int i = 0; i < 40; i++) /* forces reallocation */
		prog_case_add_step(&c, PROG_LOAD)->arg[0].arena = 1;
	CHECK_EQ_U64(c.nsteps, 42);
	CHECK(c.cap_steps >= 42);
	roundtrip(&c);

	CHECK(prog_case_copy(&d, &c) == 0);
	CHECK(prog_case_equal(&c, &d));
	CHECK(d.steps != c.steps);
	d.steps[1].arg[1].k = 0x42;
	CHECK(!prog_case_equal(&c, &d));
	d.steps[1].arg[1].k = 0x41;
	/* source lines and unused fields do not matter */
	d.steps[1].line = 99;
	d.steps[1].arg[5].k = 1234;
	d.steps[1].res.value.k = 1;
	d.line = 7;
	d.cap_steps = d.nsteps;
	CHECK(prog_case_equal(&c, &d));
	/* a different name, proc, result or variable does */
	d.steps[1].res.si_code = LX_SEGV_MAPERR;
	CHECK(!prog_case_equal(&c, &d));
	d.steps[1].res.si_code = LX_SEGV_ACCERR;
	strcpy(d.var[0], "n");
	CHECK(!prog_case_equal(&c, &d));
	strcpy(d.var[0], "m");
	strcpy(d.name, "other");
	CHECK(!prog_case_equal(&c, &d));
	prog_case_clear(&d);
	CHECK(d.steps == NULL && d.nsteps == 0);

	/* term order does not matter to equality */
	prog_case e;
	prog_case_init(&e, "terms");
	strcpy(e.var[0], "a");
	strcpy(e.var[1], "b");
	e.nvars = 2;
	prog_case_add_step(&e, PROG_MUNMAP)->res.kind = PROG_RES_BIND;
	s = prog_case_add_step(&e, PROG_MUNMAP);
	s->res.kind = PROG_RES_BIND;
	s->res.var = 1;
	s = prog_case_add_step(&e, PROG_MUNMAP);
	s->arg[0].nterms = 2;
	s->arg[0].term[0].var = 1;
	s->arg[0].term[0].coef = 1;
	s->arg[0].term[1].var = 0;
	s->arg[0].term[1].coef = 2;
	roundtrip(&e); /* prints $b+$a+$a, parses back sorted, still equal */
	prog_case_clear(&e);

	/* the step limit */
	prog_case_clear(&c);
	prog_case_init(&c, "full");
	for (int i = 0; i < PROG_MAX_STEPS; i++)
		CHECK(prog_case_add_step(&c, PROG_MUNLOCKALL) != NULL);
	CHECK(prog_case_add_step(&c, PROG_MUNLOCKALL) == NULL);
	CHECK_EQ_U64(c.nsteps, PROG_MAX_STEPS);
	size_t len;
	uint8_t *buf = encode(&c, &len);
	CHECK(len < 3 * PROG_MAX_STEPS + 32);
	prog_case out;
	CHECK(prog_decode(buf, len, &out, NULL) == 0);
	CHECK(prog_case_equal(&c, &out));
	prog_case_clear(&out);
	free(buf);
	prog_case_clear(&c);
}

/* Cases the validator must refuse, as prog_decode sees them. */
TEST(test_decode_rejects_invalid)
{
	static const char *const reasons[] = {
		"bad case name", "unknown errno", "unknown signal or si_code",
		"variable used before it is bound", "process variable used in an expression",
		"variable bound out of order", "variable kind does not match its binding",
		"fork result must be ?, none or a binding", "layout drawing does not match the maps window",
		"step runs in an unbound or non-process variable", "bad process argument",
		"coefficient of A out of range", "variable never bound", "bad config name",
		"unknown capability", "expression term with coefficient 0",
		"variable repeated in an expression", "string argument holds a control character",
		"duplicate variable name",
	};
	prog_file *f = parse(PRELUDE "  maps(A, 2p) = \"ab\"\n"
				     "  memfd_create(\"m\", 0) = $fd\n"
				     "  munmap($x, 1p) = -1 ENOMEM\n"
				     "  load($x) = SIGSEGV(SEGV_MAPERR)\n"
				     "  [$c] munmap($x, 1p)\n"
				     "  wait($c)\n");
	if (!f)
		return;
	const prog_case *base = &f->cases[0];
	const unsigned MAPS = PRELUDE_LINES - 1, MEMFD = MAPS + 1, ERR = MAPS + 2,
		       SIG = MAPS + 3, INCHILD = MAPS + 4, WAIT = MAPS + 5;
	for (size_t i = 0; i < ARRAY_SIZE(reasons); i++) {
		prog_case c;
		CHECK(prog_case_copy(&c, base) == 0);
		switch (i) {
		case 0: strcpy(c.name, "Bad"); break;
		case 1: c.steps[ERR].res.errnos[0] = 4000; break;
		case 2: c.steps[SIG].res.si_code = 77; break;
		case 3: c.steps[0].arg[0].nterms = 1; c.steps[0].arg[0].term[0].coef = 1; break;
		case 4: c.steps[ERR].arg[0].term[0].var = 4; break;
		case 5: c.steps[1].res.var = 2; break;
		case 6: c.var_kind[0] = PROG_VAR_PROC; break;
		case 7: c.steps[4].res.kind = PROG_RES_VALUE; memset(&c.steps[4].res.value, 0, sizeof(prog_expr)); break;
		case 8: strcpy(c.steps[MAPS].str, "abc"); break;
		case 9: c.steps[INCHILD].proc = 0; break;
		case 10: c.steps[WAIT].arg[0].term[0].var = 0; break;
		case 11: c.steps[0].arg[0].arena = 200; break;
		case 12: c.steps[MEMFD].res.kind = PROG_RES_NONE; break;
		case 13: c.nreq = 1; c.req[0].kind = PROG_REQ_CONFIG; strcpy(c.req[0].name, "a b"); break;
		case 14: c.nreq = 1; c.req[0].kind = PROG_REQ_CAP; c.req[0].cap = 1000; break;
		case 15: c.steps[ERR].arg[0].term[0].coef = 0; break;
		case 16: c.steps[ERR].arg[0].nterms = 2; c.steps[ERR].arg[0].term[1] = c.steps[ERR].arg[0].term[0]; break;
		case 17: strcpy(c.steps[MEMFD].str, "a\tb"); break;
		case 18: strcpy(c.var[1], "x"); break;
		}
		size_t len;
		uint8_t *buf = encode(&c, &len);
		prog_case out;
		const char *why = NULL;
		int rc = prog_decode(buf, len, &out, &why);
		CHECK_MSG(rc == -1, "mutation %zu (%s) decoded", i, reasons[i]);
		if (rc == 0)
			prog_case_clear(&out);
		else
			CHECK_MSG(why && strcmp(why, reasons[i]) == 0, "mutation %zu: why %s, want %s",
				  i, why ? why : "(null)", reasons[i]);
		free(buf);
		prog_case_clear(&c);
	}
	prog_file_free(f);
}

/* ---------------------------------------------------------------------- */
/* Binary robustness                                                       */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static const char corpus[] =
	"case c1\n"
	"  requires linux >= 6.10\n"
	"  requires cap CAP_IPC_LOCK\n"
	"  requires config SOFT_DIRTY\n"
	"  mmap(A, 4p, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0) = A\n"
	"  munmap(A+2p, 1p) = 0\n"
	"  mprotect(A, 4p, PROT_READ) = -1 ENOMEM|EINVAL\n"
	"  store(A, 0x41) = SIGSEGV(SEGV_ACCERR)\n"
	"  mmap(NULL, 2p, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = $x\n"
	"  mremap($x, 2p, 4p, MREMAP_MAYMOVE|MREMAP_FIXED, A+100p) = A+100p\n"
	"  madvise($x-1p, 1p, MADV_DONTNEED) = ?\n"
	"  memfd_create(\"name\\\"q\", MFD_CLOEXEC) = $fd\n"
	"  ftruncate($fd, 1p)\n"
	"  fork() = $c\n"
	"  [$c] store(A+3p, 7) = 0\n"
	"  [$c] exit(3)\n"
	"  wait($c) = 3\n"
	"  setrlimit(RLIMIT_MEMLOCK, 1M, RLIM_INFINITY)\n"
	"  mlockall(MCL_CURRENT|MCL_ONFAULT) = -1 EPERM\n"
	"  mseal(A, 4p)\n"
	"  maps(A, 4p) = \"ab.a\"\n"
	"  maps()\n"
	"  pagemap(A, 4p)\n"
	"  load(A-$x+$fd+A) = 0\n"
	"case c2\n"
	"  brk(NULL) = $brk\n"
	"  brk($brk+1p) = $brk+1p\n"
	"  mlock2(A, 1p, MLOCK_ONFAULT)\n"
	"  fetch(A) = SIGBUS(BUS_ADRERR)\n"
	"case c3\n";

TEST(test_decode_prefixes_and_flips)
{
	prog_file *f = parse(corpus);
	if (!f)
		return;
	long decoded = 0, rejected = 0;
	for (uint32_t ci = 0; ci < f->ncases; ci++) {
		const prog_case *c = &f->cases[ci];
		roundtrip(c); /* includes every prefix */
		size_t len;
		uint8_t *orig = encode(c, &len);
		uint8_t *buf = malloc(len + 8);
		for (int iter = 0; iter < 20000; iter++) {
			size_t n = len;
			memcpy(buf, orig, len);
			int kind = (int)(rng() % 4);
			int flips = 1 + (int)(rng() % 4);
			for (int k = 0; k < flips; k++) {
				size_t at = (size_t)(rng() % n);
				if (kind == 0)
					buf[at] ^= (uint8_t)(1u << (rng() % 8));
				else if (kind == 1)
					buf[at] = (uint8_t)rng();
				else if (kind == 2 && n > 1) { /* delete a byte */
					memmove(buf + at, buf + at + 1, n - at - 1);
					n--;
				} else if (n < len + 8) {   /* insert a byte */
					memmove(buf + at + 1, buf + at, n - at);
					buf[at] = (uint8_t)rng();
					n++;
				}
			}
			/* an exact-size heap copy lets ASan catch any over-read */
			uint8_t *exact = malloc(n ? n : 1);
			memcpy(exact, buf, n);
			prog_case out;
			const char *why = NULL;
			if (prog_decode(exact, n, &out, &why) == 0) {
				decoded++;
				CHECK(why == NULL);
				/* whatever decodes must be a valid, printable case */
				if (!roundtrip(&out)) {
					prog_case_clear(&out);
					free(exact);
					break;
				}
				prog_case_clear(&out);
			} else {
				rejected++;
				CHECK(why != NULL);
				CHECK(out.steps == NULL && out.nsteps == 0);
			}
			free(exact);
		}
		free(buf);
		free(orig);
	}
	/* both outcomes happen, so the test exercises both paths */
	CHECK(decoded > 100);
	CHECK(rejected > 1000);
	printf("  # flips: %ld decoded, %ld rejected\n", decoded, rejected);
	prog_file_free(f);
}

TEST(test_decode_garbage)
{
	uint8_t buf[256];
	prog_case out;
	const char *why;
	CHECK(prog_decode(NULL, 0, &out, &why) == -1 && why != NULL);
	CHECK(prog_decode(buf, 0, &out, &why) == -1 && strcmp(why, "truncated") == 0);
	memcpy(buf, "MMSQ", 4);
	CHECK(prog_decode(buf, 4, &out, &why) == -1 && strcmp(why, "bad magic") == 0);
	memcpy(buf, "MMSP\x02\x00", 6);
	CHECK(prog_decode(buf, 6, &out, &why) == -1 && strcmp(why, "unsupported version") == 0);
	/* a minimal valid encoding: name "a", no requires, vars or steps */
	static const uint8_t min[] = { 'M', 'M', 'S', 'P', 1, 0, 1, 'a', 0, 0, 0 };
	CHECK(prog_decode(min, sizeof(min), &out, &why) == 0);
	CHECK_STR(out.name, "a");
	prog_case_clear(&out);
	uint8_t more[sizeof(min) + 1];
	memcpy(more, min, sizeof(min));
	more[sizeof(min)] = 0;
	CHECK(prog_decode(more, sizeof(more), &out, &why) == -1 &&
	      strcmp(why, "trailing bytes after the case") == 0);
	/* a step count far beyond the bytes present is refused before allocating */
	static const uint8_t many[] = { 'M', 'M', 'S', 'P', 1, 0, 1, 'a', 0, 0, 0x80, 0x20 };
	CHECK(prog_decode(many, sizeof(many), &out, &why) == -1 && strcmp(why, "truncated") == 0);
	static const uint8_t toomany[] = { 'M', 'M', 'S', 'P', 1, 0, 1, 'a', 0, 0, 0x81, 0x20 };
	CHECK(prog_decode(toomany, sizeof(toomany), &out, &why) == -1 &&
	      strcmp(why, "too many steps") == 0);
	static const uint8_t longvar[] = { 'M', 'M', 'S', 'P', 1, 0, 1, 'a', 0, 0,
					   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02 };
	CHECK(prog_decode(longvar, sizeof(longvar), &out, &why) == -1 &&
	      strcmp(why, "varint overflows 64 bits") == 0);
	static const uint8_t nulname[] = { 'M', 'M', 'S', 'P', 1, 0, 2, 'a', 0, 0, 0, 0 };
	CHECK(prog_decode(nulname, sizeof(nulname), &out, &why) == -1 &&
	      strcmp(why, "NUL inside a string") == 0);
	/* random bytes behind a valid header */
	for (int iter = 0; iter < 50000; iter++) {
		size_t n = 6 + (size_t)(rng() % 60);
		uint8_t *b = malloc(n);
		memcpy(b, "MMSP\x01", 5);
		for (size_t i = 5; i < n; i++)
			b[i] = (uint8_t)(rng() % 4 == 0 ? rng() : rng() % 3);
		if (prog_decode(b, n, &out, &why) == 0) {
			roundtrip(&out);
			prog_case_clear(&out);
		} else {
			CHECK(why != NULL);
		}
		free(b);
	}
}

/* Mutated case text: parse never crashes; what parses round-trips. */
TEST(test_parse_mutations)
{
	size_t len = strlen(corpus);
	char *buf = malloc(len + 16);
	static const char alphabet[] = "()$,=|+-\"#[]?\n ApKx0159AEM_";
	long ok = 0, bad = 0;
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = len;
		memcpy(buf, corpus, len);
		int edits = 1 + (int)(rng() % 3);
		for (int k = 0; k < edits; k++) {
			size_t at = (size_t)(rng() % n);
			switch (rng() % 3) {
			case 0:
				buf[at] = alphabet[rng() % (sizeof(alphabet) - 1)];
				break;
			case 1:
				memmove(buf + at, buf + at + 1, n - at - 1);
				n--;
				break;
			default:
				if (n < len + 16) {
					memmove(buf + at + 1, buf + at, n - at);
					buf[at] = (char)rng();
					n++;
				}
				break;
			}
		}
		char *exact = malloc(n);
		memcpy(exact, buf, n);
		prog_file *f = NULL;
		prog_diag d;
		if (prog_parse_text("m.mmt", exact, n, &f, &d) == 0) {
			ok++;
			for (uint32_t i = 0; i < f->ncases; i++)
				if (!roundtrip(&f->cases[i]))
					break;
			prog_file_free(f);
		} else {
			bad++;
			CHECK(f == NULL);
			CHECK(d.line >= 1 && d.col >= 1 && d.msg[0]);
			uint32_t lines = 1;
			for (size_t i = 0; i < n; i++)
				lines += exact[i] == '\n';
			CHECK(d.line <= lines);
		}
		free(exact);
	}
	CHECK(ok > 100 && bad > 100);
	printf("  # text mutations: %ld parsed, %ld rejected\n", ok, bad);
	free(buf);
}

/* ---------------------------------------------------------------------- */
/* Suites                                                                  */

static int suite_files, suite_cases;

static void walk_suites(const char *dir)
{
	DIR *d = opendir(dir);
	CHECK_MSG(d != NULL, "cannot open %s", dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk_suites(path);
			continue;
		}
		size_t n = strlen(e->d_name);
		if (n < 4 || strcmp(e->d_name + n - 4, ".mmt") != 0)
			continue;
		prog_file *f = NULL;
		prog_diag diag;
		if (prog_parse_file(path, &f, &diag) != 0) {
			char msg[600];
			prog_diag_format(&diag, msg, sizeof(msg));
			CHECK_MSG(0, "%s", msg);
			continue;
		}
		suite_files++;
		suite_cases += (int)f->ncases;
		roundtrip_file(f);
		prog_file_free(f);
	}
	closedir(d);
}

TEST(test_suites)
{
	if (!suites_dir) {
		printf("  # no --suites DIR given\n");
		return;
	}
	walk_suites(suites_dir);
	printf("  # suites: %d files, %d cases round-tripped\n", suite_files, suite_cases);
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "--suites") == 0) {
		suites_dir = argv[2];
		argv[2] = argv[0];
		argv += 2;
		argc -= 2;
	}
	return test_main(argc, argv);
}
