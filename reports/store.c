/* SPDX-License-Identifier: MIT */
/*
 * store.c: the SQLite store of runs, case results, divergences and faults.
 *
 * store_open looks before it writes: it refuses a path whose directory is
 * missing, a file that is not SQLite, a SQLite file of another program, a
 * corrupt file and a newer schema, all before the first write, so a refused
 * file is left as it was. Only then does it switch to WAL mode and apply the
 * missing migrations (schema.c) in one IMMEDIATE transaction, rereading the
 * version inside it because another process may have migrated meanwhile.
 * Several processes may create one new file at once: the WAL switch, where
 * SQLite does not wait on its own, is retried up to the busy timeout.
 *
 * Every write is one short transaction: BEGIN IMMEDIATE takes the write lock
 * up front, waiting up to the busy timeout, so a writer never fails halfway
 * on a stale read snapshot. Inside a store_begin batch a write is a
 * SAVEPOINT instead, so a failed write undoes only itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "storeInt.h"

#define NOW_SQL "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

enum stmt_id {
	ST_RUN_BEGIN,
	ST_RUN_END,
	ST_RUN_EXISTS,
	ST_CASE_ADD,
	ST_CASE_ID,
	ST_RESULT,
	ST_RESULT_RUN,
	ST_DIVERGENCE,
	ST_FAULT,
	ST_TRIAGE,
	ST_PROGRESS,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_RUN_BEGIN] =
		"INSERT INTO runs (kind, tool_version, target, kernel_release, profile,"
		" config_json, options, seed, host, pid, uuid, origin)"
		" VALUES (coalesce(?1, 'run'), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
		" coalesce(?11, lower(hex(randomblob(16)))), ?12)",
	[ST_RUN_END] =
		"UPDATE runs SET finished_at = " NOW_SQL ","
		" pass = ?2, fail = ?3, skip = ?4, error = ?5 WHERE id = ?1",
	[ST_RUN_EXISTS] = "SELECT id FROM runs WHERE id = ?1",
	[ST_CASE_ADD] =
		"INSERT INTO cases (file, name) VALUES (?1, ?2)"
		" ON CONFLICT (file, name) DO NOTHING",
	[ST_CASE_ID] = "SELECT id FROM cases WHERE file = ?1 AND name = ?2",
	[ST_RESULT] =
		"INSERT INTO results (run_id, case_id, result, message, program, duration_ms,"
		" expected) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_RESULT_RUN] = "SELECT run_id FROM results WHERE id = ?1",
	[ST_DIVERGENCE] =
		"INSERT INTO divergences (run_id, result_id, program, step, step_text,"
		" syscall, field, model, kernel, model_layout, kernel_layout, signature,"
		" minimized, reproduced, attempts)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
	[ST_FAULT] =
		"INSERT INTO faults (run_id, result_id, step, step_text, side, signo,"
		" signal, si_code, code, si_addr)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[ST_TRIAGE] =
		"UPDATE divergences SET minimized = coalesce(?2, minimized),"
		" reproduced = ?3, attempts = ?4 WHERE id = ?1",
	[ST_PROGRESS] =
		"INSERT INTO campaign_progress (run_id, elapsed_s, programs, divergences,"
		" signatures, branches) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	int depth;          /* store_begin nesting; > 0: a batch is open */
	int busy_ms;
	int unusable;       /* open found no usable database in the file */
	char *path;
	char err[512];
};

static const char *const result_names[] = { "PASS", "FAIL", "SKIP", "ERROR" };

/* ---- errors ---------------------------------------------------------- */

/* Sets the handle's error to "path: message". Returns -1. */
__attribute__((format(printf, 2, 3)))
static int seterr(store *s, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(s->err, sizeof(s->err), "%s: ", s->path ? s->path : "(null)");

	if (n < 0 || (size_t)n >= sizeof(s->err))
		return -1;
	va_start(ap, fmt);
	vsnprintf(s->err + n, sizeof(s->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Reports an SQLite failure of rc in what; a busy database reads "locked".
 * Call it before anything else touches the connection. Returns -1. */
static int fail_sql(store *s, const char *what, int rc)
{
	const char *msg = sqlite3_errcode(s->db) == rc ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return seterr(s, "database is locked by another process (%s waited %d ms)",
			      what, s->busy_ms);
	case SQLITE_NOTADB:
		s->unusable = 1;
		return seterr(s, "not an mmspec database (%s)", msg);
	case SQLITE_CORRUPT:
		s->unusable = 1;
		return seterr(s, "database is corrupt (%s)", msg);
	default:
		return seterr(s, "%s: %s", what, msg);
	}
}

/* ---- statements ------------------------------------------------------ */

static sqlite3_stmt *stmt(store *s, enum stmt_id id)
{
	if (!s->st[id]) {
		int rc = sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
					    &s->st[id], NULL);
		if (rc != SQLITE_OK) {
			fail_sql(s, "prepare", rc);
			sqlite3_finalize(s->st[id]);
			s->st[id] = NULL;
		}
	}
	return s->st[id];
}

/* Bindings of one statement; rc keeps the first failure. */
typedef struct binder {
	sqlite3_stmt *st;
	int rc;
} binder;

static void bind_rc(binder *b, int rc)
{
	if (rc != SQLITE_OK && b->rc == SQLITE_OK)
		b->rc = rc;
}

static void bind_text(binder *b, int i, const char *v)
{
	bind_rc(b, v ? sqlite3_bind_text(b->st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(b->st, i));
}

static void bind_int(binder *b, int i, int64_t v)
{
	bind_rc(b, sqlite3_bind_int64(b->st, i, v));
}

/* An id of 0 means none: NULL. */
static void bind_id(binder *b, int i, int64_t v)
{
	bind_rc(b, v ? sqlite3_bind_int64(b->st, i, v) : sqlite3_bind_null(b->st, i));
}

/*
 * Steps a bound statement once. Returns 1 with the first column of its row
 * in *row, 0 if it gave no row, -1 on failure (error set). The statement is
 * reset and its bindings cleared either way.
 */
static int step(store *s, const binder *b, const char *what, int64_t *row)
{
	int rc = b->rc, ret = -1;

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(b->st);
		if (rc == SQLITE_ROW) {
			if (row)
				*row = sqlite3_column_int64(b->st, 0);
			ret = 1;
		} else if (rc == SQLITE_DONE) {
			ret = 0;
		}
	}
	if (ret < 0)
		fail_sql(s, what, rc);
	sqlite3_reset(b->st);
	sqlite3_clear_bindings(b->st);
	return ret;
}

/* ---- transactions ---------------------------------------------------- */

static int exec(store *s, const char *sql, const char *what)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : fail_sql(s, what, rc);
}

/* Opens the transaction of one write: its own, or a savepoint in a batch. */
static int tx_begin(store *s, const char *what)
{
	return exec(s, s->depth ? "SAVEPOINT store_op" : "BEGIN IMMEDIATE", what);
}

/* Undoes the write begun by tx_begin, keeping the error already set. */
static void tx_abort(store *s)
{
	if (sqlite3_get_autocommit(s->db)) {
		/* SQLite already rolled back the whole transaction (it does on
		 * I/O errors, a full disk, out of memory). */
		if (s->depth) {
			size_t n = strlen(s->err);
			snprintf(s->err + n, sizeof(s->err) - n, "; the batch was rolled back");
			s->depth = 0;
		}
		return;
	}
	if (s->depth)
		sqlite3_exec(s->db, "ROLLBACK TO store_op; RELEASE store_op", NULL, NULL, NULL);
	else
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Ends the write begun by tx_begin; on failure it is undone. */
static int tx_end(store *s, const char *what)
{
	if (exec(s, s->depth ? "RELEASE store_op" : "COMMIT", what) < 0) {
		tx_abort(s);
		return -1;
	}
	return 0;
}

/* ---- open ------------------------------------------------------------ */

static int path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/*
 * Looks at the path before SQLite opens it: a missing directory, a
 * directory, or a file that does not start with the SQLite header are
 * refused here, where nothing can be written.
 */
static int precheck(store *s)
{
	static const char magic[16] = "SQLite format 3";
	struct stat st;
	char head[100];
	ssize_t n;
	int fd;

	if (stat(s->path, &st) < 0) {
		char *dir, *slash;

		if (errno != ENOENT)
			return seterr(s, "cannot open: %s", strerror(errno));
		dir = strdup(s->path);
		if (!dir)
			return seterr(s, "out of memory");
		slash = strrchr(dir, '/');
		if (slash == dir)
			slash[1] = '\0';
		else if (slash)
			*slash = '\0';
		else
			strcpy(dir, ".");
		if (stat(dir, &st) < 0) {
			int e = errno;
			if (e == ENOENT)
				seterr(s, "directory %s does not exist", dir);
			else
				seterr(s, "directory %s: %s", dir, strerror(e));
			free(dir);
			return -1;
		}
		if (!S_ISDIR(st.st_mode)) {
			seterr(s, "%s is not a directory", dir);
			free(dir);
			return -1;
		}
		free(dir);
		return 0;
	}
	if (S_ISDIR(st.st_mode))
		return seterr(s, "is a directory, not a database file");
	if (st.st_size == 0)
		return 0; /* a new database */
	fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return seterr(s, "cannot open: %s", strerror(errno));
	n = read(fd, head, sizeof(head));
	close(fd);
	if (n < 0)
		return seterr(s, "cannot read: %s", strerror(errno));
	if (n < (ssize_t)sizeof(head) || memcmp(head, magic, sizeof(magic)) != 0)
		return seterr(s, "not an mmspec database (file is not a database)");
	return 0;
}

/* Runs a query giving one integer. Returns 0 or -1. */
static int query_int(store *s, const char *sql, int64_t *v)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*v = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
	}
	if (rc != SQLITE_OK)
		fail_sql(s, "read", rc);
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : -1;
}

/*
 * Reads what the file is and decides whether it may be used: 1 if it must
 * be migrated, 0 if it is current, -1 if refused (error set). Runs in
 * whatever transaction the caller holds.
 */
static int inspect(store *s)
{
	int64_t app = 0, version = 0, objects = 0;

	if (query_int(s, "PRAGMA application_id", &app) < 0 ||
	    query_int(s, "PRAGMA user_version", &version) < 0 ||
	    query_int(s, "SELECT count(*) FROM sqlite_master", &objects) < 0)
		return -1;
	if (app != 0 && app != STORE_APPLICATION_ID)
		return seterr(s, "not an mmspec database (application_id 0x%08" PRIx64
			      " belongs to another program)", (uint64_t)app & 0xffffffff);
	if (app == 0 && (objects > 0 || version != 0))
		return seterr(s, "not an mmspec database (it holds %" PRId64
			      " tables, indexes or views but no mmspec schema)", objects);
	if (version > STORE_SCHEMA_VERSION)
		return seterr(s, "schema version %" PRId64 " is newer than this mmspec (%d);"
			      " upgrade mmspec", version, STORE_SCHEMA_VERSION);
	if (version < 0)
		return seterr(s, "not an mmspec database (schema version %" PRId64 ")", version);
	return version < STORE_SCHEMA_VERSION;
}

/* Applies the migrations after the file's version, in the caller's
 * transaction. Returns 0 or -1. */
static int apply_migrations(store *s)
{
	char sql[128];
	int64_t version = 0;

	if (query_int(s, "PRAGMA user_version", &version) < 0)
		return -1;
	for (int i = (int)version; i < store_migration_count; i++) {
		const store_migration *m = &store_migrations[i];
		sqlite3_stmt *st = NULL;
		int rc;

		if (exec(s, m->sql, "migrate") < 0)
			return -1;
		rc = sqlite3_prepare_v2(s->db, "INSERT INTO migrations (version, description)"
					" VALUES (?1, ?2)", -1, &st, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int(st, 1, m->version);
			sqlite3_bind_text(st, 2, m->description, -1, SQLITE_STATIC);
			rc = sqlite3_step(st);
			if (rc == SQLITE_DONE)
				rc = SQLITE_OK;
		}
		if (rc != SQLITE_OK)
			fail_sql(s, "migrate", rc);
		sqlite3_finalize(st);
		if (rc != SQLITE_OK)
			return -1;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d; PRAGMA application_id = %d",
		 STORE_SCHEMA_VERSION, STORE_APPLICATION_ID);
	return exec(s, sql, "migrate");
}

/* Migrates in one IMMEDIATE transaction, after rereading the version inside
 * it: another process may have migrated since open_db looked. On failure
 * nothing is changed. */
static int migrate(store *s)
{
	int r;

	if (exec(s, "BEGIN IMMEDIATE", "migrate") < 0)
		return -1;
	r = inspect(s);
	if (r == 1)
		r = apply_migrations(s);
	if (r == 0 && exec(s, "COMMIT", "migrate") == 0)
		return 0;
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int64_t elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)(t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * Switches the file to WAL mode (a no-op when it already is). SQLite does
 * not call the busy handler when the switch meets a lock held by another
 * connection that is switching or migrating too, so the wait is here:
 * retries with growing pauses up to the busy timeout.
 */
static int set_wal(store *s)
{
	struct timespec t0;
	useconds_t pause = 1000;
	char mode[16] = "";

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);

		if (rc == SQLITE_OK) {
			rc = sqlite3_step(st);
			if (rc == SQLITE_ROW) {
				snprintf(mode, sizeof(mode), "%s", (const char *)sqlite3_column_text(st, 0));
				rc = SQLITE_OK;
			}
		}
		if (rc != SQLITE_OK && ((rc & 0xff) != SQLITE_BUSY || elapsed_ms(&t0) >= s->busy_ms)) {
			fail_sql(s, "set WAL mode", rc);
			sqlite3_finalize(st);
			return -1;
		}
		sqlite3_finalize(st);
		if (rc == SQLITE_OK)
			break;
		usleep(pause);
		if (pause < 50000)
			pause *= 2;
	}
	if (strcmp(mode, "wal") != 0)
		return seterr(s, "cannot use WAL mode here (journal_mode stays %s)", mode);
	return 0;
}

static int open_db(store *s)
{
	int rc, r;

	if (precheck(s) < 0)
		return -1;
	rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		int e = s->db ? sqlite3_system_errno(s->db) : 0;
		if ((rc & 0xff) == SQLITE_CANTOPEN && e)
			return seterr(s, "cannot open: %s", strerror(e));
		return s->db ? fail_sql(s, "open", rc) : seterr(s, "cannot open: out of memory");
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, s->busy_ms);

	/* Look first, in a read transaction: nothing is written before the
	 * WAL switch, so a refused file is left as it was. */
	if (exec(s, "BEGIN", "read") < 0)
		return -1;
	r = inspect(s);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	if (r < 0)
		return -1;

	if (sqlite3_db_readonly(s->db, "main") == 1)
		return seterr(s, "cannot write the file (it or its directory is read-only)");
	if (set_wal(s) < 0)
		return -1;
	if (exec(s, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON", "configure") < 0)
		return -1;
	if (r == 1 && migrate(s) < 0)
		return -1;
	return 0;
}

/*
 * After refusing a file that is not a usable database, removes the empty
 * -wal file and the -shm file SQLite made while looking at it, if they were
 * not there before, so the directory is left as it was.
 */
static void remove_droppings(const char *path, int had_wal, int had_shm)
{
	size_t n = strlen(path) + 5;
	char *wal = malloc(n), *shm = malloc(n);
	struct stat st;

	if (wal && shm) {
		snprintf(wal, n, "%s-wal", path);
		snprintf(shm, n, "%s-shm", path);
		if (!had_wal && stat(wal, &st) == 0 && st.st_size == 0)
			unlink(wal);
		if (!had_shm && !path_exists(wal))
			unlink(shm);
	}
	free(wal);
	free(shm);
}

int store_open(const char *path, store **out, char *err, size_t errcap)
{
	store *s;
	int had_wal = 0, had_shm = 0;

	if (out)
		*out = NULL;
	if (!path || !*path || !out) {
		if (err && errcap)
			snprintf(err, errcap, "store_open: no database path");
		return -1;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		if (err && errcap)
			snprintf(err, errcap, "%s: out of memory", path);
		return -1;
	}
	s->busy_ms = STORE_BUSY_TIMEOUT_MS;
	{
		size_t n = strlen(path) + 5;
		char *p = malloc(n);
		if (p) {
			snprintf(p, n, "%s-wal", path);
			had_wal = path_exists(p);
			snprintf(p, n, "%s-shm", path);
			had_shm = path_exists(p);
			free(p);
		}
	}
	if (open_db(s) < 0) {
		int unusable = s->unusable;

		if (err && errcap)
			snprintf(err, errcap, "%s", s->err);
		store_close(s);
		if (unusable)
			remove_droppings(path, had_wal, had_shm);
		return -1;
	}
	*out = s;
	return 0;
}

void store_close(store *s)
{
	if (!s)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	/* An open batch is rolled back. */
	sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}

const char *store_error(const store *s)
{
	return s ? s->err : "no store";
}

int store_set_busy_timeout(store *s, int ms)
{
	if (!s)
		return -1;
	if (ms < 0)
		return seterr(s, "store_set_busy_timeout: %d ms is negative", ms);
	s->busy_ms = ms;
	sqlite3_busy_timeout(s->db, ms);
	return 0;
}

/* ---- batches --------------------------------------------------------- */

int store_begin(store *s)
{
	if (!s)
		return -1;
	if (s->depth == 0 && exec(s, "BEGIN IMMEDIATE", "store_begin") < 0)
		return -1;
	s->depth++;
	return 0;
}

int store_commit(store *s)
{
	if (!s)
		return -1;
	if (s->depth == 0)
		return seterr(s, "store_commit: no batch is open (store_begin)");
	if (--s->depth > 0)
		return 0;
	if (exec(s, "COMMIT", "store_commit") < 0) {
		tx_abort(s);
		return -1;
	}
	return 0;
}

/* ---- writes ---------------------------------------------------------- */

/* Checks inside the write's transaction that run_id names a run and that
 * result_id (if not 0) names a result of that run. */
static int check_ids(store *s, const char *what, int64_t run_id, int64_t result_id)
{
	binder b = { stmt(s, ST_RUN_EXISTS), SQLITE_OK };
	int64_t owner = 0;
	int r;

	if (!b.st)
		return -1;
	bind_int(&b, 1, run_id);
	r = step(s, &b, what, NULL);
	if (r <= 0)
		return r < 0 ? -1 : seterr(s, "%s: run %" PRId64 " does not exist", what, run_id);
	if (result_id == 0)
		return 0;
	b = (binder){ stmt(s, ST_RESULT_RUN), SQLITE_OK };
	if (!b.st)
		return -1;
	bind_int(&b, 1, result_id);
	r = step(s, &b, what, &owner);
	if (r <= 0)
		return r < 0 ? -1 : seterr(s, "%s: result %" PRId64 " does not exist", what, result_id);
	if (owner != run_id)
		return seterr(s, "%s: result %" PRId64 " belongs to run %" PRId64 ", not run %" PRId64,
			      what, result_id, owner, run_id);
	return 0;
}

int64_t store_run_begin(store *s, const store_run_info *info)
{
	static const store_run_info none;
	binder b;
	int64_t id;

	if (!s)
		return -1;
	if (!info)
		info = &none;
	if (tx_begin(s, "store_run_begin") < 0)
		return -1;
	b = (binder){ stmt(s, ST_RUN_BEGIN), SQLITE_OK };
	if (!b.st)
		goto fail;
	bind_text(&b, 1, info->kind);
	bind_text(&b, 2, info->tool_version);
	bind_text(&b, 3, info->target);
	bind_text(&b, 4, info->kernel_release);
	bind_text(&b, 5, info->profile);
	bind_text(&b, 6, info->config_json);
	bind_text(&b, 7, info->options);
	bind_int(&b, 8, (int64_t)info->seed);
	bind_text(&b, 9, info->host);
	bind_int(&b, 10, (int64_t)getpid());
	bind_text(&b, 11, info->uuid);
	bind_text(&b, 12, info->origin);
	if (step(s, &b, "store_run_begin", NULL) < 0)
		goto fail;
	id = sqlite3_last_insert_rowid(s->db);
	if (tx_end(s, "store_run_begin") < 0)
		return -1;
	return id;
fail:
	tx_abort(s);
	return -1;
}

int store_run_end(store *s, int64_t run_id, int64_t pass, int64_t fail,
		  int64_t skip, int64_t error)
{
	binder b;

	if (!s)
		return -1;
	if (pass < 0 || fail < 0 || skip < 0 || error < 0)
		return seterr(s, "store_run_end: negative total");
	if (tx_begin(s, "store_run_end") < 0)
		return -1;
	b = (binder){ stmt(s, ST_RUN_END), SQLITE_OK };
	if (!b.st)
		goto fail;
	bind_int(&b, 1, run_id);
	bind_int(&b, 2, pass);
	bind_int(&b, 3, fail);
	bind_int(&b, 4, skip);
	bind_int(&b, 5, error);
	if (step(s, &b, "store_run_end", NULL) < 0)
		goto fail;
	if (sqlite3_changes(s->db) == 0) {
		seterr(s, "store_run_end: run %" PRId64 " does not exist", run_id);
		goto fail;
	}
	return tx_end(s, "store_run_end");
fail:
	tx_abort(s);
	return -1;
}

int64_t store_result(store *s, int64_t run_id, const store_result_info *r)
{
	static const char what[] = "store_result";
	binder b;
	int64_t case_id = 0, id;
	int rv;

	if (!s)
		return -1;
	if (!r || !r->file || !r->case_name)
		return seterr(s, "%s: a result needs a file and a case name", what);
	if (r->result < 0 || r->result > 3)
		return seterr(s, "%s: result class %d is not one of 0 PASS, 1 FAIL, 2 SKIP, 3 ERROR",
			      what, r->result);
	if (tx_begin(s, what) < 0)
		return -1;
	if (check_ids(s, what, run_id, 0) < 0)
		goto fail;

	b = (binder){ stmt(s, ST_CASE_ADD), SQLITE_OK };
	if (!b.st)
		goto fail;
	bind_text(&b, 1, r->file);
	bind_text(&b, 2, r->case_name);
	if (step(s, &b, what, NULL) < 0)
		goto fail;
	b = (binder){ stmt(s, ST_CASE_ID), SQLITE_OK };
	if (!b.st)
		goto fail;
	bind_text(&b, 1, r->file);
	bind_text(&b, 2, r->case_name);
	rv = step(s, &b, what, &case_id);
	if (rv <= 0) {
		if (rv == 0)
			seterr(s, "%s: case %s in %s vanished", what, r->case_name, r->file);
		goto fail;
	}

	b = (binder){ stmt(s, ST_RESULT), SQLITE_OK };
	if (!b.st)
		goto fail;
	bind_int(&b, 1, run_id);
	bind_int(&b, 2, case_id);
	bind_text(&b, 3, result_names[r->result]);
	bind_text(&b, 4, r->message);
	bind_text(&b, 5, r->program);
	/* NaN binds as NULL: no duration. */
	bind_rc(&b, sqlite3_bind_double(b.st, 6, r->duration_ms));
	bind_text(&b, 7, r->expected);
	if (step(s, &b, what, NULL) < 0)
		goto fail;
	id = sqlite3_last_insert_rowid(s->db);
	if (tx_end(s, what) < 0)
		return -1;
	return id;
fail:
	tx_abort(s);
	return -1;
}

int64_t store_divergence(store *s, int64_t run_id, const store_divergence_info *d)
{
	static const char what[] = "store_divergence";
	binder b;
	int64_t id;

	if (!s)
		return -1;
	if (!d)
		return seterr(s, "%s: no divergence", what);
	if (d->result_id < 0)
		return seterr(s, "%s: result id %" PRId64 " is negative", what, d->result_id);
	if (tx_begin(s, what) < 0)
		return -1;
	if (check_ids(s, what, run_id, d->result_id) < 0)
		goto fail;
	b = (binder){ stmt(s, ST_DIVERGENCE), SQLITE_OK };
	if (!b.st)
		goto fail;
	bind_int(&b, 1, run_id);
	bind_id(&b, 2, d->result_id);
	bind_text(&b, 3, d->program);
	bind_int(&b, 4, d->step);
	bind_text(&b, 5, d->step_text);
	bind_text(&b, 6, d->syscall);
	bind_text(&b, 7, d->field);
	bind_text(&b, 8, d->model);
	bind_text(&b, 9, d->kernel);
	bind_text(&b, 10, d->model_layout);
	bind_text(&b, 11, d->kernel_layout);
	bind_text(&b, 12, d->signature);
	bind_text(&b, 13, d->minimized);
	bind_int(&b, 14, d->reproduced);
	bind_int(&b, 15, d->attempts);
	if (step(s, &b, what, NULL) < 0)
		goto fail;
	id = sqlite3_last_insert_rowid(s->db);
	if (tx_end(s, what) < 0)
		return -1;
	return id;
fail:
	tx_abort(s);
	return -1;
}

/* Linux x86-64 signal numbers and si_code values, not the host's. */
static const char *signal_name(int signo)
{
	switch (signo) {
	case 4: return "SIGILL";
	case 5: return "SIGTRAP";
	case 7: return "SIGBUS";
	case 8: return "SIGFPE";
	case 11: return "SIGSEGV";
	default: return NULL;
	}
}

static const char *code_name(int signo, int code)
{
	switch (code) {
	case 0: return "SI_USER";
	case 128: return "SI_KERNEL";
	case -6: return "SI_TKILL";
	}
	if (signo == 11) {
		switch (code) {
		case 1: return "SEGV_MAPERR";
		case 2: return "SEGV_ACCERR";
		case 3: return "SEGV_BNDERR";
		case 4: return "SEGV_PKUERR";
		case 10: return "SEGV_CPERR";
		}
	} else if (signo == 7) {
		switch (code) {
		case 1: return "BUS_ADRALN";
		case 2: return "BUS_ADRERR";
		case 3: return "BUS_OBJERR";
		case 4: return "BUS_MCEERR_AR";
		case 5: return "BUS_MCEERR_AO";
		}
	}
	return NULL;
}

int64_t store_fault(store *s, int64_t run_id, const store_fault_info *f)
{
	static const char what[] = "store_fault";
	char signame[32], codename[32];
	const char *sn, *cn;
	binder b;
	int64_t id;

	if (!s)
		return -1;
	if (!f)
		return seterr(s, "%s: no fault", what);
	if (!f->side || (strcmp(f->side, "kernel") != 0 && strcmp(f->side, "model") != 0))
		return seterr(s, "%s: side \"%s\" is not \"kernel\" or \"model\"", what,
			      f->side ? f->side : "(null)");
	if (f->result_id < 0)
		return seterr(s, "%s: result id %" PRId64 " is negative", what, f->result_id);
	sn = signal_name(f->signo);
	if (!sn) {
		snprintf(signame, sizeof(signame), "signal %d", f->signo);
		sn = signame;
	}
	cn = code_name(f->signo, f->si_code);
	if (!cn) {
		snprintf(codename, sizeof(codename), "si_code %d", f->si_code);
		cn = codename;
	}
	if (tx_begin(s, what) < 0)
		return -1;
	if (check_ids(s, what, run_id, f->result_id) < 0)
		goto fail;
	b = (binder){ stmt(s, ST_FAULT), SQLITE_OK };
	if (!b.st)
		goto fail;
	bind_int(&b, 1, run_id);
	bind_id(&b, 2, f->result_id);
	bind_int(&b, 3, f->step);
	bind_text(&b, 4, f->step_text);
	bind_text(&b, 5, f->side);
	bind_int(&b, 6, f->signo);
	bind_text(&b, 7, sn);
	bind_int(&b, 8, f->si_code);
	bind_text(&b, 9, cn);
	bind_int(&b, 10, (int64_t)f->addr);
	if (step(s, &b, what, NULL) < 0)
		goto fail;
	id = sqlite3_last_insert_rowid(s->db);
	if (tx_end(s, what) < 0)
		return -1;
	return id;
fail:
	tx_abort(s);
	return -1;
}

int store_divergence_triage(store *s, int64_t divergence_id, const char *minimized,
			    int reproduced, int attempts)
{
	static const char what[] = "store_divergence_triage";
	binder b;

	if (!s)
		return -1;
	if (reproduced < 0 || attempts < 0 || reproduced > attempts)
		return seterr(s, "%s: reproduced %d of %d attempts is not a ratio", what,
			      reproduced, attempts);
	if (tx_begin(s, what) < 0)
		return -1;
	b = (binder){ stmt(s, ST_TRIAGE), SQLITE_OK };
	if (!b.st)
		goto fail;
	bind_int(&b, 1, divergence_id);
	bind_text(&b, 2, minimized);
	bind_int(&b, 3, reproduced);
	bind_int(&b, 4, attempts);
	if (step(s, &b, what, NULL) < 0)
		goto fail;
	if (sqlite3_changes(s->db) == 0) {
		seterr(s, "%s: divergence %" PRId64 " does not exist", what, divergence_id);
		goto fail;
	}
	return tx_end(s, what);
fail:
	tx_abort(s);
	return -1;
}

int64_t store_campaign_progress(store *s, int64_t run_id, const store_progress_info *p)
{
	static const char what[] = "store_campaign_progress";
	binder b;
	int64_t id;

	if (!s)
		return -1;
	if (!p)
		return seterr(s, "%s: no progress", what);
	if (tx_begin(s, what) < 0)
		return -1;
	if (check_ids(s, what, run_id, 0) < 0)
		goto fail;
	b = (binder){ stmt(s, ST_PROGRESS), SQLITE_OK };
	if (!b.st)
		goto fail;
	bind_int(&b, 1, run_id);
	bind_rc(&b, sqlite3_bind_double(b.st, 2, p->elapsed_s));
	bind_int(&b, 3, p->programs);
	bind_int(&b, 4, p->divergences);
	bind_int(&b, 5, p->signatures);
	bind_int(&b, 6, p->branches);
	if (step(s, &b, what, NULL) < 0)
		goto fail;
	id = sqlite3_last_insert_rowid(s->db);
	if (tx_end(s, what) < 0)
		return -1;
	return id;
fail:
	tx_abort(s);
	return -1;
}
