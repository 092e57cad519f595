#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# matrix.sh: runs the bundled suites on every target and prints the matrix
# of results, case by target.
#
#   scripts/matrix.sh [--db FILE] [--qemu-user] [--no-run]
#
# Targets: the host (the running kernel), a VM of Debian's 6.1 cloud kernel
# and one of its 6.12 kernel (build/kernels/, scripts/fetch-kernels.sh),
# and with --qemu-user the host kernel under qemu-x86_64 as well. All runs
# go into one database (default build/matrix.db, started afresh unless
# --no-run, which only prints the matrix of what the database holds).
#
# The matrix comes from `mmspec report matrix` when this build has it;
# otherwise from a plain sqlite3 query over runs and results: one line per
# case whose outcome is not the same everywhere, then each target's totals.
# Outcomes: PASS, FAIL, SKIP, ERROR, and XFAIL/XPASS for a case's known
# divergence on that target (`xfail target`, docs/case-format.md).
# Exit status: 0 when no target has an unexpected failure or error.
set -uo pipefail
cd "$(dirname "$0")/.."
db=build/matrix.db
qemu_user=0
run=1
while [ $# -gt 0 ]; do
	case $1 in
	--db) db=$2; shift 2 ;;
	--qemu-user) qemu_user=1; shift ;;
	--no-run) run=0; shift ;;
	*) echo "usage: scripts/matrix.sh [--db FILE] [--qemu-user] [--no-run]" >&2; exit 2 ;;
	esac
done
mmspec=build/mmspec
[ -x "$mmspec" ] || { echo "matrix: build first (cmake --preset default && cmake --build --preset default)" >&2; exit 2; }

status=0
if [ $run = 1 ]; then
	rm -f "$db"
	targets=(host vm:build/kernels/6.1/vmlinuz vm:build/kernels/6.12/vmlinuz)
	[ $qemu_user = 1 ] && targets+=(qemu-user)
	for t in "${targets[@]}"; do
		echo "matrix: running the suites on $t" >&2
		"$mmspec" run --target "$t" --db "$db" suites/ | tail -1
		rc=${PIPESTATUS[0]}
		[ "$rc" = 0 ] || status=1
	done
fi

if "$mmspec" report --db "$db" matrix 2>/dev/null; then
	exit $status
fi

# No `mmspec report` in this build: the same matrix from SQL. The latest run
# of each target and kernel release is a column.
sqlite3 -batch "$db" <<'SQL'
.mode list
.separator "  "
CREATE TEMP VIEW cols AS
  SELECT max(id) AS run_id,
         CASE WHEN target LIKE 'vm:%' AND instr(kernel_release, '-') > 0
              THEN 'vm:' || substr(kernel_release, 1, instr(kernel_release, '-') - 1)
              ELSE target END AS target
  FROM runs WHERE kind = 'run' GROUP BY target, kernel_release;
CREATE TEMP VIEW cells AS
  SELECT c.file || ':' || c.name AS name, cols.target AS target,
         CASE WHEN r.expected = 'FAIL' AND r.result = 'FAIL' THEN 'XFAIL'
              WHEN r.expected = 'FAIL' AND r.result = 'PASS' THEN 'XPASS'
              ELSE r.result END AS outcome
  FROM results r JOIN cols ON cols.run_id = r.run_id JOIN cases c ON c.id = r.case_id;
SELECT 'Cases whose outcome differs between targets:';
SELECT printf('  %-64s', name), group_concat(target || '=' || outcome, '  ')
  FROM (SELECT * FROM cells ORDER BY name, target)
  GROUP BY name HAVING count(DISTINCT outcome) > 1 ORDER BY name;
SELECT '';
SELECT printf('%-22s %5s %5s %5s %5s %5s %5s', 'target', 'pass', 'fail', 'xfail', 'xpass', 'skip', 'error');
SELECT printf('%-22s %5d %5d %5d %5d %5d %5d', target,
              sum(outcome = 'PASS'), sum(outcome = 'FAIL'), sum(outcome = 'XFAIL'),
              sum(outcome = 'XPASS'), sum(outcome = 'SKIP'), sum(outcome = 'ERROR'))
  FROM cells GROUP BY target ORDER BY target;
SQL
exit $status
