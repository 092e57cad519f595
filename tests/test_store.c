/* SPDX-License-Identifier: MIT */
/*
 * test_store.c: unit tests of the SQLite store (reports/store.h).
 *
 * Every write is read back through the SQLite C API on a second connection,
 * column by column; the views are checked against a small history of three
 * runs; refused files (not SQLite, truncated, another program's, a newer
 * schema) are compared byte for byte before and after. Locking and
 * concurrency use forked processes synchronized by pipes, never by sleeping,
 * so no test depends on how fast the machine is. Files live in a fresh
 * directory under $TMPDIR (or /tmp), removed at the end.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "test.h"

/* ---- files ----------------------------------------------------------- */

static char tmpdir[256];

/* A path in the test directory; each call returns its own buffer (8 in
 * rotation). */
static const char *tpath(const char *name)
{
	static char bufs[8][512];
	static int next;
	char *b = bufs[next++ % 8];

	if (!tmpdir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(tmpdir, sizeof(tmpdir), "%s/mmspec-store-XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(3);
		}
	}
	snprintf(b, 512, "%s/%s", tmpdir, name);
	return b;
}

static void remove_tmpdir(void)
{
	DIR *d;
	struct dirent *e;
	char p[800];

	if (!tmpdir[0] || !(d = opendir(tmpdir)))
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", tmpdir, e->d_name);
		if (unlink(p) < 0)
			rmdir(p);
	}
	closedir(d);
	rmdir(tmpdir);
}

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static int sidecar_exists(const char *path, const char *suffix)
{
	char p[600];

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return exists(p);
}

/* The whole file, malloc'ed; *len its size. NULL if unreadable. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	*len = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n)
			*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

static void spew(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len) {
		perror(path);
		exit(3);
	}
	fclose(f);
}

/* ---- direct SQLite access ---------------------------------------------- */

static sqlite3 *raw(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", path, sqlite3_errmsg(db));
		exit(3);
	}
	sqlite3_busy_timeout(db, 10000);
	return db;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", sql, msg);
		exit(3);
	}
}

/* The first column of the first row of sql, as an integer (-999 if none). */
static int64_t q_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -999;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
		return -999;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The same as text ("NULL" for NULL, "(no row)" for none), in a rotating
 * static buffer. */
static const char *q_text(sqlite3 *db, const char *sql)
{
	static char bufs[8][4096];
	static int next;
	char *b = bufs[next++ % 8];
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(b, 4096, "(error: %s)", sqlite3_errmsg(db));
		return b;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		snprintf(b, 4096, rc == SQLITE_DONE ? "(no row)" : "(error: %s)", sqlite3_errmsg(db));
	else if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		snprintf(b, 4096, "NULL");
	else
		snprintf(b, 4096, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return b;
}

/* "2025-06-01T12:34:56.789Z" */
static int is_iso(const char *t)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd.dddZ";

	if (strlen(t) != sizeof(pat) - 1)
		return 0;
	for (size_t i = 0; pat[i]; i++)
		if (pat[i] == 'd' ? (t[i] < '0' || t[i] > '9') : t[i] != pat[i])
			return 0;
	return 1;
}

#define CHECK_HAS(s, sub)                                                     \
	do {                                                                   \
		const char *s_ = (s);                                          \
		CHECK_MSG(s_ && strstr(s_, sub), "\"%s\" does not contain \"%s\"", \
			  s_ ? s_ : "(null)", sub);                            \
	} while (0)

#define CHECK_Q(db, sql, want) CHECK_STR(q_text(db, sql), want)
#define CHECK_QI(db, sql, want) CHECK_MSG(q_int(db, sql) == (want), "%s: %" PRId64 " != %" PRId64, \
					  sql, q_int(db, sql), (int64_t)(want))

static store *open_ok(const char *path)
{
	char err[512] = "";
	store *s = NULL;

	if (store_open(path, &s, err, sizeof(err)) != 0 || !s) {
		fprintf(stderr, "store_open(%s): %s\n", path, err);
		exit(3);
	}
	return s;
}

static int64_t add_run(store *s, const char *target, const char *kernel)
{
	store_run_info ri = { .kind = "run", .tool_version = "0.1.0", .target = target,
			      .kernel_release = kernel, .profile = "6.18", .seed = 1 };

	return store_run_begin(s, &ri);
}

static int64_t add_result(store *s, int64_t run, const char *name, int result)
{
	store_result_info r = { .file = "suites/t.mmt", .case_name = name,
				.program = "munmap(A, 1p) = 0\n", .result = result,
				.message = result ? "why" : NULL, .duration_ms = 0.25 };

	return store_result(s, run, &r);
}

/* ---- schema and migration -------------------------------------------- */

static const char *const tables[] = {
	"migrations", "runs", "cases", "results", "divergences", "faults",
	"campaign_progress",
};
static const char *const views[] = {
	"v_runs", "v_results", "v_latest_results", "v_failures", "v_case_history",
	"v_divergences", "v_divergence_signatures", "v_faults", "v_faults_by_code",
	"v_targets", "v_outcomes", "v_matrix", "v_signature_targets",
};

static void check_current_schema(sqlite3 *db)
{
	char sql[256];

	CHECK_QI(db, "PRAGMA user_version", STORE_SCHEMA_VERSION);
	CHECK_QI(db, "PRAGMA application_id", 0x6d6d7370);
	CHECK_Q(db, "PRAGMA journal_mode", "wal");
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'",
			 tables[i]);
		CHECK_QI(db, sql, 1);
	}
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", views[i]);
		CHECK_MSG(q_int(db, sql) >= 0, "%s does not run: %s", sql, sqlite3_errmsg(db));
	}
	CHECK_QI(db, "SELECT count(*) FROM sqlite_master WHERE type = 'view'",
		 sizeof(views) / sizeof(views[0]));
	CHECK_QI(db, "SELECT count(*) FROM migrations", STORE_SCHEMA_VERSION);
	CHECK_Q(db, "SELECT description FROM migrations WHERE version = 1",
		"runs, cases, results, divergences, faults and the v_* views");
	CHECK(is_iso(q_text(db, "SELECT applied_at FROM migrations WHERE version = 1")));
	CHECK_Q(db, "PRAGMA integrity_check", "ok");
	CHECK_QI(db, "SELECT count(*) FROM pragma_foreign_key_check", 0);
}

TEST(open_creates_current_schema)
{
	const char *path = tpath("new.db");
	store *s = open_ok(path);
	sqlite3 *db;

	CHECK_STR(store_error(s), "");
	store_close(s);
	db = raw(path);
	check_current_schema(db);
	sqlite3_close(db);
}

TEST(open_migrates_an_empty_file)
{
	const char *path = tpath("empty.db");
	sqlite3 *db;

	spew(path, "", 0);
	store_close(open_ok(path));
	db = raw(path);
	check_current_schema(db);
	sqlite3_close(db);
}

TEST(reopen_keeps_data_and_does_not_migrate_again)
{
	const char *path = tpath("reopen.db");
	store *s = open_ok(path);
	int64_t run = add_run(s, "host", "6.12.0"), res = add_result(s, run, "a", 0);
	sqlite3 *db;

	CHECK(run == 1 && res == 1);
	CHECK(store_run_end(s, run, 1, 0, 0, 0) == 0);
	store_close(s);

	s = open_ok(path);
	CHECK(add_run(s, "host", "6.12.0") == 2);
	store_close(s);
	db = raw(path);
	CHECK_QI(db, "SELECT count(*) FROM runs", 2);
	CHECK_QI(db, "SELECT count(*) FROM results", 1);
	CHECK_QI(db, "SELECT count(*) FROM migrations", STORE_SCHEMA_VERSION);
	CHECK_QI(db, "SELECT pass FROM runs WHERE id = 1", 1);
	sqlite3_close(db);
}

/* ---- round trips ----------------------------------------------------- */

TEST(run_round_trip)
{
	const char *path = tpath("run.db");
	store *s = open_ok(path);
	store_run_info ri = {
		.kind = "fuzz", .tool_version = "0.1.0", .target = "qemu-user",
		.kernel_release = "6.12.48+deb13-cloud-amd64", .profile = "6.12",
		.config_json = "{\"soft_dirty\":false}", .options = "mmspec fuzz --seed 18446744073709551615",
		.seed = UINT64_MAX, .host = "ci-7",
	};
	int64_t run = store_run_begin(s, &ri), bare = store_run_begin(s, NULL);
	char sql[128];
	sqlite3 *db = raw(path);

	CHECK(run == 1 && bare == 2);
	CHECK_Q(db, "SELECT kind FROM runs WHERE id = 1", "fuzz");
	CHECK_Q(db, "SELECT tool_version FROM runs WHERE id = 1", "0.1.0");
	CHECK_Q(db, "SELECT target FROM runs WHERE id = 1", "qemu-user");
	CHECK_Q(db, "SELECT kernel_release FROM runs WHERE id = 1", "6.12.48+deb13-cloud-amd64");
	CHECK_Q(db, "SELECT profile FROM runs WHERE id = 1", "6.12");
	CHECK_Q(db, "SELECT config_json FROM runs WHERE id = 1", "{\"soft_dirty\":false}");
	CHECK_Q(db, "SELECT json_extract(config_json, '$.soft_dirty') FROM runs WHERE id = 1", "0");
	CHECK_Q(db, "SELECT options FROM runs WHERE id = 1", "mmspec fuzz --seed 18446744073709551615");
	CHECK_EQ_U64(q_int(db, "SELECT seed FROM runs WHERE id = 1"), UINT64_MAX);
	CHECK_Q(db, "SELECT seed FROM v_runs WHERE id = 1", "18446744073709551615");
	CHECK_Q(db, "SELECT host FROM runs WHERE id = 1", "ci-7");
	snprintf(sql, sizeof(sql), "SELECT pid = %d FROM runs WHERE id = 1", (int)getpid());
	CHECK_QI(db, sql, 1);
	CHECK(is_iso(q_text(db, "SELECT started_at FROM runs WHERE id = 1")));
	CHECK_Q(db, "SELECT finished_at FROM runs WHERE id = 1", "NULL");
	CHECK_Q(db, "SELECT quote(pass) || quote(fail) || quote(skip) || quote(error) FROM runs WHERE id = 1",
		"NULLNULLNULLNULL");
	CHECK_Q(db, "SELECT status FROM v_runs WHERE id = 1", "unfinished");

	/* NULL info: the defaults. */
	CHECK_Q(db, "SELECT kind || '|' || quote(target) || '|' || seed FROM runs WHERE id = 2", "run|NULL|0");

	CHECK(store_run_end(s, run, 3, 1, 2, 0) == 0);
	CHECK_Q(db, "SELECT pass || ' ' || fail || ' ' || skip || ' ' || error FROM runs WHERE id = 1", "3 1 2 0");
	CHECK(is_iso(q_text(db, "SELECT finished_at FROM runs WHERE id = 1")));
	CHECK_QI(db, "SELECT finished_at >= started_at FROM runs WHERE id = 1", 1);
	CHECK_Q(db, "SELECT status FROM v_runs WHERE id = 1", "finished");

	CHECK(store_run_end(s, 99, 0, 0, 0, 0) == -1);
	CHECK_HAS(store_error(s), "run 99 does not exist");
	CHECK_HAS(store_error(s), path);
	CHECK(store_run_end(s, run, -1, 0, 0, 0) == -1);
	CHECK_Q(db, "SELECT pass FROM runs WHERE id = 1", "3");
	sqlite3_close(db);
	store_close(s);
}

TEST(result_round_trip)
{
	const char *path = tpath("result.db");
	store *s = open_ok(path);
	int64_t run = add_run(s, "host", "6.18.0");
	store_result_info r = {
		.file = "suites/mprotect.mmt", .case_name = "mprotect-stops-at-hole",
		.program = "case mprotect-stops-at-hole\n  munmap(A+2p, 1p) = 0\n",
		.result = 1, .message = "step 3: mprotect = 0, expected -1 ENOMEM",
		.duration_ms = 1.5,
	};
	int64_t id = store_result(s, run, &r), again, other;
	sqlite3 *db = raw(path);

	CHECK(id == 1);
	CHECK_QI(db, "SELECT run_id FROM results WHERE id = 1", run);
	CHECK_Q(db, "SELECT result FROM results WHERE id = 1", "FAIL");
	CHECK_Q(db, "SELECT message FROM results WHERE id = 1", "step 3: mprotect = 0, expected -1 ENOMEM");
	CHECK_Q(db, "SELECT program FROM results WHERE id = 1", "case mprotect-stops-at-hole\n  munmap(A+2p, 1p) = 0\n");
	CHECK_Q(db, "SELECT duration_ms FROM results WHERE id = 1", "1.5");
	CHECK(is_iso(q_text(db, "SELECT created_at FROM results WHERE id = 1")));
	CHECK_Q(db, "SELECT c.file || ' ' || c.name FROM results r JOIN cases c ON c.id = r.case_id WHERE r.id = 1",
		"suites/mprotect.mmt mprotect-stops-at-hole");

	/* The same case again: the same case row. Another file: another case. */
	r.result = 0;
	r.message = NULL;
	r.duration_ms = NAN;
	again = store_result(s, run, &r);
	r.file = "suites/other.mmt";
	other = store_result(s, run, &r);
	CHECK(again == 2 && other == 3);
	CHECK_QI(db, "SELECT count(*) FROM cases", 2);
	CHECK_QI(db, "SELECT (SELECT case_id FROM results WHERE id = 1) = (SELECT case_id FROM results WHERE id = 2)", 1);
	CHECK_QI(db, "SELECT (SELECT case_id FROM results WHERE id = 1) != (SELECT case_id FROM results WHERE id = 3)", 1);
	CHECK_Q(db, "SELECT quote(message) || ' ' || quote(duration_ms) FROM results WHERE id = 2", "NULL NULL");

	/* Each class by name. */
	for (int k = 0; k < 4; k++) {
		static const char *const names[] = { "PASS", "FAIL", "SKIP", "ERROR" };
		char sql[128];
		int64_t rid;

		r.result = k;
		rid = store_result(s, run, &r);
		CHECK(rid > 0);
		snprintf(sql, sizeof(sql), "SELECT result FROM results WHERE id = %" PRId64, rid);
		CHECK_Q(db, sql, names[k]);
	}

	/* Refusals change nothing. */
	r.result = 4;
	CHECK(store_result(s, run, &r) == -1);
	CHECK_HAS(store_error(s), "result class 4");
	r.result = -1;
	CHECK(store_result(s, run, &r) == -1);
	r.result = 0;
	r.file = NULL;
	CHECK(store_result(s, run, &r) == -1);
	CHECK_HAS(store_error(s), "needs a file and a case name");
	r.file = "suites/new.mmt";
	CHECK(store_result(s, 42, &r) == -1);
	CHECK_HAS(store_error(s), "store_result: run 42 does not exist");
	CHECK(store_result(s, run, NULL) == -1);
	CHECK_QI(db, "SELECT count(*) FROM results", 7);
	CHECK_QI(db, "SELECT count(*) FROM cases", 2);
	sqlite3_close(db);
	store_close(s);
}

TEST(divergence_round_trip)
{
	const char *path = tpath("divergence.db");
	store *s = open_ok(path);
	int64_t run = add_run(s, "host", "6.18.0"), run2 = add_run(s, "host", "6.18.0");
	int64_t res = add_result(s, run, "merge-after-mprotect", 1), res2 = add_result(s, run2, "x", 1);
	store_divergence_info d = {
		.result_id = res, .program = "mmap(A, 4p, ...) = A\nmprotect(A+1p, 1p, PROT_READ) = 0\n",
		.step = 1, .step_text = "mprotect(A+1p, 1p, PROT_READ) = 0",
		.syscall = "mprotect", .field = "layout", .model = "abbc", .kernel = "abcc",
		.model_layout = "A: rw- 1p | r-- 2p | rw- 1p", .kernel_layout = "A: rw- 1p | r-- 1p | rw- 2p",
		.signature = "mprotect:layout:merge-next", .minimized = "mprotect(A+1p, 1p, PROT_READ) = 0\n",
		.reproduced = 3, .attempts = 4,
	};
	int64_t id = store_divergence(s, run, &d);
	sqlite3 *db = raw(path);

	CHECK(id == 1);
	CHECK_Q(db, "SELECT run_id || ' ' || result_id || ' ' || step FROM divergences WHERE id = 1", "1 1 1");
	CHECK_Q(db, "SELECT program FROM divergences WHERE id = 1", d.program);
	CHECK_Q(db, "SELECT step_text FROM divergences WHERE id = 1", d.step_text);
	CHECK_Q(db, "SELECT syscall FROM divergences WHERE id = 1", "mprotect");
	CHECK_Q(db, "SELECT field FROM divergences WHERE id = 1", "layout");
	CHECK_Q(db, "SELECT model FROM divergences WHERE id = 1", "abbc");
	CHECK_Q(db, "SELECT kernel FROM divergences WHERE id = 1", "abcc");
	CHECK_Q(db, "SELECT model_layout FROM divergences WHERE id = 1", d.model_layout);
	CHECK_Q(db, "SELECT kernel_layout FROM divergences WHERE id = 1", d.kernel_layout);
	CHECK_Q(db, "SELECT signature FROM divergences WHERE id = 1", d.signature);
	CHECK_Q(db, "SELECT minimized FROM divergences WHERE id = 1", d.minimized);
	CHECK_Q(db, "SELECT reproduced || '/' || attempts FROM divergences WHERE id = 1", "3/4");
	CHECK(is_iso(q_text(db, "SELECT created_at FROM divergences WHERE id = 1")));
	CHECK_Q(db, "SELECT name FROM v_divergences WHERE id = 1", "merge-after-mprotect");

	/* Fuzzing: no result, no minimized program. */
	d.result_id = 0;
	d.minimized = NULL;
	CHECK(store_divergence(s, run, &d) == 2);
	CHECK_Q(db, "SELECT quote(result_id) || ' ' || quote(minimized) FROM divergences WHERE id = 2", "NULL NULL");
	CHECK_Q(db, "SELECT quote(name) FROM v_divergences WHERE id = 2", "NULL");

	/* A result of another run, or none at all: refused. */
	d.result_id = res2;
	CHECK(store_divergence(s, run, &d) == -1);
	CHECK_HAS(store_error(s), "result 2 belongs to run 2, not run 1");
	d.result_id = 77;
	CHECK(store_divergence(s, run, &d) == -1);
	CHECK_HAS(store_error(s), "result 77 does not exist");
	d.result_id = 0;
	CHECK(store_divergence(s, 99, &d) == -1);
	CHECK_HAS(store_error(s), "run 99 does not exist");
	CHECK(store_divergence(s, run, NULL) == -1);
	CHECK_QI(db, "SELECT count(*) FROM divergences", 2);
	sqlite3_close(db);
	store_close(s);
}

static const struct fault_row {
	int signo, code;
	const char *signal, *name;
} fault_rows[] = {
	{ 11, 1, "SIGSEGV", "SEGV_MAPERR" },
	{ 11, 2, "SIGSEGV", "SEGV_ACCERR" },
	{ 11, 4, "SIGSEGV", "SEGV_PKUERR" },
	{ 11, 128, "SIGSEGV", "SI_KERNEL" },
	{ 7, 1, "SIGBUS", "BUS_ADRALN" },
	{ 7, 2, "SIGBUS", "BUS_ADRERR" },
	{ 7, 3, "SIGBUS", "BUS_OBJERR" },
	{ 7, 4, "SIGBUS", "BUS_MCEERR_AR" },
	{ 7, 128, "SIGBUS", "SI_KERNEL" },
	{ 11, 99, "SIGSEGV", "si_code 99" },
	{ 42, 1, "signal 42", "si_code 1" },
};

TEST(fault_round_trip_and_names)
{
	const char *path = tpath("fault.db");
	store *s = open_ok(path);
	int64_t run = add_run(s, "host", "6.18.0"), res = add_result(s, run, "store-ro", 0);
	sqlite3 *db = raw(path);
	char sql[256];

	for (size_t i = 0; i < sizeof(fault_rows) / sizeof(fault_rows[0]); i++) {
		const struct fault_row *row = &fault_rows[i];
		store_fault_info f = {
			.result_id = i % 2 ? 0 : res, .step = (int)i, .step_text = "store(A, 0x41)",
			.side = i % 3 ? "kernel" : "model", .signo = row->signo, .si_code = row->code,
			.addr = 0xffff800000001000ULL + i,
		};
		int64_t id = store_fault(s, run, &f);

		CHECK_MSG(id == (int64_t)i + 1, "row %zu: id %" PRId64 ": %s", i, id, store_error(s));
		snprintf(sql, sizeof(sql), "SELECT signal || ' ' || code || ' ' || signo || ' ' || si_code"
			 " FROM faults WHERE id = %" PRId64, id);
		{
			char want[128];
			snprintf(want, sizeof(want), "%s %s %d %d", row->signal, row->name, row->signo, row->code);
			CHECK_Q(db, sql, want);
		}
		snprintf(sql, sizeof(sql), "SELECT si_addr FROM faults WHERE id = %" PRId64, id);
		CHECK_EQ_U64(q_int(db, sql), 0xffff800000001000ULL + i);
		snprintf(sql, sizeof(sql), "SELECT run_id || ' ' || quote(result_id) || ' ' || step || ' ' || side"
			 " || ' ' || step_text FROM faults WHERE id = %" PRId64, id);
		{
			char want[128];
			snprintf(want, sizeof(want), "%" PRId64 " %s %zu %s store(A, 0x41)", run,
				 i % 2 ? "NULL" : "1", i, i % 3 ? "kernel" : "model");
			CHECK_Q(db, sql, want);
		}
	}
	CHECK_Q(db, "SELECT si_addr FROM v_faults WHERE id = 1", "0xffff800000001000");
	CHECK_Q(db, "SELECT name FROM v_faults WHERE id = 1", "store-ro");
	CHECK(is_iso(q_text(db, "SELECT created_at FROM faults WHERE id = 1")));

	{
		store_fault_info f = { .side = "both", .signo = 11, .si_code = 1 };
		CHECK(store_fault(s, run, &f) == -1);
		CHECK_HAS(store_error(s), "side \"both\" is not");
		f.side = NULL;
		CHECK(store_fault(s, run, &f) == -1);
		f.side = "kernel";
		CHECK(store_fault(s, 5, &f) == -1);
		CHECK_HAS(store_error(s), "run 5 does not exist");
		f.result_id = 9;
		CHECK(store_fault(s, run, &f) == -1);
		CHECK_HAS(store_error(s), "result 9 does not exist");
		CHECK(store_fault(s, run, NULL) == -1);
	}
	CHECK_QI(db, "SELECT count(*) FROM faults", sizeof(fault_rows) / sizeof(fault_rows[0]));
	sqlite3_close(db);
	store_close(s);
}

/* ---- views ----------------------------------------------------------- */

/*
 * Three runs:
 *   run 1  host/6.12.0       a PASS, b FAIL, c SKIP, d PASS; ended 2 1 1 0
 *   run 2  qemu-user/6.18.0  a FAIL, b FAIL, c ERROR; never ended
 *   run 3  host/6.12.0       a PASS, d FAIL; ended 1 1 0 0
 * d passed and failed on one kernel: flaky. a failed only on another
 * target: not flaky.
 * Divergences: sig-x in run 1 (b) and run 2 (b, minimized), sig-y in
 * run 2 (a). Faults: run 1 kernel SEGV_MAPERR x2, model SEGV_ACCERR x1;
 * run 2 kernel BUS_ADRERR x1.
 */
static void populate_history(const char *path)
{
	store *s = open_ok(path);
	int64_t r1 = add_run(s, "host", "6.12.0");
	int64_t a1 = add_result(s, r1, "a", 0), b1 = add_result(s, r1, "b", 1);
	int64_t r2, a2, b2, r3;
	store_divergence_info d = { .syscall = "mprotect", .field = "errno", .model = "0", .kernel = "-1 ENOMEM" };
	store_fault_info f = { .side = "kernel", .signo = 11, .si_code = 1, .addr = 0x7f0000001000ULL };

	add_result(s, r1, "c", 2);
	add_result(s, r1, "d", 0);
	d.result_id = b1;
	d.signature = "sig-x";
	CHECK(store_divergence(s, r1, &d) > 0);
	f.result_id = a1;
	CHECK(store_fault(s, r1, &f) > 0);
	CHECK(store_fault(s, r1, &f) > 0);
	f.side = "model";
	f.si_code = 2;
	CHECK(store_fault(s, r1, &f) > 0);
	CHECK(store_run_end(s, r1, 2, 1, 1, 0) == 0);

	r2 = add_run(s, "qemu-user", "6.18.0");
	a2 = add_result(s, r2, "a", 1);
	b2 = add_result(s, r2, "b", 1);
	add_result(s, r2, "c", 3);
	d.result_id = b2;
	d.minimized = "mprotect(A, 1p, PROT_READ) = 0\n";
	CHECK(store_divergence(s, r2, &d) == 2);
	d.result_id = a2;
	d.signature = "sig-y";
	d.minimized = NULL;
	CHECK(store_divergence(s, r2, &d) == 3);
	f.result_id = a2;
	f.side = "kernel";
	f.signo = 7;
	f.si_code = 2;
	CHECK(store_fault(s, r2, &f) > 0);

	r3 = add_run(s, "host", "6.12.0");
	add_result(s, r3, "a", 0);
	add_result(s, r3, "d", 1);
	CHECK(store_run_end(s, r3, 1, 1, 0, 0) == 0);
	store_close(s);
}

TEST(views_answer_the_common_questions)
{
	const char *path = tpath("views.db");
	sqlite3 *db;

	populate_history(path);
	db = raw(path);
	/* v_runs: recorded totals, or counted ones for the unfinished run. */
	CHECK_Q(db, "SELECT group_concat(id || ':' || status || ':' || pass || fail || skip || error"
		" || ':' || results || divergences || faults, ' ') FROM v_runs",
		"1:finished:2110:413 2:unfinished:0201:321 3:finished:1100:200");
	CHECK_QI(db, "SELECT count(*) FROM v_runs WHERE seconds >= 0", 2);

	/* v_latest_results: a from run 3, b and c from run 2. */
	CHECK_Q(db, "SELECT group_concat(name || ':' || result || ':' || run_id, ' ') FROM"
		" (SELECT * FROM v_latest_results ORDER BY name)", "a:PASS:3 b:FAIL:2 c:ERROR:2 d:FAIL:3");

	/* v_failures: what failed in the last run that failed. */
	CHECK_Q(db, "SELECT group_concat(run_id || name || ':' || result || ':' || divergences, ' ') FROM"
		" (SELECT * FROM v_failures ORDER BY run_id, name)",
		"1b:FAIL:1 2a:FAIL:1 2b:FAIL:1 2c:ERROR:0 3d:FAIL:0");
	CHECK_Q(db, "SELECT message FROM v_failures WHERE run_id = 1", "why");

	/* v_divergence_signatures: sig-x seen twice in two runs, its example the
	 * minimized one; only sig-y is new since run 1. */
	CHECK_Q(db, "SELECT count || ' ' || runs || ' ' || first_run || ' ' || last_run || ' ' || example_id"
		" || ' ' || minimized FROM v_divergence_signatures WHERE signature = 'sig-x'", "2 2 1 2 2 1");
	CHECK_Q(db, "SELECT group_concat(signature) FROM v_divergence_signatures WHERE first_run > 1", "sig-y");
	CHECK_QI(db, "SELECT first_seen <= last_seen FROM v_divergence_signatures WHERE signature = 'sig-x'", 1);

	/* v_faults_by_code. */
	CHECK_Q(db, "SELECT group_concat(run_id || ' ' || side || ' ' || signal || ' ' || code || ' ' || count, ', ')"
		" FROM (SELECT * FROM v_faults_by_code ORDER BY run_id, side, signo, si_code)",
		"1 kernel SIGSEGV SEGV_MAPERR 2, 1 model SIGSEGV SEGV_ACCERR 1, 2 kernel SIGBUS BUS_ADRERR 1");

	/* v_case_history. */
	CHECK_Q(db, "SELECT group_concat(name || ' ' || runs || ' ' || pass || fail || skip || error || ' '"
		" || flaky || ' ' || kernels || ' ' || last_result, ', ') FROM (SELECT * FROM v_case_history ORDER BY name)",
		"a 3 2100 0 2 PASS, b 2 0200 0 2 FAIL, c 2 0011 0 2 ERROR, d 2 1100 1 1 FAIL");

	/* v_targets. */
	CHECK_Q(db, "SELECT group_concat(target || ' ' || kernel_release || ' ' || runs || ' ' || first_run"
		" || ' ' || last_run, ', ') FROM (SELECT * FROM v_targets ORDER BY target)",
		"host 6.12.0 2 1 3, qemu-user 6.18.0 1 2 2");

	/* Deleting a run removes what belongs to it. */
	raw_exec(db, "PRAGMA foreign_keys = ON; DELETE FROM runs WHERE id = 2");
	CHECK_QI(db, "SELECT count(*) FROM results WHERE run_id = 2", 0);
	CHECK_QI(db, "SELECT count(*) FROM divergences", 1);
	CHECK_QI(db, "SELECT count(*) FROM faults", 3);
	sqlite3_close(db);
}

/*
 * Every `sql` block of docs/querying.md runs without error against the
 * history above (lines starting with '.' are sqlite3 shell commands and
 * are skipped), so the documented queries keep working.
 */
TEST(documented_queries_run)
{
	const char *path = tpath("docs.db");
	char doc[1024], *text, *line, *save = NULL;
	static char sql[8192];
	size_t len, used = 0;
	int in_sql = 0, blocks = 0;
	const char *slash = strrchr(__FILE__, '/');
	sqlite3 *db;

	/* __FILE__ is .../tests/test_store.c. */
	snprintf(doc, sizeof(doc), "%.*s/../docs/querying.md", slash ? (int)(slash - __FILE__) : 1,
		 slash ? __FILE__ : ".");
	text = slurp(doc, &len);
	CHECK_MSG(text != NULL, "cannot read %s", doc);
	if (!text)
		return;
	text[len] = '\0';
	populate_history(path);
	db = raw(path);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!in_sql) {
			in_sql = !strcmp(line, "```sql");
			used = 0;
			sql[0] = '\0';
			continue;
		}
		if (strcmp(line, "```") != 0) {
			if (line[0] != '.' && used < sizeof(sql))
				used += (size_t)snprintf(sql + used, sizeof(sql) - used, "%s\n", line);
			CHECK(used < sizeof(sql));
			continue;
		}
		in_sql = 0;
		blocks++;
		for (const char *tail = sql; tail && *tail;) {
			sqlite3_stmt *st = NULL;
			int rc = sqlite3_prepare_v2(db, tail, -1, &st, &tail);

			if (rc == SQLITE_OK && st)
				while ((rc = sqlite3_step(st)) == SQLITE_ROW)
					;
			CHECK_MSG(rc == SQLITE_OK || rc == SQLITE_DONE, "docs/querying.md: %s\n%s",
				  sqlite3_errmsg(db), sql);
			sqlite3_finalize(st);
			if (rc != SQLITE_OK && rc != SQLITE_DONE)
				break;
		}
	}
	CHECK_MSG(blocks >= 15, "only %d sql blocks in %s", blocks, doc);
	sqlite3_close(db);
	free(text);
}

/* ---- batches --------------------------------------------------------- */

TEST(batches_nest_and_a_failed_write_undoes_only_itself)
{
	const char *path = tpath("batch.db");
	store *s = open_ok(path);
	int64_t run = add_run(s, "host", "6.18.0");
	sqlite3 *db = raw(path);

	CHECK(store_commit(s) == -1);
	CHECK_HAS(store_error(s), "no batch is open");

	CHECK(store_begin(s) == 0);
	CHECK(store_begin(s) == 0);
	CHECK(add_result(s, run, "one", 0) > 0);
	CHECK(store_commit(s) == 0);
	CHECK_QI(db, "SELECT count(*) FROM results", 0); /* not yet */
	CHECK(add_result(s, run, "bad", 9) == -1);
	CHECK(add_result(s, 1234, "bad", 0) == -1);      /* run checked after the savepoint began */
	CHECK(add_result(s, run, "two", 0) > 0);
	CHECK(store_commit(s) == 0);
	CHECK_Q(db, "SELECT group_concat(name) FROM (SELECT name FROM v_results ORDER BY result_id)", "one,two");

	/* A batch still open at close is rolled back. */
	CHECK(store_begin(s) == 0);
	CHECK(add_result(s, run, "three", 0) > 0);
	store_close(s);
	CHECK_QI(db, "SELECT count(*) FROM results", 2);
	sqlite3_close(db);
}

/* ---- refusals -------------------------------------------------------- */

/* Opens path expecting a refusal naming the file and containing want; the
 * file must be byte for byte as before and no -wal/-shm left behind. */
static void check_refused(const char *path, const char *want)
{
	size_t before_len, after_len;
	char *before = slurp(path, &before_len), *after;
	char err[512] = "";
	store *s = (store *)1;
	int had_wal = sidecar_exists(path, "-wal"), had_shm = sidecar_exists(path, "-shm");

	CHECK(before != NULL);
	CHECK(store_open(path, &s, err, sizeof(err)) == -1);
	CHECK(s == NULL);
	CHECK_HAS(err, path);
	CHECK_HAS(err, want);
	after = slurp(path, &after_len);
	CHECK_MSG(after && before_len == after_len && memcmp(before, after, before_len) == 0,
		  "%s changed (%zu bytes before, %zu after)", path, before_len, after_len);
	CHECK_MSG(sidecar_exists(path, "-wal") == had_wal, "%s-wal appeared", path);
	CHECK_MSG(sidecar_exists(path, "-shm") == had_shm, "%s-shm appeared", path);
	free(before);
	free(after);
}

TEST(newer_schema_is_refused_and_untouched)
{
	const char *path = tpath("newer.db");
	store *s = open_ok(path);
	sqlite3 *db;

	CHECK(add_result(s, add_run(s, "host", "6.18.0"), "a", 0) > 0);
	store_close(s);
	db = raw(path);
	raw_exec(db, "PRAGMA user_version = 7");
	sqlite3_close(db);
	check_refused(path, "schema version 7 is newer than this mmspec (3); upgrade mmspec");
}

/*
 * A version-1 database (as mmspec 0.1 wrote it) migrates to the current
 * schema keeping every row: each old run gets a distinct uuid, old results
 * have no expectation, and the new calls work on it.
 */
TEST(version_1_database_migrates_and_keeps_its_rows)
{
	extern const char *store_test_schema_v1(void);
	const char *path = tpath("v1.db");
	sqlite3 *db = raw(path);
	store *s;

	raw_exec(db, store_test_schema_v1());
	raw_exec(db, "INSERT INTO migrations (version, description) VALUES (1, 'runs, cases, results, divergences, faults and the v_* views');"
		 "PRAGMA user_version = 1; PRAGMA application_id = 1835889520;"
		 "INSERT INTO runs (kind, target) VALUES ('run', 'host'), ('fuzz', 'host');"
		 "INSERT INTO cases (file, name) VALUES ('suites/t.mmt', 'a');"
		 "INSERT INTO results (run_id, case_id, result) VALUES (1, 1, 'FAIL');"
		 "INSERT INTO divergences (run_id, result_id, signature) VALUES (1, 1, 'mprotect:errno:0:ENOMEM');");
	sqlite3_close(db);

	s = open_ok(path);
	CHECK(store_divergence_triage(s, 1, "munmap(A, 1p)\n", 3, 4) == 0);
	CHECK(store_divergence_triage(s, 1, NULL, 4, 4) == 0);
	CHECK(store_divergence_triage(s, 99, NULL, 1, 1) == -1);
	CHECK_HAS(store_error(s), "divergence 99 does not exist");
	CHECK(store_divergence_triage(s, 1, NULL, 5, 4) == -1);
	CHECK_HAS(store_error(s), "not a ratio");
	{
		store_progress_info p = { .elapsed_s = 1.5, .programs = 900, .divergences = 2,
					  .signatures = 1, .branches = 321 };
		CHECK(store_campaign_progress(s, 2, &p) == 1);
		CHECK(store_campaign_progress(s, 42, &p) == -1);
	}
	store_close(s);

	db = raw(path);
	check_current_schema(db);
	CHECK_QI(db, "SELECT count(*) FROM runs", 2);
	CHECK_QI(db, "SELECT count(DISTINCT uuid) FROM runs WHERE length(uuid) = 32", 2);
	CHECK_QI(db, "SELECT count(*) FROM results WHERE expected IS NULL", 1);
	CHECK_Q(db, "SELECT minimized FROM divergences WHERE id = 1", "munmap(A, 1p)\n");
	CHECK_QI(db, "SELECT reproduced * 10 + attempts FROM divergences WHERE id = 1", 44);
	CHECK_QI(db, "SELECT programs + branches FROM campaign_progress WHERE run_id = 2", 1221);
	sqlite3_close(db);
}

TEST(run_uuid_origin_and_expected_round_trip)
{
	const char *path = tpath("v2.db");
	store *s = open_ok(path);
	store_run_info ri = { .kind = "run", .target = "qemu-user", .uuid = "0123abcd",
			      .origin = "ci.db@builder-2" };
	store_result_info r = { .file = "suites/t.mmt", .case_name = "x", .result = 1,
				.expected = "FAIL", .duration_ms = NAN };
	int64_t run = store_run_begin(s, &ri);
	sqlite3 *db;

	CHECK(run == 1);
	CHECK(store_run_begin(s, &ri) == -1); /* the same uuid twice */
	CHECK(store_result(s, run, &r) == 1);
	r.expected = "MAYBE";
	CHECK(store_result(s, run, &r) == -1);
	CHECK(add_run(s, "host", "6.18.0") == 2);
	store_close(s);
	db = raw(path);
	CHECK_Q(db, "SELECT uuid || ' ' || origin FROM runs WHERE id = 1", "0123abcd ci.db@builder-2");
	CHECK_QI(db, "SELECT length(uuid) FROM runs WHERE id = 2", 32);
	CHECK_QI(db, "SELECT origin IS NULL FROM runs WHERE id = 2", 1);
	CHECK_Q(db, "SELECT expected FROM results WHERE id = 1", "FAIL");
	sqlite3_close(db);
}

/* A deterministic byte soup. */
static void garbage(unsigned char *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
}

TEST(files_that_are_not_mmspec_databases_are_refused_and_untouched)
{
	static const char text[] = "# suites/mmap.mmt\ncase mmap-len-zero\n  mmap(NULL, 0, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 EINVAL\n";
	static unsigned char buf[16384];
	const char *full = tpath("full.db"), *path;
	size_t len;
	char *db_bytes;
	store *s;
	sqlite3 *db;

	path = tpath("text.db");
	spew(path, text, sizeof(text) - 1);
	check_refused(path, "not an mmspec database (file is not a database)");

	path = tpath("garbage.db");
	garbage(buf, sizeof(buf), 1);
	spew(path, buf, sizeof(buf));
	check_refused(path, "not an mmspec database (file is not a database)");

	/* The SQLite magic, then garbage. */
	path = tpath("magic-garbage.db");
	memcpy(buf, "SQLite format 3", 16);
	spew(path, buf, sizeof(buf));
	check_refused(path, "not an mmspec database");

	/* A real mmspec database of many pages, truncated. */
	s = open_ok(full);
	{
		int64_t run = add_run(s, "host", "6.18.0");
		static char program[2048];
		store_result_info r = { .file = "suites/big.mmt", .program = program };
		char name[32];

		memset(program, 'x', sizeof(program) - 1);
		CHECK(store_begin(s) == 0);
		for (int i = 0; i < 200; i++) {
			snprintf(name, sizeof(name), "case-%d", i);
			r.case_name = name;
			CHECK(store_result(s, run, &r) > 0);
		}
		CHECK(store_commit(s) == 0);
	}
	store_close(s);
	db_bytes = slurp(full, &len);
	CHECK(db_bytes && len > 100 * 4096);
	path = tpath("truncated.db");
	spew(path, db_bytes, len / 2 / 4096 * 4096);
	check_refused(path, "database is corrupt");
	path = tpath("header-only.db");
	spew(path, db_bytes, 4096);
	check_refused(path, "database is corrupt");
	path = tpath("short.db");
	spew(path, db_bytes, 50);
	check_refused(path, "not an mmspec database (file is not a database)");
	free(db_bytes);

	/* Another program's SQLite database. */
	path = tpath("foreign.db");
	db = raw(path);
	raw_exec(db, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')");
	sqlite3_close(db);
	check_refused(path, "not an mmspec database (it holds 1 tables, indexes or views but no mmspec schema)");

	path = tpath("foreign-app.db");
	db = raw(path);
	raw_exec(db, "PRAGMA application_id = 305419896");
	sqlite3_close(db);
	check_refused(path, "application_id 0x12345678 belongs to another program");
}

TEST(missing_directory_and_directories_are_refused)
{
	char err[512] = "";
	store *s = (store *)1;
	const char *path = tpath("no/such/dir/mmspec.db");

	CHECK(store_open(path, &s, err, sizeof(err)) == -1);
	CHECK(s == NULL);
	CHECK_HAS(err, path);
	CHECK_HAS(err, "/no/such/dir does not exist");
	CHECK(!exists(tpath("no")));

	path = tpath("a-directory.db");
	CHECK(mkdir(path, 0700) == 0);
	CHECK(store_open(path, &s, err, sizeof(err)) == -1);
	CHECK_HAS(err, "is a directory");
	CHECK(rmdir(path) == 0);

	CHECK(store_open(NULL, &s, err, sizeof(err)) == -1);
	CHECK(store_open("", &s, NULL, 0) == -1);
}

/* ---- locking and concurrency ----------------------------------------- */

/*
 * Another process holds an exclusive transaction until told to stop; our
 * writes wait out the (short) busy timeout and fail with "locked", reads
 * still work, nothing stored is lost, and writing works again afterwards.
 * The store is opened only after the fork: SQLite connections must not
 * cross fork().
 */
TEST(a_locked_database_fails_with_locked_and_loses_nothing)
{
	const char *path = tpath("locked.db");
	int held[2], release[2], status = 0;
	store *s = open_ok(path);
	int64_t run = add_run(s, "host", "6.18.0");
	sqlite3 *db;
	pid_t pid;
	char c = 0;

	CHECK(add_result(s, run, "before", 0) == 1);
	store_close(s);
	CHECK(pipe(held) == 0 && pipe(release) == 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		sqlite3 *child = raw(path);
		close(held[0]);
		close(release[1]);
		raw_exec(child, "BEGIN EXCLUSIVE; INSERT INTO cases (file, name) VALUES ('lock', 'held')");
		if (write(held[1], "x", 1) != 1)
			_exit(2);
		if (read(release[0], &c, 1) != 1)
			_exit(3);
		raw_exec(child, "ROLLBACK");
		sqlite3_close(child);
		_exit(0);
	}
	close(held[1]);
	close(release[0]);
	CHECK(read(held[0], &c, 1) == 1 && c == 'x');

	s = open_ok(path); /* WAL: opening only reads */
	CHECK(store_set_busy_timeout(s, -5) == -1);
	CHECK_HAS(store_error(s), "negative");
	CHECK(store_set_busy_timeout(s, 50) == 0);
	CHECK(add_result(s, run, "during", 0) == -1);
	CHECK_HAS(store_error(s), "database is locked by another process");
	CHECK_HAS(store_error(s), path);
	CHECK(add_run(s, "host", "6.18.0") == -1);
	CHECK_HAS(store_error(s), "locked");
	CHECK(store_begin(s) == -1);
	CHECK_HAS(store_error(s), "locked");
	CHECK(store_run_end(s, run, 1, 0, 0, 0) == -1);
	db = raw(path);
	CHECK_QI(db, "SELECT count(*) FROM results", 1);

	CHECK(write(release[1], "y", 1) == 1);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(held[0]);
	close(release[1]);

	CHECK(add_result(s, run, "after", 0) == 2);
	CHECK(store_begin(s) == 0 && store_commit(s) == 0);
	store_close(s);
	CHECK_Q(db, "SELECT group_concat(name) FROM (SELECT name FROM v_results ORDER BY result_id)", "before,after");
	CHECK_QI(db, "SELECT count(*) FROM cases WHERE file = 'lock'", 0);
	sqlite3_close(db);
}

enum { WRITERS = 4, PER_WRITER = 200 };

static int writer(const char *path, int n)
{
	char err[512], name[32], target[32];
	store *s = NULL;
	int64_t run, res;

	if (store_open(path, &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "writer %d: %s\n", n, err);
		return 1;
	}
	snprintf(target, sizeof(target), "writer-%d", n);
	run = add_run(s, target, "6.18.0");
	if (run < 0)
		goto fail;
	for (int i = 0; i < PER_WRITER; i++) {
		store_result_info r = { .file = "suites/concurrent.mmt", .case_name = name,
					.result = i % 4, .duration_ms = i };
		store_fault_info f = { .step = i, .side = "kernel", .signo = 11,
				       .si_code = 1 + i % 2, .addr = 0x10000ULL * (uint64_t)i };

		snprintf(name, sizeof(name), "case-%03d", i);
		res = store_result(s, run, &r);
		if (res < 0)
			goto fail;
		f.result_id = res;
		if (store_fault(s, run, &f) < 0)
			goto fail;
	}
	if (store_run_end(s, run, PER_WRITER / 4, PER_WRITER / 4, PER_WRITER / 4, PER_WRITER / 4) < 0)
		goto fail;
	store_close(s);
	return 0;
fail:
	fprintf(stderr, "writer %d: %s\n", n, store_error(s));
	store_close(s);
	return 1;
}

/* Four processes create and write one new database at once, every write its
 * own transaction. All start together, released by the closing of a pipe. */
TEST(concurrent_writers_lose_nothing)
{
	const char *path = tpath("concurrent.db");
	int gate[2], status;
	pid_t pids[WRITERS];
	sqlite3 *db;

	CHECK(pipe(gate) == 0);
	fflush(NULL);
	for (int i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			char c;
			close(gate[1]);
			if (read(gate[0], &c, 1) != 0)
				_exit(2);
			_exit(writer(path, i));
		}
		CHECK(pids[i] > 0);
	}
	close(gate[0]);
	close(gate[1]);
	for (int i = 0; i < WRITERS; i++) {
		CHECK(waitpid(pids[i], &status, 0) == pids[i]);
		CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d: status 0x%x", i, status);
	}

	db = raw(path);
	check_current_schema(db);
	CHECK_QI(db, "SELECT count(*) FROM runs", WRITERS);
	CHECK_QI(db, "SELECT count(*) FROM results", WRITERS * PER_WRITER);
	CHECK_QI(db, "SELECT count(*) FROM faults", WRITERS * PER_WRITER);
	CHECK_QI(db, "SELECT count(*) FROM cases", PER_WRITER);
	CHECK_QI(db, "SELECT count(*) FROM v_runs WHERE status = 'finished' AND results = 200 AND faults = 200"
		 " AND pass = 50 AND error = 50", WRITERS);
	CHECK_QI(db, "SELECT count(*) FROM v_case_history WHERE runs = 4", PER_WRITER);
	CHECK_QI(db, "SELECT count(*) FROM faults f JOIN results r ON r.id = f.result_id"
		 " WHERE r.run_id = f.run_id AND f.step = CAST(r.duration_ms AS INTEGER)", WRITERS * PER_WRITER);
	CHECK_QI(db, "SELECT sum(count) FROM v_faults_by_code WHERE code = 'SEGV_MAPERR'", WRITERS * PER_WRITER / 2);
	sqlite3_close(db);
}

int main(int argc, char **argv)
{
	int rc = test_main(argc, argv);

	remove_tmpdir();
	return rc;
}
