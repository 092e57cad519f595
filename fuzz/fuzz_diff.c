/* SPDX-License-Identifier: MIT */
/*
 * fuzz_diff.c: the differential runner. One executor per fuzz_diff, a
 * sandbox per program, the comparator on the caller's side.
 *
 * The executor must live in a pristine parent whose layout never changes
 * after exec_init() (harness/exec.h): the model is seeded with that layout
 * and every run ends with a whole-layout comparison. The caller of this
 * runner cannot promise that: SQLite maps its WAL index, libFuzzer and
 * ASan map memory as they go, the model's heap grows. So fuzz_diff_init()
 * starts a server process at once: a fork that re-executes this very
 * binary (/proc/self/exe, so no mmspec-exec is needed), where a constructor
 * takes over before main() and exec_init() runs in a fresh, compact
 * address space. The server does nothing but decode, run and pack, like
 * mmspec-exec, over a socket pair; the caller allocates as it likes. A
 * sanitized build cannot be the executor (ASan's allocator maps as it goes
 * and mallopt cannot pin it): there the runner falls back to mmspec-exec
 * ($MMSPEC_EXEC, or next to the binary, or one folder up) over the pipe
 * protocol.
 *
 * A target other than the host (fuzz_set_target: qemu-user, wrap:CMD,
 * vm:IMAGE) always goes the mmspec-exec way, behind the wrapper command
 * harness_target_resolve gives, as `mmspec run --target` does: the
 * executor then runs under qemu-x86_64, the wrapper, or in a VM that one
 * fuzz_diff keeps for its whole life (a restart after a crash boots anew).
 *
 * Messages on the socket are the executor protocol's (harness/exec_proto.c,
 * docs/executor-protocol.md): a 32-bit type, a 32-bit length, the payload.
 * The server's first message is HELLO with its exec_target_info (or ERROR
 * with a text, when exec_init fails); then each RUN (exec_options followed
 * by the encoded program) gets a RESULT (exec_obs_pack() output). The
 * caller sends with MSG_NOSIGNAL, so a dead server is an error, not SIGPIPE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec_proto.h"
#include "linux_abi.h"
#include "fuzz.h"

#define SERVER_FD 0              /* the server's end of the socket pair */
#define SERVER_ENV "MMSPEC_FUZZ_DIFF_SERVER"

/* The process's target (fuzz_set_target): its --target value and the
 * wrapper command for mmspec-exec; an empty wrapper is the host. */
static char target_spec[4200] = "host";
static char target_wrapper[4400];

struct fuzz_diff {
	pid_t pid;                /* the server, or -1 */
	int fd;                   /* our end of the socket pair */
	exec_options opt;
	exec_target_info info;
	harness_target target;
	char profile[16];         /* "6.18": the model profile, for signatures */
	uint8_t *enc;             /* request: exec_options + encoded program */
	size_t enc_cap;
	uint8_t *reply;           /* packed observations */
	size_t reply_cap;
	exec_obs *obs;
	uint64_t restarts;
	/* The fallback: an mmspec-exec over the pipe protocol, for builds whose
	 * own image cannot be the executor (ASan cannot pin malloc). */
	bool use_child;
	exec_child child;
	char exec_path[4096];
};

/* ---- framing: the executor protocol's (harness/exec_proto.c) ---- */

/* Sends one message; the caller's side of the socket never takes SIGPIPE
 * from a server that died. 0 or -1. */
static int send_msg(int fd, uint32_t type, const void *p, size_t n)
{
	return exec_proto_send_flags(fd, type, p, n, MSG_NOSIGNAL);
}

/* Reads one message of at most cap bytes; returns its length (its type in
 * *type), or -1 (an error, the end of input, or a longer message). */
static ssize_t recv_msg(int fd, uint32_t *type, void *buf, size_t cap)
{
	uint32_t len;
	return exec_proto_recv(fd, type, buf, cap, &len) ? -1 : (ssize_t)len;
}

/* ---- the server (a child process; never returns) ---- */

/*
 * Fills the holes of the mmap area with PROT_NONE mappings. exec_init puts
 * a fence below everything mapped, expecting a program's mmap(NULL) to land
 * under it; the top-down allocator takes the highest gap that fits, though,
 * and a dynamic binary has small gaps among its libraries (ld.so leaves
 * some), right next to memory whose contents the model cannot know. The
 * mmap area is everything above the largest gap below the stack; the gap
 * just under the stack stays (the stack's guard gap). The fillers are in the
 * snapshot like any other VMA.
 */
static void fill_holes(void)
{
	static char text[256 << 10];
	static uint64_t lo[4096], hi[4096];
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	size_t n = 0;
	ssize_t r;
	while (n + 1 < sizeof(text) && (r = read(fd, text + n, sizeof(text) - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	text[n] = 0;
	uint32_t nv = 0, stack = UINT32_MAX;
	for (char *p = text; *p && nv < 4096;) {
		char *e;
		lo[nv] = strtoull(p, &e, 16);
		hi[nv] = strtoull(e + 1, &e, 16);
		char *eol = strchr(p, '\n');
		if (strstr(p, "[stack]") && (!eol || strstr(p, "[stack]") < eol))
			stack = nv;
		if (lo[nv] < 0x800000000000ULL)
			nv++;
		if (!eol)
			break;
		p = eol + 1;
	}
	if (stack == UINT32_MAX || stack < 2)
		return;
	uint32_t big = 0;
	for (uint32_t i = 1; i < stack; i++)
		if (lo[i] - hi[i - 1] > lo[big + 1] - hi[big])
			big = i - 1;
	for (uint32_t i = big + 2; i < stack; i++) {
		uint64_t gap = lo[i] - hi[i - 1];
		if (gap && gap <= (1ULL << 30))
			mmap((void *)hi[i - 1], gap, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	}
}

static void serve(void)
{
	/* Buffers first: after exec_init the layout is frozen. */
	uint8_t *req = malloc(EXEC_PROTO_MAX_REQUEST);
	size_t rcap = sizeof(exec_obs) + 64;
	uint8_t *rep = malloc(rcap);
	static exec_target_info info;
	char err[300];
	/* Stopping is the caller's decision (it closes the socket): a Ctrl-C
	 * reaches the whole foreground process group, this server included. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if (!req || !rep) {
		send_msg(SERVER_FD, EXEC_MSG_ERROR, "fuzz_diff: out of memory", 24);
		_exit(3);
	}
	fill_holes();
	if (exec_init(&info, err, sizeof(err))) {
		send_msg(SERVER_FD, EXEC_MSG_ERROR, err, strlen(err));
		_exit(3);
	}
	if (send_msg(SERVER_FD, EXEC_MSG_HELLO, &info, sizeof(info)))
		_exit(3);
	for (;;) {
		uint32_t type;
		ssize_t n = recv_msg(SERVER_FD, &type, req, EXEC_PROTO_MAX_REQUEST);
		if (n < (ssize_t)sizeof(exec_options) || type != EXEC_MSG_RUN)
			_exit(0); /* the caller is gone or done */
		exec_options opt;
		memcpy(&opt, req, sizeof(opt));
		const exec_obs *o = exec_run(req + sizeof(opt), (size_t)n - sizeof(opt), &opt);
		size_t m = exec_obs_pack(o, rep, rcap);
		if (send_msg(SERVER_FD, EXEC_MSG_RESULT, rep, m))
			_exit(0);
	}
}

/* In an image exec'd by start_server: be the server, never run main(). */
__attribute__((constructor)) static void server_hook(void)
{
	const char *v = getenv(SERVER_ENV);
	if (v && !strcmp(v, "1")) {
		unsetenv(SERVER_ENV); /* the sandboxes' environment stays clean */
		serve();
	}
}

static void stop_self_server(fuzz_diff *d)
{
	if (d->fd >= 0)
		close(d->fd); /* the server sees the end of input and exits */
	d->fd = -1;
	if (d->pid > 0) {
		int st;
		for (int i = 0; i < 200; i++) {
			if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
				d->pid = -1;
				return;
			}
			usleep(5000);
		}
		kill(d->pid, SIGKILL);
		waitpid(d->pid, &st, 0);
	}
	d->pid = -1;
}

static int start_self_server(fuzz_diff *d, char *err, size_t cap)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		snprintf(err, cap, "fuzz_diff: socketpair: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, cap, "fuzz_diff: fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* The socket on fd 0, stderr kept for the sandbox's last words,
		 * nothing else: the caller's database and files stay its own. */
		if (dup2(sv[1], SERVER_FD) != SERVER_FD)
			_exit(3);
		syscall(SYS_close_range, 3, ~0U, 0);
		/*
		 * A fresh image of this very binary: the caller's address space
		 * has holes (freed blocks, closed files) above where the fence
		 * goes, and a program's mmap(NULL) would land in one of them,
		 * next to memory the model knows only by its bounds. The
		 * constructor below turns the new image into the server before
		 * main() runs. Without /proc, serve from this copy.
		 */
		setenv(SERVER_ENV, "1", 1);
		execl("/proc/self/exe", "mmspec-fuzz-diff-server", (char *)NULL);
		unsetenv(SERVER_ENV);
		serve();
	}
	close(sv[1]);
	d->fd = sv[0];
	d->pid = pid;
	static char hello[sizeof(exec_target_info) + 8];
	uint32_t type = 0;
	ssize_t n = recv_msg(d->fd, &type, hello, sizeof(hello));
	if (n == (ssize_t)sizeof(exec_target_info) && type == EXEC_MSG_HELLO) {
		memcpy(&d->info, hello, sizeof(d->info));
		return 0;
	}
	if (n >= 0 && type == EXEC_MSG_ERROR)
		snprintf(err, cap, "%.*s", (int)n, hello);
	else
		snprintf(err, cap, "fuzz_diff: the executor did not start");
	stop_self_server(d);
	return -1;
}

/* mmspec-exec: $MMSPEC_EXEC, else next to this binary or one folder up. */
static bool find_exec(char *out, size_t cap)
{
	const char *env = getenv("MMSPEC_EXEC");
	if (env && *env && !access(env, X_OK)) {
		snprintf(out, cap, "%s", env);
		return true;
	}
	char self[4000];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return false;
	self[n] = 0;
	for (int up = 0; up < 2; up++) {
		char *slash = strrchr(self, '/');
		if (!slash)
			return false;
		*slash = 0;
		snprintf(out, cap, "%.3990s/mmspec-exec", self);
		if (!access(out, X_OK))
			return true;
	}
	return false;
}

static void stop_server(fuzz_diff *d)
{
	if (d->use_child)
		exec_child_stop(&d->child);
	else
		stop_self_server(d);
}

/*
 * The server: this binary re-executed, or, when that cannot be the
 * executor (a sanitized build: ASan's allocator maps as it goes and cannot
 * be pinned), mmspec-exec.
 */
static int start_server(fuzz_diff *d, char *err, size_t cap)
{
	if (d->use_child) {
		const char *w = target_wrapper[0] ? target_wrapper : NULL;
		if (exec_child_start(&d->child, d->exec_path, w, err, cap))
			return -1;
		d->info = d->child.info;
		return 0;
	}
	if (target_wrapper[0]) {
		if (!find_exec(d->exec_path, sizeof(d->exec_path))) {
			snprintf(err, cap, "--target %s needs mmspec-exec (next to this binary, or $MMSPEC_EXEC)",
				 target_spec);
			return -1;
		}
		d->use_child = true;
		return start_server(d, err, cap);
	}
	if (!start_self_server(d, err, cap))
		return 0;
	if (!find_exec(d->exec_path, sizeof(d->exec_path)))
		return -1;
	char e2[300];
	if (exec_child_start(&d->child, d->exec_path, NULL, e2, sizeof(e2))) {
		snprintf(err + strlen(err), cap - strlen(err), "; %.3900s: %s", d->exec_path, e2);
		return -1;
	}
	d->use_child = true;
	d->info = d->child.info;
	return 0;
}

/* ---- the API ---- */

int fuzz_set_target(const char *spec, char *err, size_t cap)
{
	if (!spec || !*spec)
		spec = "host";
	char exec_path[4096], dir[4096], wrapper[sizeof(target_wrapper)];
	/* mmspec-vm sits next to mmspec-exec, as for `mmspec run`. */
	snprintf(dir, sizeof(dir), ".");
	if (strcmp(spec, "host") && find_exec(exec_path, sizeof(exec_path))) {
		snprintf(dir, sizeof(dir), "%s", exec_path);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = 0;
	}
	if (harness_target_resolve(spec, dir, wrapper, sizeof(wrapper), err, cap))
		return -1;
	if (strlen(spec) >= sizeof(target_spec)) {
		snprintf(err, cap, "--target: too long");
		return -1;
	}
	snprintf(target_spec, sizeof(target_spec), "%s", spec);
	memcpy(target_wrapper, wrapper, sizeof(wrapper));
	return 0;
}

const char *fuzz_target_spec(void)
{
	return target_spec;
}

void fuzz_diff_target_name(const fuzz_diff *d, char *out, size_t cap)
{
	harness_target_name(target_spec, target_wrapper, &d->info, out, cap);
}

static void set_profile_name(fuzz_diff *d)
{
	snprintf(d->profile, sizeof(d->profile), "%u.%u", d->target.profile.version >> 16,
		 (d->target.profile.version >> 8) & 0xff);
}

int fuzz_diff_init(fuzz_diff **out, const exec_options *opt, char *err, size_t cap)
{
	*out = NULL;
	fuzz_diff *d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, cap, "fuzz_diff: out of memory");
		return -1;
	}
	d->fd = -1;
	d->pid = -1;
	if (opt)
		d->opt = *opt;
	d->reply_cap = sizeof(exec_obs) + 64;
	d->reply = malloc(d->reply_cap);
	d->obs = malloc(sizeof(exec_obs));
	d->enc_cap = 64 << 10;
	d->enc = malloc(d->enc_cap);
	if (!d->reply || !d->obs || !d->enc) {
		snprintf(err, cap, "fuzz_diff: out of memory");
		fuzz_diff_free(d);
		return -1;
	}
	if (start_server(d, err, cap)) {
		fuzz_diff_free(d);
		return -1;
	}
	harness_target_from_exec(&d->target, &d->info);
	fuzz_apply_plant(&d->target);
	set_profile_name(d);
	*out = d;
	return 0;
}

void fuzz_diff_free(fuzz_diff *d)
{
	if (!d)
		return;
	stop_server(d);
	free(d->enc);
	free(d->reply);
	free(d->obs);
	free(d);
}

const exec_target_info *fuzz_diff_target(const fuzz_diff *d)
{
	return &d->info;
}

harness_target *fuzz_diff_model(fuzz_diff *d)
{
	return &d->target;
}

void fuzz_diff_set_profile(fuzz_diff *d, uint32_t version)
{
	d->target.profile.version = version;
	set_profile_name(d);
}

const char *fuzz_diff_profile(const fuzz_diff *d)
{
	return d->profile;
}

uint64_t fuzz_diff_restarts(const fuzz_diff *d)
{
	return d->restarts;
}

const exec_obs *fuzz_diff_last_obs(const fuzz_diff *d)
{
	return d->obs;
}

void fuzz_signature_add_profile(char *sig, size_t cap, const char *profile)
{
	size_t n = strlen(sig);
	if (n && !strchr(sig, '@'))
		snprintf(sig + n, cap - n, "@%s", profile);
}

/* Sends one program and reads its observations into d->obs; -1 if the
 * executor died (it is restarted then) or the program is too big. */
static int execute(fuzz_diff *d, const prog_case *c, char *err, size_t cap)
{
	size_t need = prog_encode(c, NULL, 0) + sizeof(exec_options);
	if (need > EXEC_PROTO_MAX_REQUEST) {
		snprintf(err, cap, "the program is too big to send (%zu bytes)", need);
		return -1;
	}
	if (need > d->enc_cap) {
		uint8_t *e = realloc(d->enc, need);
		if (!e) {
			snprintf(err, cap, "out of memory");
			return -1;
		}
		d->enc = e;
		d->enc_cap = need;
	}
	exec_options opt = d->opt;
	for (unsigned q = 0; q < c->nreq; q++)
		if (c->req[q].kind == PROG_REQ_CAP && c->req[q].cap >= 0 && c->req[q].cap < 64)
			opt.keep_caps |= 1ULL << c->req[q].cap;
	memcpy(d->enc, &opt, sizeof(opt));
	size_t len = prog_encode(c, d->enc + sizeof(opt), d->enc_cap - sizeof(opt));
	/* The executor's own check, here: a program it would reject must not
	 * cost it a restart. */
	prog_case back;
	const char *why = NULL;
	if (prog_decode(d->enc + sizeof(opt), len, &back, &why)) {
		snprintf(err, cap, "the program does not encode: %s", why ? why : "?");
		return -1;
	}
	prog_case_clear(&back);
	bool failed;
	if (d->use_child) {
		char e2[200];
		failed = d->child.pid <= 0 || exec_child_send(&d->child, &opt, d->enc + sizeof(opt), len) ||
			 exec_child_recv(&d->child, d->obs, e2, sizeof(e2));
	} else {
		ssize_t n = -1;
		uint32_t type = 0;
		if (d->fd >= 0 && !send_msg(d->fd, EXEC_MSG_RUN, d->enc, sizeof(opt) + len))
			n = recv_msg(d->fd, &type, d->reply, d->reply_cap);
		failed = n < 0 || type != EXEC_MSG_RESULT || exec_obs_unpack(d->reply, (size_t)n, d->obs);
	}
	if (failed) {
		snprintf(err, cap, "the executor died while running the program; restarted");
		stop_server(d);
		char e2[300];
		d->restarts++;
		if (start_server(d, e2, sizeof(e2)))
			snprintf(err, cap, "the executor died and could not be restarted: %s", e2);
		return -1;
	}
	return 0;
}

/*
 * Whether step i's window reaches memory the sandbox had before the program
 * started (the executor's binary, libraries, buffers; its heap and stack
 * aside, which brk() and stack growth legitimately reach). The model knows
 * those VMAs only by their bounds: not their anon_vma (so which of them
 * merge), not their contents. A divergence there is usually that, so its
 * signature says so (":executor-memory") and stays apart from the same
 * difference in the program's own memory. ret is the step's return (the
 * window of an mmap or mremap depends on it).
 */
static bool window_touches_executor(const fuzz_diff *d, const prog_case *c, uint32_t i, int64_t ret)
{
	const exec_obs *o = d->obs;
	const prog_step *s = &c->steps[i];
	uint64_t a[PROG_MAX_ARGS] = { 0 }, lo, hi;
	for (unsigned q = 0; q < s->nargs; q++)
		a[q] = prog_eval(&s->arg[q], o->arena, o->vals);
	if (!exec_step_window(s, a, ret, &lo, &hi))
		return false;
	for (uint32_t k = 0; k < d->info.nvmas; k++) {
		const exec_vma *v = &d->info.vma[k];
		if (!strcmp(v->name, "[heap]") || !strcmp(v->name, "[stack]"))
			continue;
		if (v->start < hi && v->end > lo)
			return true;
	}
	return false;
}

static bool touches_executor(const fuzz_diff *d, const prog_case *c, uint32_t i)
{
	const exec_obs *o = d->obs;
	if (i >= c->nsteps || i >= o->steps_done || !o->step[i].done)
		return false;
	return window_touches_executor(d, c, i, o->step[i].ret);
}

/*
 * A program that made its sandbox unable to go on by changing the
 * executor's own memory (exec.h EXEC_SELF_HARM: a fork() after it marked
 * that memory VM_DONTCOPY or VM_WIPEONFORK) is an ERROR for `mmspec run`
 * (a suite case must not do it) but nothing to compare in a campaign: the
 * model knows that memory by its bounds only, not that the sandbox lives in
 * it. Made a SKIP naming the reason (campaigns, `mmspec minimize`, the
 * fuzz_diff target), like programs that unmap or re-protect that memory.
 */
static harness_result self_harm_is_skip(const fuzz_diff *d, harness_result res, harness_case_report *rep)
{
	const exec_obs *o = d->obs;
	if (res != HARNESS_ERROR || !o || o->status != EXEC_SELF_HARM || !o->error[0] ||
	    !strstr(rep->message, o->error))
		return res;
	/* The executor's reason first, then where (check.c's "line N: `step`"). */
	char where[300] = "";
	const char *tick = strchr(rep->message, '`');
	tick = tick ? strchr(tick + 1, '`') : NULL;
	if (tick)
		snprintf(where, sizeof(where), "%.*s", (int)(tick + 1 - rep->message), rep->message);
	char reason[sizeof(o->error)];
	snprintf(reason, sizeof(reason), "%s", o->error);
	snprintf(rep->message, sizeof(rep->message),
		 "not comparable: the program destroyed what the sandbox needs to fork: %s (%s)", reason, where);
	rep->result = HARNESS_SKIP;
	return HARNESS_SKIP;
}

/*
 * Populating gigabytes is legal and slow: the kernel zeroes every page
 * (a 4 GiB shared MAP_POPULATE took ~10 s on a loaded 2-core machine),
 * and the sandbox's watchdog may end it first. In a campaign that is
 * nothing to compare and no harness fault: a SKIP naming the step, when
 * the step the watchdog stopped populates at least this much.
 */
#define SLOW_POPULATE_BYTES (256ULL << 20)

static harness_result slow_populate_is_skip(const fuzz_diff *d, const prog_case *c, harness_case_report *rep)
{
	if (rep->result != HARNESS_ERROR || rep->step >= c->nsteps || !strstr(rep->message, "watchdog"))
		return rep->result;
	const prog_step *s = &c->steps[rep->step];
	uint64_t a[PROG_MAX_ARGS] = { 0 };
	for (unsigned q = 0; q < s->nargs; q++)
		a[q] = prog_eval(&s->arg[q], d->obs->arena, d->obs->vals);
	bool populates = (s->op == PROG_MMAP && (a[3] & (LX_MAP_POPULATE | LX_MAP_LOCKED))) ||
			 s->op == PROG_MLOCK || s->op == PROG_MLOCK2 ||
			 (s->op == PROG_MADVISE && (a[2] == LX_MADV_POPULATE_READ || a[2] == LX_MADV_POPULATE_WRITE));
	if (!populates || a[1] < SLOW_POPULATE_BYTES)
		return rep->result;
	char msg[sizeof(rep->message)];
	snprintf(msg, sizeof(msg), "%s", rep->message);
	snprintf(rep->message, sizeof(rep->message),
		 "not comparable: step %u populates %" PRIu64 " MiB, which outlasted the sandbox's watchdog "
		 "(--timeout): %.800s", rep->step, a[1] >> 20, msg);
	rep->result = HARNESS_SKIP;
	return rep->result;
}

harness_result fuzz_diff_run(fuzz_diff *d, const prog_case *c, harness_case_report *rep,
			     harness_divergence *div)
{
	harness_divergence scratch;
	if (!div)
		div = &scratch;
	memset(rep, 0, sizeof(*rep));
	memset(div, 0, sizeof(*div));
	char why[512];
	uint32_t bad;
	if (!harness_requires_met(c, &d->target, why, sizeof(why))) {
		rep->result = HARNESS_SKIP;
		rep->line = c->line;
		snprintf(rep->message, sizeof(rep->message), "%s", why);
		return rep->result;
	}
	if (!harness_program_valid(c, why, sizeof(why), &bad)) {
		rep->result = HARNESS_ERROR;
		rep->step = bad;
		rep->line = c->steps[bad].line;
		snprintf(rep->message, sizeof(rep->message), "%s", why);
		return rep->result;
	}
	if (execute(d, c, why, sizeof(why))) {
		rep->result = HARNESS_ERROR;
		rep->line = c->line;
		snprintf(rep->message, sizeof(rep->message), "%s", why);
		return rep->result;
	}
	harness_kernel hk = { &d->info, d->obs };
	harness_compare_case(c, &d->target, &hk, NULL, NULL, rep, div);
	if (rep->result == HARNESS_FAIL && !div->signature[0]) {
		/*
		 * The two sides agreed and the program's own expectation did
		 * not hold (a `= $x` on a call that failed on both, say): no
		 * divergence. The comparison stopped at that step.
		 */
		char msg[sizeof(rep->message)];
		snprintf(msg, sizeof(msg), "%s", rep->message);
		snprintf(rep->message, sizeof(rep->message),
			 "the kernel and the model agreed; compared up to step %u, where the "
			 "program's own expectation failed on both sides: %.900s", rep->step, msg);
		rep->result = HARNESS_PASS;
		return rep->result;
	}
	if (self_harm_is_skip(d, rep->result, rep) == HARNESS_SKIP ||
	    slow_populate_is_skip(d, c, rep) == HARNESS_SKIP)
		return rep->result;
	/*
	 * A generated program that unmaps or re-protects the executor's own
	 * memory kills (or hangs) its sandbox: nothing to compare, and the
	 * harness did not break. `mmspec run` keeps that an ERROR (a suite case
	 * must not do it); a campaign counts it as a SKIP, so its errors stay
	 * the harness's own.
	 */
	if (rep->result == HARNESS_ERROR && rep->step < c->nsteps &&
	    (rep->step >= d->obs->steps_done || !d->obs->step[rep->step].done) &&
	    prog_op_info_get(c->steps[rep->step].op)->mutates &&
	    window_touches_executor(d, c, rep->step, 0)) {
		char msg[sizeof(rep->message)];
		snprintf(msg, sizeof(msg), "%s", rep->message);
		snprintf(rep->message, sizeof(rep->message),
			 "not comparable: step %u reaches the executor's own memory, which the sandbox "
			 "cannot survive: %.900s", rep->step, msg);
		rep->result = HARNESS_SKIP;
		return rep->result;
	}
	if (rep->result == HARNESS_FAIL) {
		if (touches_executor(d, c, div->step)) {
			size_t n = strlen(div->signature);
			snprintf(div->signature + n, sizeof(div->signature) - n, ":executor-memory");
		}
		fuzz_signature_add_profile(div->signature, sizeof(div->signature), d->profile);
	}
	return rep->result;
}

/* ---- planted bugs ---- */

static const struct {
	const char *name;
	uint32_t bit;
} plants[] = {
	{ "mprotect-nosplit", ORACLE_PLANT_MPROTECT_NOSPLIT },
	{ "missed-cow", ORACLE_PLANT_MISSED_COW },
	{ "mmap-errno-order", ORACLE_PLANT_MMAP_ERRNO_ORDER },
};

int fuzz_plant_parse(const char *spec, uint32_t *mask, char *err, size_t cap)
{
	*mask = 0;
	while (spec && *spec) {
		size_t n = strcspn(spec, ",| ");
		bool found = false;
		for (size_t i = 0; i < sizeof(plants) / sizeof(plants[0]); i++)
			if (n == strlen(plants[i].name) && !strncmp(spec, plants[i].name, n)) {
				*mask |= plants[i].bit;
				found = true;
			}
		if (n && !found) {
			snprintf(err, cap, "MMSPEC_PLANT: unknown planted bug '%.*s' (known: mprotect-nosplit, "
				 "missed-cow, mmap-errno-order)", (int)(n < 64 ? n : 64), spec);
			return -1;
		}
		spec += n;
		while (*spec == ',' || *spec == '|' || *spec == ' ')
			spec++;
	}
	return 0;
}

void fuzz_apply_plant(harness_target *t)
{
	const char *spec = getenv("MMSPEC_PLANT");
	static bool warned;
	if (!spec || !*spec)
		return;
	uint32_t mask;
	char err[200];
	if (fuzz_plant_parse(spec, &mask, err, sizeof(err))) {
		if (!warned)
			fprintf(stderr, "mmspec: %s; ignored\n", err);
		warned = true;
		return;
	}
#ifdef MMSPEC_PLANT_BUGS
	t->profile.plant = mask;
#else
	if (!warned)
		fprintf(stderr, "mmspec: MMSPEC_PLANT is set, but this build has no planted bugs "
				"(build/mmspec-planted has them); ignored\n");
	warned = true;
	(void)t;
#endif
}
