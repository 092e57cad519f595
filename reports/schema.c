/* SPDX-License-Identifier: MIT */
/*
 * schema.c: the store's schema, as an ordered list of migrations.
 *
 * Version 1 creates everything: the tables runs, cases, results,
 * divergences and faults, their indexes, and the v_* views that answer the
 * common questions (docs/querying.md documents each one). A later version
 * appends a step here and bumps STORE_SCHEMA_VERSION in store.h; a step is
 * never edited once released, since databases in the field already ran it.
 * Steps run inside one transaction with foreign keys enforced, so a step
 * that rebuilds a table must create the new table, copy, drop and rename
 * rather than rely on PRAGMA foreign_keys=OFF.
 *
 * Timestamps are ISO-8601 UTC text with milliseconds
 * ("2025-06-01T12:34:56.789Z"), so they sort and compare as text. 64-bit
 * unsigned values (seed, si_addr) are stored as INTEGER with the same bits:
 * values >= 2^63 read back negative, and the views print them with
 * printf('%u') and printf('0x%016x').
 */
#include "storeInt.h"
#include "store.h"

#define NOW "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"

static const char schema_v1[] =
	/* The history of migrations applied to this file. PRAGMA user_version
	 * is the authoritative version; this table says when each step ran. */
	"CREATE TABLE migrations (\n"
	"  version     INTEGER PRIMARY KEY,\n"
	"  applied_at  TEXT NOT NULL DEFAULT " NOW ",\n"
	"  description TEXT NOT NULL\n"
	");\n"

	/* One row per invocation that records results (mmspec run, check,
	 * fuzz). The totals are NULL until store_run_end. */
	"CREATE TABLE runs (\n"
	"  id             INTEGER PRIMARY KEY,\n"
	"  kind           TEXT NOT NULL DEFAULT 'run',\n"
	"  started_at     TEXT NOT NULL DEFAULT " NOW ",\n"
	"  finished_at    TEXT,\n"
	"  tool_version   TEXT,\n"
	"  target         TEXT,\n"
	"  kernel_release TEXT,\n"
	"  profile        TEXT,\n"
	"  config_json    TEXT,\n"
	"  options        TEXT,\n"
	"  seed           INTEGER NOT NULL DEFAULT 0,\n"
	"  host           TEXT,\n"
	"  pid            INTEGER,\n"
	"  pass           INTEGER,\n"
	"  fail           INTEGER,\n"
	"  skip           INTEGER,\n"
	"  error          INTEGER\n"
	");\n"
	"CREATE INDEX runs_target ON runs(target, kernel_release);\n"
	"CREATE INDEX runs_started ON runs(started_at);\n"

	/* A case is named by its file and its name, and keeps its id across
	 * runs so results can be followed through time. */
	"CREATE TABLE cases (\n"
	"  id   INTEGER PRIMARY KEY,\n"
	"  file TEXT NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  UNIQUE (file, name)\n"
	");\n"
	"CREATE INDEX cases_name ON cases(name);\n"

	"CREATE TABLE results (\n"
	"  id          INTEGER PRIMARY KEY,\n"
	"  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
	"  case_id     INTEGER NOT NULL REFERENCES cases(id),\n"
	"  result      TEXT NOT NULL CHECK (result IN ('PASS', 'FAIL', 'SKIP', 'ERROR')),\n"
	"  message     TEXT,\n"
	"  program     TEXT,\n"
	"  duration_ms REAL,\n"
	"  created_at  TEXT NOT NULL DEFAULT " NOW "\n"
	");\n"
	"CREATE INDEX results_run ON results(run_id, result);\n"
	"CREATE INDEX results_case ON results(case_id, run_id);\n"

	/* result_id is NULL for divergences found by fuzzing, outside any
	 * case. reproduced/attempts: how often a rerun showed it again. */
	"CREATE TABLE divergences (\n"
	"  id            INTEGER PRIMARY KEY,\n"
	"  run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
	"  result_id     INTEGER REFERENCES results(id) ON DELETE CASCADE,\n"
	"  program       TEXT,\n"
	"  step          INTEGER,\n"
	"  step_text     TEXT,\n"
	"  syscall       TEXT,\n"
	"  field         TEXT,\n"
	"  model         TEXT,\n"
	"  kernel        TEXT,\n"
	"  model_layout  TEXT,\n"
	"  kernel_layout TEXT,\n"
	"  signature     TEXT,\n"
	"  minimized     TEXT,\n"
	"  reproduced    INTEGER NOT NULL DEFAULT 0,\n"
	"  attempts      INTEGER NOT NULL DEFAULT 0,\n"
	"  created_at    TEXT NOT NULL DEFAULT " NOW "\n"
	");\n"
	"CREATE INDEX divergences_signature ON divergences(signature, run_id);\n"
	"CREATE INDEX divergences_run ON divergences(run_id);\n"
	"CREATE INDEX divergences_result ON divergences(result_id);\n"

	/* signal and code are the names of signo and si_code ("SIGSEGV",
	 * "SEGV_MAPERR"), written by store_fault. */
	"CREATE TABLE faults (\n"
	"  id         INTEGER PRIMARY KEY,\n"
	"  run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
	"  result_id  INTEGER REFERENCES results(id) ON DELETE CASCADE,\n"
	"  step       INTEGER,\n"
	"  step_text  TEXT,\n"
	"  side       TEXT NOT NULL CHECK (side IN ('kernel', 'model')),\n"
	"  signo      INTEGER NOT NULL,\n"
	"  signal     TEXT NOT NULL,\n"
	"  si_code    INTEGER NOT NULL,\n"
	"  code       TEXT NOT NULL,\n"
	"  si_addr    INTEGER NOT NULL,\n"
	"  created_at TEXT NOT NULL DEFAULT " NOW "\n"
	");\n"
	"CREATE INDEX faults_run ON faults(run_id, signo, si_code);\n"
	"CREATE INDEX faults_result ON faults(result_id);\n"

	/* One line per run: recorded totals once it ended, counted ones while
	 * it runs or if it never ended. */
	"CREATE VIEW v_runs AS\n"
	"SELECT ru.id, ru.kind, ru.started_at, ru.finished_at,\n"
	"  CASE WHEN ru.finished_at IS NULL THEN 'unfinished' ELSE 'finished' END AS status,\n"
	"  round((julianday(ru.finished_at) - julianday(ru.started_at)) * 86400.0, 3) AS seconds,\n"
	"  ru.target, ru.kernel_release, ru.profile, ru.tool_version, ru.host,\n"
	"  printf('%u', ru.seed) AS seed, ru.options, ru.config_json,\n"
	"  coalesce(ru.pass, (SELECT count(*) FROM results r WHERE r.run_id = ru.id AND r.result = 'PASS')) AS pass,\n"
	"  coalesce(ru.fail, (SELECT count(*) FROM results r WHERE r.run_id = ru.id AND r.result = 'FAIL')) AS fail,\n"
	"  coalesce(ru.skip, (SELECT count(*) FROM results r WHERE r.run_id = ru.id AND r.result = 'SKIP')) AS skip,\n"
	"  coalesce(ru.error, (SELECT count(*) FROM results r WHERE r.run_id = ru.id AND r.result = 'ERROR')) AS error,\n"
	"  (SELECT count(*) FROM results r WHERE r.run_id = ru.id) AS results,\n"
	"  (SELECT count(*) FROM divergences d WHERE d.run_id = ru.id) AS divergences,\n"
	"  (SELECT count(*) FROM faults f WHERE f.run_id = ru.id) AS faults\n"
	"FROM runs ru;\n"

	/* Every result with its case and run. */
	"CREATE VIEW v_results AS\n"
	"SELECT r.id AS result_id, r.run_id, ru.kind, ru.started_at, ru.target,\n"
	"  ru.kernel_release, ru.profile, c.id AS case_id, c.file, c.name,\n"
	"  r.result, r.message, r.duration_ms\n"
	"FROM results r\n"
	"JOIN cases c ON c.id = r.case_id\n"
	"JOIN runs ru ON ru.id = r.run_id;\n"

	/* The result of each case in the latest run that ran it. */
	"CREATE VIEW v_latest_results AS\n"
	"SELECT c.id AS case_id, c.file, c.name, r.result, r.message, r.run_id,\n"
	"  ru.kind, ru.started_at, ru.target, ru.kernel_release, r.duration_ms,\n"
	"  r.id AS result_id\n"
	"FROM cases c\n"
	"JOIN results r ON r.id = (SELECT l.id FROM results l WHERE l.case_id = c.id\n"
	"                          ORDER BY l.run_id DESC, l.id DESC LIMIT 1)\n"
	"JOIN runs ru ON ru.id = r.run_id;\n"

	/* Failing and erroring results, with how many divergences each has. */
	"CREATE VIEW v_failures AS\n"
	"SELECT v.*, (SELECT count(*) FROM divergences d WHERE d.result_id = v.result_id) AS divergences\n"
	"FROM v_results v\n"
	"WHERE v.result IN ('FAIL', 'ERROR');\n"

	/* Each case across all runs. flaky: it both passed and failed on one
	 * target and kernel release (passing on one kernel and failing on
	 * another is a difference between kernels, not flakiness). */
	"CREATE VIEW v_case_history AS\n"
	"SELECT c.id AS case_id, c.file, c.name,\n"
	"  count(r.id) AS results, count(DISTINCT r.run_id) AS runs,\n"
	"  coalesce(sum(r.result = 'PASS'), 0) AS pass,\n"
	"  coalesce(sum(r.result = 'FAIL'), 0) AS fail,\n"
	"  coalesce(sum(r.result = 'SKIP'), 0) AS skip,\n"
	"  coalesce(sum(r.result = 'ERROR'), 0) AS error,\n"
	"  EXISTS (SELECT 1 FROM results x JOIN runs xr ON xr.id = x.run_id\n"
	"          WHERE x.case_id = c.id GROUP BY xr.target, xr.kernel_release\n"
	"          HAVING sum(x.result = 'PASS') > 0 AND sum(x.result = 'FAIL') > 0) AS flaky,\n"
	"  count(DISTINCT ru.kernel_release) AS kernels,\n"
	"  min(r.run_id) AS first_run, max(r.run_id) AS last_run,\n"
	"  (SELECT l.result FROM results l WHERE l.case_id = c.id\n"
	"   ORDER BY l.run_id DESC, l.id DESC LIMIT 1) AS last_result\n"
	"FROM cases c\n"
	"LEFT JOIN results r ON r.case_id = c.id\n"
	"LEFT JOIN runs ru ON ru.id = r.run_id\n"
	"GROUP BY c.id;\n"

	/* Every divergence with its run's target and its case. */
	"CREATE VIEW v_divergences AS\n"
	"SELECT d.id, d.run_id, ru.target, ru.kernel_release, c.file, c.name,\n"
	"  d.step, d.step_text, d.syscall, d.field, d.model, d.kernel, d.signature,\n"
	"  d.reproduced, d.attempts, d.minimized IS NOT NULL AS has_minimized,\n"
	"  d.result_id, d.created_at\n"
	"FROM divergences d\n"
	"JOIN runs ru ON ru.id = d.run_id\n"
	"LEFT JOIN results r ON r.id = d.result_id\n"
	"LEFT JOIN cases c ON c.id = r.case_id;\n"

	/* Divergences deduplicated by signature. example_id is the first
	 * minimized one if any was minimized, else the first one. */
	"CREATE VIEW v_divergence_signatures AS\n"
	"SELECT g.signature, g.count, g.first_seen, g.last_seen, g.runs,\n"
	"  g.first_run, g.last_run, g.reproduced, g.attempts, g.example_id,\n"
	"  e.syscall, e.field, e.step_text, e.model, e.kernel,\n"
	"  e.minimized IS NOT NULL AS minimized\n"
	"FROM (SELECT signature, count(*) AS count,\n"
	"        min(created_at) AS first_seen, max(created_at) AS last_seen,\n"
	"        count(DISTINCT run_id) AS runs,\n"
	"        min(run_id) AS first_run, max(run_id) AS last_run,\n"
	"        sum(reproduced) AS reproduced, sum(attempts) AS attempts,\n"
	"        coalesce(min(CASE WHEN minimized IS NOT NULL THEN id END), min(id)) AS example_id\n"
	"      FROM divergences GROUP BY signature) g\n"
	"JOIN divergences e ON e.id = g.example_id;\n"

	/* Every fault with its case, the address in hex. */
	"CREATE VIEW v_faults AS\n"
	"SELECT f.id, f.run_id, c.file, c.name, f.step, f.step_text, f.side,\n"
	"  f.signal, f.code, printf('0x%016x', f.si_addr) AS si_addr,\n"
	"  f.signo, f.si_code, f.result_id, f.created_at\n"
	"FROM faults f\n"
	"LEFT JOIN results r ON r.id = f.result_id\n"
	"LEFT JOIN cases c ON c.id = r.case_id;\n"

	/* Fault counts per run, side, signal and code. */
	"CREATE VIEW v_faults_by_code AS\n"
	"SELECT run_id, side, signal, code, signo, si_code, count(*) AS count\n"
	"FROM faults\n"
	"GROUP BY run_id, side, signo, si_code;\n"

	/* Which targets and kernels were run, and when. */
	"CREATE VIEW v_targets AS\n"
	"SELECT target, kernel_release, profile, count(*) AS runs,\n"
	"  min(id) AS first_run, max(id) AS last_run,\n"
	"  min(started_at) AS first_started, max(started_at) AS last_started\n"
	"FROM runs\n"
	"GROUP BY target, kernel_release, profile;\n";

/*
 * Version 2: campaigns, merged databases and expected divergences.
 *  - runs.uuid names a run across databases (mmspec db merge skips a run
 *    whose uuid is already there); runs.origin says where a merged run came
 *    from (the source file and host), NULL for runs recorded here.
 *  - results.expected is 'FAIL' when the case states a known divergence on
 *    the run's target: a FAIL is then reported as XFAIL, a PASS as XPASS.
 *  - campaign_progress: one row per status tick of `mmspec fuzz`, for the
 *    campaign timeline (programs run, divergences and distinct signatures
 *    found, model branches reached, by elapsed seconds).
 */
static const char schema_v2[] =
	"ALTER TABLE runs ADD COLUMN uuid TEXT;\n"
	"ALTER TABLE runs ADD COLUMN origin TEXT;\n"
	"UPDATE runs SET uuid = lower(hex(randomblob(16))) WHERE uuid IS NULL;\n"
	"CREATE UNIQUE INDEX runs_uuid ON runs(uuid);\n"
	"ALTER TABLE results ADD COLUMN expected TEXT"
	" CHECK (expected IS NULL OR expected IN ('PASS', 'FAIL'));\n"
	"CREATE TABLE campaign_progress (\n"
	"  id          INTEGER PRIMARY KEY,\n"
	"  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
	"  elapsed_s   REAL NOT NULL,\n"
	"  programs    INTEGER NOT NULL,\n"
	"  divergences INTEGER NOT NULL,\n"
	"  signatures  INTEGER NOT NULL,\n"
	"  branches    INTEGER NOT NULL DEFAULT 0,\n"
	"  created_at  TEXT NOT NULL DEFAULT " NOW "\n"
	");\n"
	"CREATE INDEX campaign_progress_run ON campaign_progress(run_id, elapsed_s);\n";

/*
 * Version 3: views for `mmspec report` (reports/report.c).
 *  - v_outcomes: every result with its class, the result read against the
 *    expectation: a FAIL expected to fail is XFAIL, a PASS expected to fail
 *    is XPASS, anything else is its result.
 *  - v_matrix: the latest result of each case on each target (by the run's
 *    start time, then id: merged runs get new ids but keep their time), of
 *    case runs: results a fuzzing campaign records (its harness errors) are
 *    not suite cases.
 *  - v_signature_targets: divergence counts per signature and target.
 *  - results_expected: the index behind "known divergences" filters.
 */
static const char schema_v3[] =
	"CREATE VIEW v_outcomes AS\n"
	"SELECT r.id AS result_id, r.run_id, ru.kind, ru.started_at, ru.target,\n"
	"  ru.kernel_release, ru.profile, c.id AS case_id, c.file, c.name, r.result,\n"
	"  r.expected,\n"
	"  CASE WHEN r.expected = 'FAIL' AND r.result = 'FAIL' THEN 'XFAIL'\n"
	"       WHEN r.expected = 'FAIL' AND r.result = 'PASS' THEN 'XPASS'\n"
	"       ELSE r.result END AS class,\n"
	"  r.message, r.duration_ms\n"
	"FROM results r\n"
	"JOIN cases c ON c.id = r.case_id\n"
	"JOIN runs ru ON ru.id = r.run_id;\n"

	"CREATE VIEW v_matrix AS\n"
	"SELECT result_id, run_id, kind, started_at, target, kernel_release, profile, case_id,\n"
	"  file, name, result, expected, class, message, duration_ms\n"
	"FROM (SELECT o.*, row_number() OVER (PARTITION BY o.case_id, o.target\n"
	"        ORDER BY o.started_at DESC, o.run_id DESC, o.result_id DESC) AS latest\n"
	"      FROM v_outcomes o WHERE o.kind != 'fuzz')\n"
	"WHERE latest = 1;\n"

	"CREATE VIEW v_signature_targets AS\n"
	"SELECT d.signature, ru.target, count(*) AS count, count(DISTINCT d.run_id) AS runs,\n"
	"  min(d.created_at) AS first_seen, max(d.created_at) AS last_seen\n"
	"FROM divergences d JOIN runs ru ON ru.id = d.run_id\n"
	"GROUP BY d.signature, ru.target;\n"

	"CREATE INDEX results_expected ON results(expected) WHERE expected IS NOT NULL;\n";

/* The first version's script alone, for the migration test. */
const char *store_test_schema_v1(void);
const char *store_test_schema_v1(void)
{
	return schema_v1;
}

const store_migration store_migrations[] = {
	{ 1, "runs, cases, results, divergences, faults and the v_* views", schema_v1 },
	{ 2, "runs.uuid and origin, results.expected, campaign_progress", schema_v2 },
	{ 3, "v_outcomes, v_matrix, v_signature_targets for mmspec report", schema_v3 },
};
const int store_migration_count = sizeof(store_migrations) / sizeof(store_migrations[0]);

_Static_assert(sizeof(store_migrations) / sizeof(store_migrations[0]) == STORE_SCHEMA_VERSION,
	       "one migration per schema version");
