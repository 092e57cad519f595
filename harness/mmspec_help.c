/* SPDX-License-Identifier: MIT */
/*
 * mmspec_help.c: `mmspec COMMAND -h` / `--help`: each command's usage, every
 * option on a line of its own, on standard output (exit 0). The overview of
 * all commands stays in mmspec.c (`mmspec --help`); `report` and `db` print
 * their own (report.c).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mmspec_help.h"

static const struct {
	const char *cmd;
	const char *text;
} helps[] = {
	{ "check",
	  "usage: mmspec check [options] PATH...\n"
	  "Runs case files (or folders of *.mmt) against the model alone.\n"
	  "\n"
	  "  --format text|ktap   output format (default text)\n"
	  "  --filter GLOB        only cases whose name matches\n"
	  "  --profile X.Y[.Z]    judge with that kernel version's rules\n"
	  "  -v, --verbose        print every case, not only failures\n"
	  "  -h, --help           this help\n"
	  "\n"
	  "exit status: 0 passed, 1 a failure, 2 bad usage or input, 3 the harness broke\n" },
	{ "run",
	  "usage: mmspec run [options] PATH...\n"
	  "Runs cases on the kernel in sandboxes, compares every step with the model and\n"
	  "stores everything in the database.\n"
	  "\n"
	  "  --db FILE            the database (default mmspec.db)\n"
	  "  --format text|ktap|junit  output format (default text)\n"
	  "  --filter GLOB        only cases whose name matches\n"
	  "  --jobs N             parallel executors, 1 to 64 (default 1)\n"
	  "  --target T           host, vm:KERNEL_IMAGE, qemu-user or wrap:CMD (docs/targets.md)\n"
	  "  --exec-wrapper CMD   run the executor under a wrapper (= --target wrap:CMD)\n"
	  "  --exec PATH          the mmspec-exec to use (default: next to mmspec)\n"
	  "  --maps-text          observe layouts through /proc/self/maps, not PROCMAP_QUERY\n"
	  "  --timeout MS         the sandbox watchdog (default 10000)\n"
	  "  --profile X.Y        judge with that kernel version's rules\n"
	  "  --test-hook hang|crash|exit  make the sandbox misbehave (the harness's own tests)\n"
	  "  -v, --verbose        print every case, not only failures\n"
	  "  -h, --help           this help\n"
	  "\n"
	  "exit status: 0 passed, 1 a failure, 2 bad usage or input, 3 the harness broke\n" },
	{ "explain",
	  "usage: mmspec explain FILE[:CASE]\n"
	  "Prints the model's state after every step of a case, the address space drawn\n"
	  "one character per page from A.\n"
	  "\n"
	  "  -h, --help           this help\n" },
	{ "fuzz",
	  "usage: mmspec fuzz [options] [PATH...]\n"
	  "A fuzzing campaign on the target: generated and mutated programs (seeded from\n"
	  "the cases under PATH) run on the kernel and the model; every divergence is\n"
	  "stored, rerun, minimized and deduplicated by signature (docs/campaigns.md).\n"
	  "\n"
	  "  --time D             stop after D: 90, 90s, 30m, 2h, 1h30m (default: at Ctrl-C)\n"
	  "  --jobs N             parallel workers, 1 to 64 (default 1)\n"
	  "  --seed S             the random seed (default: from the clock)\n"
	  "  --db FILE            the database (default mmspec.db)\n"
	  "  --profile X.Y        judge with that kernel version's rules\n"
	  "  --target T           host, vm:KERNEL_IMAGE, qemu-user or wrap:CMD (docs/targets.md)\n"
	  "  --max-steps N        steps per generated program, 1 to 1000 (default 24)\n"
	  "  --reruns N           reruns of each new divergence, 0 to 100 (default 5)\n"
	  "  --minimize-runs N    kernel runs one minimization may spend (default 2000)\n"
	  "  --minimize-each N    occurrences of a signature minimized, 1 to 100 (default 1)\n"
	  "  --stop-after N       stop once N signatures are triaged\n"
	  "  --stop-on GLOB       stop once a signature matching GLOB is triaged ...\n"
	  "  --stop-steps N       ... and minimized to at most N steps\n"
	  "  --export DIR         write each minimized divergence as a case file into DIR\n"
	  "  --timeout MS         the sandbox watchdog of every run (default 10000)\n"
	  "  -h, --help           this help\n"
	  "\n"
	  "exit status: 0 no divergence, 1 divergences found, 2 bad usage, 3 the harness broke\n" },
	{ "minimize",
	  "usage: mmspec minimize [options] FILE[:CASE] | ID\n"
	  "Minimizes a divergence (a case, or divergence ID in the database) keeping its\n"
	  "signature; stores it, and exports it as a suite case.\n"
	  "\n"
	  "  --db FILE            the database (default mmspec.db)\n"
	  "  --export PATH        write the minimized case there\n"
	  "  --name NAME          the exported case's name ([a-z0-9._-]+)\n"
	  "  --profile X.Y        judge with that kernel version's rules\n"
	  "  --reruns N           reruns of the result (default 5)\n"
	  "  --max-runs N         kernel runs at most\n"
	  "  --max-seconds S      time at most\n"
	  "  --target T           host, vm:KERNEL_IMAGE, qemu-user or wrap:CMD\n"
	  "  -h, --help           this help\n"
	  "\n"
	  "exit status: 0 minimized, 1 it did not diverge (nothing to minimize), 2 bad usage\n"
	  "or input, 3 the harness broke\n" },
	{ "repro",
	  "usage: mmspec repro --c [options] FILE[:CASE] | ID\n"
	  "Writes a standalone C reproducer of a case or of divergence ID: it builds with\n"
	  "plain cc, runs the program on the kernel and prints it against the model.\n"
	  "\n"
	  "  --c                  a C file (the one form there is)\n"
	  "  --db FILE            the database (default mmspec.db)\n"
	  "  -o, --output OUT.c   write there (default: standard output)\n"
	  "  --profile X.Y        predict with that kernel version's rules\n"
	  "  -h, --help           this help\n" },
	{ "version",
	  "usage: mmspec version\n"
	  "Prints mmspec's version.\n"
	  "\n"
	  "  -h, --help           this help\n" },
};

bool mmspec_wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

bool mmspec_command_help(const char *cmd, FILE *out)
{
	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++)
		if (!strcmp(helps[i].cmd, cmd)) {
			fputs(helps[i].text, out);
			return true;
		}
	return false;
}
