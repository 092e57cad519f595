/* SPDX-License-Identifier: MIT */
/*
 * fuzz_campaign.c: `mmspec fuzz`, a fuzzing campaign that needs neither
 * AFL++ nor libFuzzer.
 *
 *   mmspec fuzz [--time D] [--jobs N] [--seed S] [--db FILE] [--profile X.Y]
 *               [--max-steps N] [--reruns N] [--minimize-runs N] [--minimize-each N]
 *               [--stop-after N] [--stop-on GLOB [--stop-steps N]]
 *               [--export DIR] [--target host|vm:KERNEL_IMAGE|qemu-user|wrap:CMD] [--timeout MS]
 *               [PATH...]
 *
 * The controller forks N workers and then only watches: a status line,
 * a store_campaign_progress row every 10 s, the stop on --time, Ctrl-C
 * or SIGTERM. Each worker has its own executor (fuzz_diff) and its own
 * connection to the one database, and loops: generate a program or mutate
 * one of its corpus (seeded from the cases under PATH), run it on the
 * kernel and the model, keep it in the corpus when it reached a behaviour
 * class no program had reached before.
 *
 * A divergence is stored the moment it is found. The first worker to meet
 * a signature (a shared table, in memory every worker maps) triages it:
 * reruns, minimization, the triage columns of its row, and with --export a
 * case file. Later meetings of a known signature are counted, not
 * minimized again (unless --minimize-each asks for more tries); the first
 * ten of each are stored too, the rest only counted.
 *
 * What "classes" counts: distinct (operation, outcome, number of VMAs
 * around the step afterwards, process) tuples over every step run on the
 * kernel, where the model agreed. It stands in for model branch coverage at
 * no cost (no instrumented build): a new class is a new way for a syscall
 * to end, or an old way in a new neighbourhood.
 *
 * --target: as for `mmspec run` (harness/target.c). Every worker's
 * executor runs there (one VM per worker for the whole campaign with
 * vm:), the run row stores the target's name, so the campaign's
 * signatures are that target's findings, and triage reruns and minimizes
 * on the same target.
 *
 * Exit status: 0 no divergence, 1 divergences found, 2 bad usage, 3 the
 * harness broke (no worker could start).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"
#include "store.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define EXIT_BROKEN 3

#define MAX_JOBS 64
#define SIG_SLOTS 4096
#define CLASS_BITS (1u << 18)
#define STORED_PER_SIGNATURE 10
#define CORPUS_MAX 1024
/* The sandbox watchdog in campaigns, as in `mmspec run` (--timeout). */
#define FUZZ_TIMEOUT_MS 10000
#define STOP_GRACE_S 3         /* seconds a worker gets to stop after --time or Ctrl-C */

/* One signature met in this campaign. */
typedef struct sig_slot {
	_Atomic uint64_t hash;        /* 0: free */
	_Atomic int64_t count;        /* times met */
	_Atomic int64_t stored;       /* rows written */
	_Atomic int ready;            /* the first triage finished (or gave up) */
	_Atomic int busy;             /* a worker is triaging an occurrence */
	_Atomic int minimizations;    /* occurrences minimized so far */
	int64_t div_id;               /* the triaged row */
	int32_t reproduced, attempts;
	uint32_t steps_before, steps_after;
	_Atomic int cut_short;        /* the kept triage was cut short by the stop */
	char sig[200];
} sig_slot;

/* Skips by reason (skip_reason()): how many, and the first message. */
#define SKIP_REASONS 64
#define STORED_PER_SKIP_REASON 3
typedef struct skip_slot {
	_Atomic uint64_t hash;        /* 0: free */
	_Atomic int64_t count;
	char reason[200];
	char example[400];
} skip_slot;

/* Shared by the controller and every worker (MAP_SHARED, made before the forks). */
typedef struct shared {
	volatile int stop;            /* set by the controller, or a worker at --stop-after */
	_Atomic int64_t programs, pass, fail, skip, error;
	_Atomic int64_t signatures;
	_Atomic int64_t classes;
	_Atomic int64_t triaging;     /* workers minimizing right now */
	_Atomic int workers_up;
	_Atomic int restarts;         /* workers restarted after a crash */
	char current[MAX_JOBS][8192]; /* each worker's program in flight, as text */
	_Atomic uint64_t class_bits[CLASS_BITS / 64];
	sig_slot slot[SIG_SLOTS];
	skip_slot skips[SKIP_REASONS];
	_Atomic int64_t skips_other;  /* reasons past SKIP_REASONS */
} shared;

typedef struct campaign {
	double seconds;               /* 0: until stopped */
	int jobs;
	uint64_t seed;
	const char *db_path;
	uint32_t profile;             /* 0: the target's */
	uint32_t max_steps;
	int reruns;
	uint32_t minimize_runs;
	int64_t stop_after;           /* stop once this many signatures are triaged; 0: never */
	const char *stop_on;          /* stop once a signature matching this glob is triaged ... */
	uint32_t stop_steps;          /* ... and minimized to at most this many steps (0: any) */
	int minimize_each;            /* occurrences of a signature minimized (the shortest wins) */
	const char *export_dir;
	uint32_t stop_in_minimize;    /* test hook: stop the campaign after this many minimization runs */
	uint32_t timeout_ms;          /* the sandbox watchdog of every run */
	int64_t run_id;
	char cmdline[2048];
	prog_file **seeds;
	size_t nseeds;
	shared *sh;
} campaign;

static volatile sig_atomic_t got_signal;

static void on_stop_signal(int sig)
{
	got_signal = sig;
}

/* s as a JSON string (quotes and backslashes escaped, controls dropped). */
static void json_str(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	if (cap < 3)
		return;
	out[n++] = '"';
	for (; *s && n + 3 < cap; s++) {
		if (*s == '"' || *s == '\\')
			out[n++] = '\\';
		if ((unsigned char)*s >= 0x20)
			out[n++] = *s;
	}
	out[n++] = '"';
	out[n] = 0;
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h ? h : 1;
}

/*
 * Finds or claims the slot of a signature. *fresh is true for the one
 * caller that claimed it (and must triage it). NULL when the table is full.
 */
static sig_slot *sig_claim(shared *sh, const char *sig, bool *fresh)
{
	uint64_t h = hash_str(sig);
	*fresh = false;
	for (uint32_t i = 0; i < SIG_SLOTS; i++) {
		sig_slot *s = &sh->slot[(h + i) % SIG_SLOTS];
		uint64_t cur = atomic_load(&s->hash);
		if (cur == 0) {
			uint64_t zero = 0;
			if (atomic_compare_exchange_strong(&s->hash, &zero, h)) {
				snprintf(s->sig, sizeof(s->sig), "%s", sig);
				atomic_store(&s->busy, 1);
				atomic_fetch_add(&sh->signatures, 1);
				*fresh = true;
				atomic_fetch_add(&s->count, 1);
				return s;
			}
			cur = zero;
		}
		if (cur == h) {
			atomic_fetch_add(&s->count, 1);
			return s;
		}
	}
	return NULL;
}

/* ---- behaviour classes ---- */

static void note_classes(shared *sh, const prog_case *c, const exec_obs *o, uint32_t upto)
{
	for (uint32_t i = 0; i < upto && i < c->nsteps && i < o->steps_done; i++) {
		const exec_step_obs *so = &o->step[i];
		if (!so->done)
			continue;
		const prog_step *s = &c->steps[i];
		int64_t outcome;
		if (so->signo)
			outcome = 1000 + so->signo * 64 + so->code;
		else if (so->ret < 0 && so->ret >= -4095)
			outcome = so->ret;
		else
			outcome = 0;
		uint32_t vmas = so->layout_taken && !so->layout_full ? (so->layout_count < 7 ? so->layout_count : 7) : 8;
		uint64_t key = ((uint64_t)s->op << 40) ^ ((uint64_t)(outcome & 0xffffff) << 8) ^ (vmas << 2) ^
			       (s->proc != PROG_ROOT);
		uint64_t h = hash_str("") ^ key;
		h = (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 32;
		uint32_t bit = (uint32_t)(h % CLASS_BITS);
		uint64_t mask = 1ULL << (bit % 64);
		if (!(atomic_fetch_or(&sh->class_bits[bit / 64], mask) & mask))
			atomic_fetch_add(&sh->classes, 1);
	}
}

/* ---- skips by reason ---- */

/*
 * The reason of a SKIP message without what varies from program to program:
 * the `line N: \`step\`: ` prefix, quoted steps, parenthesized details
 * (instruction bytes, addresses), and digits. "line 7: `fetch(A+3p)`: the
 * instruction there (0f 05 ...) is a system call: not modelled" reads
 * "the instruction there is a system call: not modelled".
 */
static void skip_reason(const char *msg, char *out, size_t cap)
{
	size_t n = 0;
	int depth = 0, qname = 0;
	bool quoted = false;
	if (!strncmp(msg, "line ", 5)) {
		const char *p = strchr(msg, ':');
		if (p)
			msg = p + 1;
	}
	for (const char *p = msg; *p && n + 1 < cap; p++) {
		if (depth && *p != '(' && *p != ')' && *p != '[' && *p != ']')
			continue;
		if (*p == '`') {
			quoted = !quoted;
			qname = quoted ? 0 : 2;
			continue;
		}
		if (quoted) {
			/* The step's operation only: "[$c0] madvise(...)" -> "madvise". */
			if (*p == '[')
				qname = 3;
			else if (qname == 3 && *p == ']')
				qname = 0;
			else if (qname < 2 && ((*p >= 'a' && *p <= 'z') || *p == '_' || (*p >= '0' && *p <= '9')))
				out[n++] = *p, qname = 1;
			else if (qname == 1)
				qname = 2;
			continue;
		}
		if (qname == 2 && *p != ' ' && *p != ':' && n && out[n - 1] != ' ')
			out[n++] = ' ';
		qname = 0;
		if (!quoted && (*p == '(' || *p == '[')) {
			depth++;
			continue;
		}
		if (!quoted && (*p == ')' || *p == ']') && depth) {
			depth--;
			continue;
		}
		if (!depth && p[0] == '0' && p[1] == 'x') {
			/* An address: one '#' for all of it. */
			for (p += 2; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++)
				;
			p--;
			if (!n || out[n - 1] != '#')
				out[n++] = '#';
			continue;
		}
		if (!depth && !strncmp(p, "line ", 5) && p[5] >= '0' && p[5] <= '9') {
			/* "line N: " inside a message (a wrapped one) */
			for (p += 5; *p >= '0' && *p <= '9'; p++)
				;
			if (*p == ':')
				p++;
			p--;
			continue;
		}
		if (depth)
			continue;
		char ch = *p >= '0' && *p <= '9' ? '#' : *p;
		if (ch == '#' && n && out[n - 1] == '#')
			continue;
		if (ch == ' ' && (!n || out[n - 1] == ' '))
			continue;
		if (ch == ':' && !n)
			continue;
		out[n++] = ch;
	}
	while (n && (out[n - 1] == ' ' || out[n - 1] == ':'))
		n--;
	out[n] = 0;
}

/* Counts a SKIP under its reason; true for the first few of each reason
 * (the ones worth storing as result rows). */
static bool note_skip(shared *sh, const char *msg)
{
	char reason[200];
	skip_reason(msg, reason, sizeof(reason));
	uint64_t h = hash_str(reason);
	for (uint32_t i = 0; i < SKIP_REASONS; i++) {
		skip_slot *s = &sh->skips[(h + i) % SKIP_REASONS];
		uint64_t cur = atomic_load(&s->hash);
		if (cur == 0) {
			uint64_t zero = 0;
			if (atomic_compare_exchange_strong(&s->hash, &zero, h)) {
				snprintf(s->reason, sizeof(s->reason), "%s", reason);
				snprintf(s->example, sizeof(s->example), "%.399s", msg);
				cur = h;
			} else {
				cur = zero;
			}
		}
		if (cur == h)
			return atomic_fetch_add(&s->count, 1) < STORED_PER_SKIP_REASON;
	}
	atomic_fetch_add(&sh->skips_other, 1);
	return false;
}

/* ---- a worker ---- */

typedef struct corpus {
	prog_case *v;
	size_t n;
} corpus;

static void corpus_add(corpus *cp, fuzz_rng *r, const prog_case *c)
{
	size_t at;
	if (cp->n < CORPUS_MAX) {
		at = cp->n++;
	} else {
		at = (size_t)fuzz_rng_below(r, CORPUS_MAX);
		prog_case_clear(&cp->v[at]);
	}
	prog_case_init(&cp->v[at], c->name);
	if (prog_case_copy(&cp->v[at], c))
		prog_case_init(&cp->v[at], "fuzz");
}

static void text_of_step(const prog_case *c, uint32_t step, char **out)
{
	*out = prog_step_to_string(c, &c->steps[step < c->nsteps ? step : (c->nsteps ? c->nsteps - 1 : 0)]);
}

/* Stores one divergence as found; returns its id or -1. */
static int64_t store_found(store *db, int64_t run_id, const prog_case *c, const harness_divergence *div)
{
	char *text = prog_case_to_string(c), *stt = NULL;
	if (c->nsteps)
		text_of_step(c, div->step, &stt);
	store_divergence_info di = { 0, text, (int)div->step, stt, div->syscall, div->field, div->model,
				     div->kernel, div->model_layout, div->kernel_layout, div->signature,
				     NULL, 0, 0 };
	int64_t id = store_divergence(db, run_id, &di);
	free(text);
	free(stt);
	return id;
}

static void export_case(campaign *cp, fuzz_diff *d, const prog_case *m, const harness_divergence *div,
			int64_t id, int wno)
{
	char name[PROG_NAME_MAX], path[4096], err[512], comment[1024], date[32];
	fuzz_case_name(div->signature, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s.mmt", cp->export_dir, name);
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	snprintf(comment, sizeof(comment),
		 "Found by mmspec fuzz (run %" PRId64 ", divergence %" PRId64 " in %s), minimized.\n"
		 "signature: %s\nkernel: Linux %s, model profile %s, %s\n"
		 "The model predicted %s where the kernel gave %s; the expectations\n"
		 "below are the kernel's outcomes.",
		 cp->run_id, id, cp->db_path, div->signature, fuzz_diff_target(d)->release,
		 fuzz_diff_profile(d), date, div->model, div->kernel);
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "\nmmspec fuzz: worker %d: %s: %s\n", wno, path, strerror(errno));
		return;
	}
	if (fuzz_export_case(f, d, m, name, comment, err, sizeof(err)))
		fprintf(stderr, "\nmmspec fuzz: worker %d: export: %s\n", wno, err);
	fclose(f);
}

/*
 * Triage of one occurrence of a signature: reruns, minimization, the row's
 * triage columns. The first occurrence of each signature is triaged, then
 * with --minimize-each N, up to N - 1 later ones: a later program may
 * minimize to fewer steps (the campaign keeps the shortest, exports that).
 */
typedef struct triage_progress {
	campaign *cp;
	store *db;
	int64_t id;
	int reproduced, attempts;
	int wno;
} triage_progress;

/* The minimized program as stored: a first comment line says when it is
 * only the best found so far (the case language skips comments). */
static char *minimized_text(const prog_case *m, const char *note)
{
	char *text = prog_case_to_string(m);
	if (!text || !note)
		return text;
	size_t n = strlen(note) + strlen(text) + 4;
	char *out = malloc(n);
	if (out)
		snprintf(out, n, "# %s\n%s", note, text);
	free(text);
	return out;
}

/* fuzz_minimize's progress: every better program is stored at once, so a
 * campaign stopped (or killed) in the middle of a minimization keeps the
 * best found and says it is not finished. */
static void on_minimize_progress(void *arg, const prog_case *best, uint32_t runs)
{
	triage_progress *tp = arg;
	shared *sh = tp->cp->sh;
	if (tp->cp->stop_in_minimize && runs >= tp->cp->stop_in_minimize)
		sh->stop = 1; /* the test hook: as if the time ran out now */
	if (!best || tp->id <= 0)
		return;
	char note[128];
	snprintf(note, sizeof(note), "minimization under way (%u kernel runs so far): the best program so far", runs);
	char *text = minimized_text(best, note);
	if (text && store_divergence_triage(tp->db, tp->id, text, tp->reproduced, tp->attempts))
		fprintf(stderr, "\nmmspec fuzz: worker %d: %s\n", tp->wno, store_error(tp->db));
	free(text);
}

/*
 * Triage of one occurrence of a signature: reruns, minimization, the row's
 * triage columns. The first occurrence of each signature is triaged, then
 * with --minimize-each N, up to N - 1 later ones: a later program may
 * minimize to fewer steps (the campaign keeps the shortest, exports that).
 * The campaign's stop (--time, Ctrl-C) cuts both short: what was found is
 * stored, and the row says the minimization was cut short.
 */
static void triage(campaign *cp, fuzz_diff *d, store *db, sig_slot *slot, const prog_case *c,
		   const harness_divergence *div, int64_t id, int wno)
{
	shared *sh = cp->sh;
	atomic_fetch_add(&sh->triaging, 1);
	bool first = !atomic_load(&slot->ready);
	int rep = 0, att = 0;
	for (; att < cp->reruns && !sh->stop; att++)
		rep += fuzz_same_divergence(d, c, div->signature);
	triage_progress tp = { cp, db, id, rep, att, wno };
	fuzz_minimize_opts mo = { cp->minimize_runs, 120.0, &sh->stop, on_minimize_progress, &tp };
	prog_case m;
	fuzz_minimize_stats st;
	int rc = fuzz_minimize(d, c, div->signature, &mo, &m, &st);
	bool cut = st.cancelled || att < cp->reruns;
	char note[160];
	snprintf(note, sizeof(note), "minimization cut short by the end of the campaign after %u kernel runs "
		 "(%d of %d reruns): the best program so far", st.runs, att, cp->reruns);
	char *text = rc >= 0 ? minimized_text(&m, cut ? note : NULL) : NULL;
	if (id > 0 && store_divergence_triage(db, id, text, rep, att))
		fprintf(stderr, "\nmmspec fuzz: worker %d: %s\n", wno, store_error(db));
	uint32_t after = rc >= 0 ? m.nsteps : c->nsteps;
	atomic_fetch_add(&slot->minimizations, 1);
	if (first || (after < slot->steps_after && id > 0)) {
		slot->div_id = id;
		slot->reproduced = rep;
		slot->attempts = att;
		slot->steps_before = c->nsteps;
		slot->steps_after = after;
		atomic_store(&slot->cut_short, cut);
		if (rc >= 0 && cp->export_dir) {
			harness_case_report r2;
			harness_divergence d2;
			if (fuzz_diff_run(d, &m, &r2, &d2) == HARNESS_FAIL)
				export_case(cp, d, &m, &d2, id, wno);
		}
	}
	atomic_store(&slot->ready, 1);
	if (cp->stop_on && !fnmatch(cp->stop_on, div->signature, 0) &&
	    (!cp->stop_steps || slot->steps_after <= cp->stop_steps))
		sh->stop = 1;
	free(text);
	if (rc >= 0)
		prog_case_clear(&m);
	atomic_store(&slot->busy, 0);
	atomic_fetch_sub(&sh->triaging, 1);
}

static int worker(campaign *cp, int wno, int generation)
{
	shared *sh = cp->sh;
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	char err[512];
	store *db;
	if (store_open(cp->db_path, &db, err, sizeof(err))) {
		fprintf(stderr, "\nmmspec fuzz: worker %d: %s\n", wno, err);
		return 3;
	}
	fuzz_diff *d;
	exec_options eo = { .timeout_ms = cp->timeout_ms };
	if (fuzz_diff_init(&d, &eo, err, sizeof(err))) {
		fprintf(stderr, "\nmmspec fuzz: worker %d: cannot start the executor: %s\n", wno, err);
		store_close(db);
		return 3;
	}
	if (cp->profile)
		fuzz_diff_set_profile(d, cp->profile);
	atomic_fetch_add(&sh->workers_up, 1);
	fuzz_rng r;
	fuzz_rng_seed(&r, cp->seed ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(wno + 1)) ^
			      ((uint64_t)generation << 48));
	fuzz_config cfg;
	fuzz_config_default(&cfg);
	if (cp->max_steps)
		cfg.max_steps = cp->max_steps;
	corpus co = { calloc(CORPUS_MAX, sizeof(prog_case)), 0 };
	if (!co.v) {
		fuzz_diff_free(d);
		store_close(db);
		return 3;
	}
	/* Seeds: the cases under PATH, in the generator's canonical form. */
	for (size_t f = 0; f < cp->nseeds; f++)
		for (uint32_t i = 0; i < cp->seeds[f]->ncases; i++) {
			prog_case *s = &cp->seeds[f]->cases[i];
			prog_case t;
			if (fuzz_program_canonical(s, &cfg, &t))
				continue;
			if (co.n < CORPUS_MAX && t.nsteps)
				co.v[co.n++] = t;
			else
				prog_case_clear(&t);
		}
	int64_t errors_stored = 0, skips_stored = 0;
	/* Worker w runs seeds w, w + jobs, ... once as they are, then mutates. */
	size_t next_seed = (size_t)wno;
	while (!sh->stop) {
		prog_case c;
		int rc;
		if (next_seed < co.n) {
			prog_case_init(&c, "fuzz");
			rc = prog_case_copy(&c, &co.v[next_seed]);
			next_seed += (size_t)cp->jobs;
		} else if (co.n && fuzz_rng_below(&r, 100) < 75) {
			prog_case_init(&c, "fuzz");
			rc = prog_case_copy(&c, &co.v[fuzz_rng_below(&r, co.n)]);
			if (!rc) {
				const prog_case *other = fuzz_rng_below(&r, 4) == 0 ? &co.v[fuzz_rng_below(&r, co.n)] : NULL;
				int times = 1 + (int)fuzz_rng_below(&r, 3);
				for (int k = 0; k < times && !rc; k++)
					rc = fuzz_mutate(&r, &cfg, &c, other);
			}
		} else {
			rc = fuzz_generate(&r, &cfg, &c);
		}
		if (rc) {
			prog_case_clear(&c);
			continue;
		}
		harness_case_report rep;
		harness_divergence div;
		/* For the controller, should this program kill the worker (a model
		 * crash): it stores the program and starts a new worker. */
		char *inflight = prog_case_to_string(&c);
		snprintf(sh->current[wno], sizeof(sh->current[wno]), "%s", inflight ? inflight : "");
		free(inflight);
		harness_result res = fuzz_diff_run(d, &c, &rep, &div);
		atomic_fetch_add(&sh->programs, 1);
		int64_t before = atomic_load(&sh->classes);
		if (res == HARNESS_PASS || res == HARNESS_FAIL)
			note_classes(sh, &c, fuzz_diff_last_obs(d), res == HARNESS_FAIL ? div.step : c.nsteps);
		if (atomic_load(&sh->classes) != before && res == HARNESS_PASS)
			corpus_add(&co, &r, &c);
		switch (res) {
		case HARNESS_PASS:
			atomic_fetch_add(&sh->pass, 1);
			break;
		case HARNESS_SKIP:
			atomic_fetch_add(&sh->skip, 1);
			/* The first few of each reason are kept as results, so the
			 * database says why programs were skipped. */
			if (note_skip(sh, rep.message)) {
				char *text = prog_case_to_string(&c), name[64];
				snprintf(name, sizeof(name), "fuzz-skip-w%d-%" PRId64, wno, skips_stored++);
				store_result_info ri = { "fuzz", name, text, HARNESS_SKIP, rep.message, 0, NULL };
				store_result(db, cp->run_id, &ri);
				free(text);
			}
			break;
		case HARNESS_ERROR:
			atomic_fetch_add(&sh->error, 1);
			/* Harness errors (a sandbox that crashed, a broken model
			 * invariant) are kept as results, the first 50 per worker. */
			if (errors_stored < 50) {
				char *text = prog_case_to_string(&c), name[64];
				snprintf(name, sizeof(name), "fuzz-error-w%d-%" PRId64, wno, errors_stored++);
				store_result_info ri = { "fuzz", name, text, HARNESS_ERROR, rep.message, 0, NULL };
				store_result(db, cp->run_id, &ri);
				free(text);
			}
			break;
		case HARNESS_FAIL: {
			atomic_fetch_add(&sh->fail, 1);
			bool fresh;
			sig_slot *slot = sig_claim(sh, div.signature, &fresh);
			int64_t id = -1;
			if (!slot || atomic_fetch_add(&slot->stored, 1) < STORED_PER_SIGNATURE) {
				id = store_found(db, cp->run_id, &c, &div);
				if (id < 0)
					fprintf(stderr, "\nmmspec fuzz: worker %d: %s\n", wno, store_error(db));
			}
			int idle = 0;
			if (fresh || (slot && id > 0 && atomic_load(&slot->ready) &&
				      atomic_load(&slot->minimizations) < cp->minimize_each &&
				      c.nsteps > 1 && atomic_compare_exchange_strong(&slot->busy, &idle, 1)))
				triage(cp, d, db, slot, &c, &div, id, wno);
			break;
		}
		}
		prog_case_clear(&c);
		if (cp->stop_after > 0) {
			int64_t done = 0;
			for (uint32_t i = 0; i < SIG_SLOTS; i++)
				done += atomic_load(&sh->slot[i].ready);
			if (done >= cp->stop_after)
				sh->stop = 1;
		}
	}
	for (size_t i = 0; i < co.n; i++)
		prog_case_clear(&co.v[i]);
	free(co.v);
	fuzz_diff_free(d);
	store_close(db);
	return 0;
}

/* ---- the controller ---- */

static void fmt_elapsed(char *buf, size_t cap, double s)
{
	long t = (long)s;
	snprintf(buf, cap, "%02ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
}

static void status_line(FILE *out, const campaign *cp, double elapsed, bool tty)
{
	shared *sh = cp->sh;
	char el[32];
	fmt_elapsed(el, sizeof(el), elapsed);
	int64_t p = atomic_load(&sh->programs);
	fprintf(out, "%sfuzz %s  programs %" PRId64 " (%.0f/s)  divergences %" PRId64 "  signatures %" PRId64
		"  classes %" PRId64 "  skip %" PRId64 "  errors %" PRId64 "%s%s",
		tty ? "\r\033[K" : "", el, p, elapsed > 0 ? p / elapsed : 0.0, atomic_load(&sh->fail),
		atomic_load(&sh->signatures), atomic_load(&sh->classes), atomic_load(&sh->skip),
		atomic_load(&sh->error), atomic_load(&sh->triaging) ? "  (minimizing)" : "", tty ? "" : "\n");
	fflush(out);
}

static void progress_row(store *db, const campaign *cp, double elapsed)
{
	shared *sh = cp->sh;
	if (!db)
		return;
	store_progress_info pi = { elapsed, atomic_load(&sh->programs), atomic_load(&sh->fail),
				   atomic_load(&sh->signatures), atomic_load(&sh->classes) };
	if (store_campaign_progress(db, cp->run_id, &pi) < 0)
		fprintf(stderr, "\nmmspec fuzz: %s\n", store_error(db));
}

/* "90", "90s", "30m", "2h", "1h30m". Returns seconds, or -1. */
static double parse_duration(const char *s)
{
	double total = 0;
	while (*s) {
		char *e;
		double v = strtod(s, &e);
		if (e == s || v < 0)
			return -1;
		switch (*e) {
		case 'h': total += v * 3600; e++; break;
		case 'm': total += v * 60; e++; break;
		case 's': total += v; e++; break;
		case 0: total += v; break;
		default: return -1;
		}
		s = e;
	}
	return total;
}

static int collect_seeds(campaign *cp, const char *path)
{
	struct stat st;
	if (stat(path, &st)) {
		fprintf(stderr, "mmspec fuzz: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		char cmd[4200];
		/* Every *.mmt below it, sorted: the same seeds in the same order. */
		snprintf(cmd, sizeof(cmd), "find '%s' -name '*.mmt' -type f | LC_ALL=C sort", path);
		FILE *p = popen(cmd, "r");
		if (!p)
			return -1;
		char line[4096];
		int rc = 0;
		while (!rc && fgets(line, sizeof(line), p)) {
			line[strcspn(line, "\n")] = 0;
			rc = collect_seeds(cp, line);
		}
		pclose(p);
		return rc;
	}
	prog_file *f;
	prog_diag dg;
	if (prog_parse_file(path, &f, &dg)) {
		char msg[700];
		prog_diag_format(&dg, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
		return -1;
	}
	prog_file **v = realloc(cp->seeds, (cp->nseeds + 1) * sizeof(*v));
	if (!v) {
		prog_file_free(f);
		return -1;
	}
	cp->seeds = v;
	cp->seeds[cp->nseeds++] = f;
	return 0;
}

static void free_seeds(campaign *cp)
{
	for (size_t i = 0; i < cp->nseeds; i++)
		prog_file_free(cp->seeds[i]);
	free(cp->seeds);
}

int fuzz_cmd_fuzz(int argc, char **argv)
{
	campaign cp = { .jobs = 1, .db_path = "mmspec.db", .reruns = 5, .minimize_runs = 2000,
			.minimize_each = 1, .timeout_ms = FUZZ_TIMEOUT_MS };
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	cp.seed = ((uint64_t)now.tv_sec * 1000003ULL) ^ (uint64_t)now.tv_nsec ^ ((uint64_t)getpid() << 32);
	snprintf(cp.cmdline, sizeof(cp.cmdline), "mmspec fuzz");
	for (int i = 0; i < argc; i++) {
		size_t l = strlen(cp.cmdline);
		snprintf(cp.cmdline + l, sizeof(cp.cmdline) - l, " %s", argv[i]);
	}
	const char *bad = NULL, *target_spec = "host";
	for (int i = 0; i < argc && !bad; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(n) (!strcmp(a, n) && v && (i++, 1))
		if (OPT("--time")) {
			cp.seconds = parse_duration(v);
			if (cp.seconds < 0)
				bad = "--time takes a duration: 90, 90s, 30m, 2h, 1h30m";
		} else if (OPT("--jobs")) {
			cp.jobs = atoi(v);
			if (cp.jobs < 1 || cp.jobs > MAX_JOBS)
				bad = "--jobs takes 1 to 64";
		} else if (OPT("--seed")) {
			cp.seed = strtoull(v, NULL, 0);
		} else if (OPT("--db")) {
			cp.db_path = v;
		} else if (OPT("--profile")) {
			unsigned maj, min;
			if (sscanf(v, "%u.%u", &maj, &min) != 2 || maj > 65535 || min > 255)
				bad = "--profile takes MAJOR.MINOR, like 6.12";
			cp.profile = PROG_VERSION(maj, min, 0);
		} else if (OPT("--max-steps")) {
			cp.max_steps = (uint32_t)atoi(v);
			if (cp.max_steps < 1 || cp.max_steps > 1000)
				bad = "--max-steps takes 1 to 1000";
		} else if (OPT("--reruns")) {
			cp.reruns = atoi(v);
			if (cp.reruns < 0 || cp.reruns > 100)
				bad = "--reruns takes 0 to 100";
		} else if (OPT("--minimize-runs")) {
			cp.minimize_runs = (uint32_t)strtoul(v, NULL, 10);
		} else if (OPT("--minimize-each")) {
			cp.minimize_each = atoi(v);
			if (cp.minimize_each < 1 || cp.minimize_each > 100)
				bad = "--minimize-each takes 1 to 100";
		} else if (OPT("--stop-after")) {
			cp.stop_after = atoll(v);
		} else if (OPT("--stop-on")) {
			cp.stop_on = v;
		} else if (OPT("--stop-steps")) {
			cp.stop_steps = (uint32_t)atoi(v);
		} else if (OPT("--export")) {
			cp.export_dir = v;
		} else if (OPT("--target")) {
			target_spec = v;
		} else if (OPT("--timeout")) {
			cp.timeout_ms = (uint32_t)strtoul(v, NULL, 10);
			if (cp.timeout_ms < 100 || cp.timeout_ms > 600000)
				bad = "--timeout takes 100 to 600000 (milliseconds)";
		} else if (a[0] == '-' && a[1]) {
			bad = "unknown option or missing value";
			fprintf(stderr, "mmspec fuzz: %s: %s\n", a, bad);
			free_seeds(&cp);
			return EXIT_USAGE;
		} else if (collect_seeds(&cp, a)) {
			free_seeds(&cp);
			return EXIT_USAGE;
		}
#undef OPT
	}
	struct stat st;
	if (!bad && cp.export_dir && (stat(cp.export_dir, &st) || !S_ISDIR(st.st_mode)))
		bad = "--export takes an existing folder";
	if (bad) {
		fprintf(stderr, "mmspec fuzz: %s\n", bad);
		free_seeds(&cp);
		return EXIT_USAGE;
	}

	/* Test hook (tests/fuzz_stop_test.sh): the campaign stops after this
	 * many kernel runs of a minimization, as if its time ran out then. */
	const char *hook = getenv("MMSPEC_TEST_STOP_IN_MINIMIZE");
	if (hook)
		cp.stop_in_minimize = (uint32_t)strtoul(hook, NULL, 10);
	char err[512];
	/* Before the probe and the fork: every fuzz_diff of this process and
	 * its workers runs on the target. */
	if (fuzz_set_target(target_spec, err, sizeof(err))) {
		fprintf(stderr, "mmspec fuzz: %s\n", err);
		free_seeds(&cp);
		return EXIT_USAGE;
	}
	store *db;
	if (store_open(cp.db_path, &db, err, sizeof(err))) {
		fprintf(stderr, "mmspec fuzz: %s\n", err);
		free_seeds(&cp);
		return EXIT_USAGE;
	}
	/* The target's facts for the run row, from an executor of our own. */
	fuzz_diff *probe;
	if (fuzz_diff_init(&probe, NULL, err, sizeof(err))) {
		fprintf(stderr, "mmspec fuzz: cannot start the executor: %s\n", err);
		store_close(db);
		free_seeds(&cp);
		return EXIT_BROKEN;
	}
	if (cp.profile)
		fuzz_diff_set_profile(probe, cp.profile);
	exec_target_info info = *fuzz_diff_target(probe);
	char profile[16], host[256] = "", config[5000], tname[4200], tjson[4400];
	snprintf(profile, sizeof(profile), "%s", fuzz_diff_profile(probe));
	fuzz_diff_target_name(probe, tname, sizeof(tname));
	fuzz_diff_free(probe);
	gethostname(host, sizeof(host) - 1);
	/* The --target value too: a vm: name holds the release, not the image
	 * path, and `mmspec minimize ID` needs the path to boot the same kernel. */
	json_str(fuzz_target_spec(), tjson, sizeof(tjson));
	snprintf(config, sizeof(config), "{\"jobs\":%d,\"reruns\":%d,\"minimize_runs\":%u,\"max_steps\":%u,\"seeds\":%zu,"
		 "\"target\":%s,\"timeout_ms\":%u}",
		 cp.jobs, cp.reruns, cp.minimize_runs, cp.max_steps, cp.nseeds, tjson, cp.timeout_ms);
	store_run_info ri = { "fuzz", MMSPEC_VERSION, tname, info.release, profile, config, cp.cmdline,
			      cp.seed, host, NULL, NULL };
	cp.run_id = store_run_begin(db, &ri);
	if (cp.run_id < 0) {
		fprintf(stderr, "mmspec fuzz: %s: %s\n", cp.db_path, store_error(db));
		store_close(db);
		free_seeds(&cp);
		return EXIT_USAGE;
	}
	cp.sh = mmap(NULL, sizeof(shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (cp.sh == MAP_FAILED) {
		fprintf(stderr, "mmspec fuzz: cannot map the shared table: %s\n", strerror(errno));
		store_close(db);
		free_seeds(&cp);
		return EXIT_BROKEN;
	}
	bool tty = isatty(2);
	char limit[64] = ", until stopped (Ctrl-C)";
	if (cp.seconds > 0)
		snprintf(limit, sizeof(limit), ", for %.0f s", cp.seconds);
	fprintf(stderr, "mmspec fuzz: run %" PRId64 " in %s, seed 0x%" PRIx64 ", %d job%s, target %s, Linux %s, profile %s%s\n",
		cp.run_id, cp.db_path, cp.seed, cp.jobs, cp.jobs == 1 ? "" : "s", tname, info.release, profile, limit);
	struct sigaction sa = { 0 };
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* No SQLite connection may cross a fork: close ours, fork the workers
	 * (each opens its own), then open ours again. */
	store_close(db);
	pid_t pids[MAX_JOBS];
	int started = 0;
	fflush(NULL);
	for (int j = 0; j < cp.jobs; j++) {
		pid_t p = fork();
		if (p == 0)
			_exit(worker(&cp, j, 0));
		if (p > 0)
			pids[started++] = p;
	}
	if (store_open(cp.db_path, &db, err, sizeof(err))) {
		fprintf(stderr, "mmspec fuzz: %s\n", err);
		cp.sh->stop = 1;
		for (int j = 0; j < started; j++)
			waitpid(pids[j], NULL, 0);
		free_seeds(&cp);
		return EXIT_BROKEN;
	}
	double t0 = mono_s(), last_progress = t0, last_plain = t0, stop_at = 0;
	bool killed[MAX_JOBS] = { false };
	int alive = started, signals = 0;
	bool stop_sent = false;
	int broken = 0;
	while (alive > 0) {
		struct timespec ts = { 0, 250 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		double now_s = mono_s();
		if (got_signal && !stop_sent) {
			signals++;
			got_signal = 0;
		} else if (got_signal && stop_sent) {
			/* A second Ctrl-C: stop minimizing too (the minimizer checks
			 * the stop flag; this only repeats it) and kill stragglers
			 * after a grace period. */
			got_signal = 0;
			signals++;
		}
		if (!stop_sent && (signals || (cp.seconds > 0 && now_s - t0 >= cp.seconds) ||
				   cp.sh->stop)) {
			cp.sh->stop = 1;
			stop_sent = true;
			stop_at = now_s;
		}
		/*
		 * Workers stop after the program in flight (a triage keeps its
		 * best program in the database as it goes). One whose program
		 * runs into the sandbox's watchdog is not waited for past the
		 * grace period, nor after a second Ctrl-C: it is killed, and
		 * loses only that run.
		 */
		bool late = stop_sent && now_s - stop_at >= STOP_GRACE_S;
		if (signals >= 2 || late)
			for (int j = 0; j < started; j++)
				if (pids[j] > 0 && !killed[j]) {
					kill(pids[j], SIGKILL);
					killed[j] = true;
					if (late && signals < 2)
						fprintf(stderr, "%smmspec fuzz: worker %d did not stop within %d s of the "
							"stop (a program's run in flight): killed\n", tty ? "\r\033[K" : "", j,
							STOP_GRACE_S);
				}
		for (int j = 0; j < started; j++) {
			int wst;
			if (pids[j] <= 0 || waitpid(pids[j], &wst, WNOHANG) != pids[j])
				continue;
			pids[j] = -1;
			alive--;
			if (WIFEXITED(wst) && WEXITSTATUS(wst))
				broken++;
			if (!WIFSIGNALED(wst) || stop_sent)
				continue;
			/* The worker crashed: the model (or the harness around it)
			 * died on the program in flight. Keep it, start a new worker. */
			char msg[160];
			snprintf(msg, sizeof(msg), "worker %d died of signal %d running this program "
				 "(the model or the harness crashed)", j, WTERMSIG(wst));
			fprintf(stderr, "%smmspec fuzz: %s; stored as an ERROR result\n", tty ? "\r\033[K" : "", msg);
			char name[64];
			snprintf(name, sizeof(name), "fuzz-crash-w%d-%d", j, atomic_load(&cp.sh->restarts));
			store_result_info cri = { "fuzz", name, cp.sh->current[j], HARNESS_ERROR, msg, 0, NULL };
			if (db)
				store_result(db, cp.run_id, &cri);
			atomic_fetch_add(&cp.sh->error, 1);
			int gen = atomic_fetch_add(&cp.sh->restarts, 1) + 1;
			if (gen > 100)
				continue;
			store_close(db);
			fflush(NULL);
			pid_t p = fork();
			if (p == 0)
				_exit(worker(&cp, j, gen));
			if (store_open(cp.db_path, &db, err, sizeof(err))) {
				fprintf(stderr, "mmspec fuzz: %s\n", err);
				cp.sh->stop = 1;
			}
			if (p > 0) {
				pids[j] = p;
				alive++;
			}
		}
		if (tty)
			status_line(stderr, &cp, now_s - t0, true);
		else if (now_s - last_plain >= 60) {
			status_line(stderr, &cp, now_s - t0, false);
			last_plain = now_s;
		}
		if (now_s - last_progress >= 10) {
			progress_row(db, &cp, now_s - t0);
			last_progress = now_s;
		}
	}
	double elapsed = mono_s() - t0;
	progress_row(db, &cp, elapsed);
	shared *sh = cp.sh;
	if (db)
		store_run_end(db, cp.run_id, atomic_load(&sh->pass), atomic_load(&sh->fail), atomic_load(&sh->skip),
		      atomic_load(&sh->error));
	if (tty)
		fprintf(stderr, "\r\033[K");
	char el[32];
	fmt_elapsed(el, sizeof(el), elapsed);
	int64_t p = atomic_load(&sh->programs);
	printf("fuzz run %" PRId64 " on Linux %s (profile %s%s%s), seed 0x%" PRIx64 ", %d job%s, %s%s:\n"
	       "  %" PRId64 " programs (%.1f/s): %" PRId64 " agreed, %" PRId64 " diverged, %" PRId64
	       " skipped, %" PRId64 " errors\n"
	       "  %" PRId64 " distinct signatures; %" PRId64 " behaviour classes reached\n",
	       cp.run_id, info.release, profile, strcmp(tname, "host") ? ", target " : "",
	       strcmp(tname, "host") ? tname : "", cp.seed, cp.jobs, cp.jobs == 1 ? "" : "s", el,
	       signals ? " (stopped by a signal)" : "", p, elapsed > 0 ? p / elapsed : 0.0,
	       atomic_load(&sh->pass), atomic_load(&sh->fail), atomic_load(&sh->skip), atomic_load(&sh->error),
	       atomic_load(&sh->signatures), atomic_load(&sh->classes));
	for (uint32_t i = 0; i < SIG_SLOTS; i++) {
		sig_slot *s = &sh->slot[i];
		if (!atomic_load(&s->hash))
			continue;
		if (atomic_load(&s->ready))
			printf("  new: %s  met %" PRId64 "x, divergence %" PRId64 ", reproduced %d/%d, minimized %u -> %u steps"
			       " (best of %d)%s\n", s->sig, atomic_load(&s->count), s->div_id, s->reproduced, s->attempts,
			       s->steps_before, s->steps_after, atomic_load(&s->minimizations),
			       atomic_load(&s->cut_short) ? " (cut short: the best so far)" : "");
		else
			printf("  new: %s  met %" PRId64 "x (triage did not finish; the row keeps the best program "
			       "so far)\n", s->sig, atomic_load(&s->count));
	}
	/* Skips by reason, the most frequent first. */
	skip_slot *order[SKIP_REASONS];
	int nr = 0;
	for (int i = 0; i < SKIP_REASONS; i++)
		if (atomic_load(&sh->skips[i].hash))
			order[nr++] = &sh->skips[i];
	for (int i = 1; i < nr; i++)
		for (int j = i; j > 0 && atomic_load(&order[j]->count) > atomic_load(&order[j - 1]->count); j--) {
			skip_slot *t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (int i = 0; i < nr; i++)
		printf("  skipped %" PRId64 "x: %s\n", atomic_load(&order[i]->count), order[i]->reason);
	if (atomic_load(&sh->skips_other))
		printf("  skipped %" PRId64 "x: other reasons\n", atomic_load(&sh->skips_other));
	printf("  stored in %s (run %" PRId64 "); `mmspec repro --c --db %s ID` writes a C reproducer\n",
	       cp.db_path, cp.run_id, cp.db_path);
	int64_t fails = atomic_load(&sh->fail);
	munmap(cp.sh, sizeof(shared));
	if (db)
		store_close(db);
	free_seeds(&cp);
	if (broken == started)
		return EXIT_BROKEN;
	return fails ? EXIT_FAILED : 0;
}
