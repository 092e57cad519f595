/* SPDX-License-Identifier: MIT */
/*
 * vm_main.c: mmspec-vm, the launcher behind `mmspec run --target vm:IMAGE`.
 *
 *   mmspec-vm [--memory SIZE] KERNEL_IMAGE EXECUTOR
 *
 * Boots KERNEL_IMAGE under qemu-system-x86_64 (software emulation: no KVM)
 * with a generated initramfs that holds mmspec-init as /init, EXECUTOR as
 * /mmspec-exec and the kernel modules the virtio-serial port needs, and
 * connects that port to this process's standard input and output (qemu
 * reads our standard input itself; its output is relayed through us, with a
 * boot timeout, MMSPEC_VM_BOOT_TIMEOUT seconds, 300 by default). To the
 * controller it is therefore just another wrapper command: it reads the
 * executor's HELLO from our standard output and sends requests to our
 * standard input (docs/executor-protocol.md). The kernel console goes to our
 * standard error, at loglevel 3, so boot failures and panics show.
 *
 * The initramfs is an uncompressed cpio "newc" archive written here, into an
 * unlinked temporary file that qemu reads through /proc/self/fd: nothing is
 * left behind. The modules come from the unpacked Debian package the image
 * belongs to (scripts/fetch-kernels.sh): IMAGE is DIR/boot/vmlinuz-RELEASE
 * (or a link to it), the config DIR/boot/config-RELEASE and the modules
 * DIR/lib/modules/RELEASE. When the config says the virtio console, the
 * virtio PCI transport or virtio itself are modules ("=m"), they and their
 * dependencies (each module's depends= field) go into /modules, numbered in
 * load order.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "mmspec-vm: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	exit(3);
}

/* --- cpio newc ----------------------------------------------------------- */

typedef struct cpio {
	FILE *f;
	unsigned ino;
	const char *what;        /* for messages */
} cpio;

static void cpio_pad(cpio *c)
{
	long pos = ftell(c->f);
	while (pos++ % 4)
		fputc(0, c->f);
}

static void cpio_header(cpio *c, const char *name, unsigned mode, size_t size,
			unsigned rmajor, unsigned rminor)
{
	fprintf(c->f, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08zX%08X",
		++c->ino, mode, 0u, 0u, (mode & S_IFMT) == S_IFDIR ? 2u : 1u, 0u, (unsigned)size,
		0u, 0u, rmajor, rminor, strlen(name) + 1, 0u);
	fwrite(name, 1, strlen(name) + 1, c->f);
	cpio_pad(c);
}

static void cpio_dir(cpio *c, const char *name)
{
	cpio_header(c, name, S_IFDIR | 0755, 0, 0, 0);
}

static void cpio_file(cpio *c, const char *name, const char *src, unsigned perm)
{
	FILE *in = fopen(src, "rb");
	if (!in)
		die("cannot read %s: %s", src, strerror(errno));
	struct stat st;
	if (fstat(fileno(in), &st) || !S_ISREG(st.st_mode))
		die("%s is not a regular file%s", src, "");
	cpio_header(c, name, S_IFREG | perm, (size_t)st.st_size, 0, 0);
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, c->f);
	fclose(in);
	cpio_pad(c);
}

static void cpio_end(cpio *c)
{
	cpio_header(c, "TRAILER!!!", 0, 0, 0, 0);
	/* The kernel reads the archive in 512-byte blocks' worth of padding fine; round anyway. */
	while (ftell(c->f) % 512)
		fputc(0, c->f);
}

/* --- modules ------------------------------------------------------------- */

typedef struct modset {
	char path[32][256];      /* relative to the modules directory, load order */
	int n;
} modset;

/*
 * The module file of a module name, from modules.order (the package has no
 * modules.dep: depmod makes it at installation). Names match with '-' and
 * '_' taken as equal, like modprobe.
 */
static int find_module(const char *order, const char *name, char *out, size_t cap)
{
	FILE *f = fopen(order, "r");
	if (!f)
		return -1;
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		const char *slash = strrchr(line, '/');
		const char *b = slash ? slash + 1 : line;
		size_t i = 0;
		for (; name[i] && b[i]; i++)
			if (name[i] != b[i] && !(strchr("-_", name[i]) && strchr("-_", b[i])))
				break;
		if (!name[i] && !strncmp(b + i, ".ko", 3) && strlen(line) < cap) {
			memcpy(out, line, strlen(line) + 1);
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	return -1;
}

/* The "depends=" field of a module's .modinfo: found by scanning the file. */
static void module_depends(const char *path, char *out, size_t cap)
{
	out[0] = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		die("cannot read %s: %s", path, strerror(errno));
	static char buf[8 << 20];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	static const char key[] = "depends=";
	for (size_t i = 0; i + sizeof(key) <= n; i++)
		if ((i == 0 || buf[i - 1] == 0) && !memcmp(buf + i, key, sizeof(key) - 1)) {
			snprintf(out, cap, "%s", buf + i + sizeof(key) - 1);
			return;
		}
}

/* Adds module name after everything it depends on (depth first), once. */
static void add_module(modset *m, const char *moddir, const char *name, int depth)
{
	char order[PATH_MAX + 200], rel[256], path[PATH_MAX + 600], deps[1024];
	snprintf(order, sizeof(order), "%.*s/modules.order", PATH_MAX, moddir);
	if (find_module(order, name, rel, sizeof(rel)))
		die("module %s is not in %s", name, order);
	for (int i = 0; i < m->n; i++)
		if (!strcmp(m->path[i], rel))
			return;
	if (depth > 16 || m->n >= 32)
		die("module dependencies of %s too deep%s", name, "");
	if (strstr(rel, ".ko."))
		die("module %s is compressed; only plain .ko files can be scanned for dependencies (%s)", rel, moddir);
	snprintf(path, sizeof(path), "%.*s/%s", PATH_MAX, moddir, rel);
	module_depends(path, deps, sizeof(deps));
	char *save = NULL;
	for (char *t = strtok_r(deps, ",", &save); t; t = strtok_r(NULL, ",", &save))
		add_module(m, moddir, t, depth + 1);
	snprintf(m->path[m->n++], sizeof(m->path[0]), "%s", rel);
}

/* Whether the kernel config says CONFIG_name=m. */
static int config_is_module(const char *config, const char *name)
{
	FILE *f = fopen(config, "r");
	if (!f)
		return 0;
	char line[512], want[128];
	snprintf(want, sizeof(want), "CONFIG_%s=m", name);
	int found = 0;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, want, strlen(want)) && (line[strlen(want)] == '\n' || !line[strlen(want)]);
	fclose(f);
	return found;
}

static void add_modules(cpio *c, const char *image)
{
	char real[PATH_MAX];
	if (!realpath(image, real))
		die("cannot find the kernel image %s: %s", image, strerror(errno));
	char tmp1[PATH_MAX], tmp2[PATH_MAX];
	snprintf(tmp1, sizeof(tmp1), "%s", real);
	snprintf(tmp2, sizeof(tmp2), "%s", real);
	const char *base = basename(tmp1);
	if (strncmp(base, "vmlinuz-", 8))
		return; /* not a Debian layout: assume the drivers are built in */
	const char *release = base + 8;
	char *bootdir = dirname(tmp2);
	char root[PATH_MAX], config[PATH_MAX + 64], moddir[PATH_MAX + 64];
	snprintf(root, sizeof(root), "%s", dirname(bootdir)); /* DIR: bootdir's parent */
	snprintf(config, sizeof(config), "%s/boot/config-%s", root, release);
	snprintf(moddir, sizeof(moddir), "%s/lib/modules/%s", root, release);
	static const char *const needed[][2] = {
		{ "VIRTIO", "virtio" },
		{ "VIRTIO_PCI", "virtio_pci" },
		{ "VIRTIO_CONSOLE", "virtio_console" },
	};
	modset m = { .n = 0 };
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		if (!config_is_module(config, needed[i][0]))
			continue;
		add_module(&m, moddir, needed[i][1], 0);
	}
	if (!m.n)
		return;
	cpio_dir(c, "modules");
	for (int i = 0; i < m.n; i++) {
		char name[300], src[PATH_MAX + 400];
		const char *slash = strrchr(m.path[i], '/');
		snprintf(name, sizeof(name), "modules/%02d-%s", i, slash ? slash + 1 : m.path[i]);
		snprintf(src, sizeof(src), "%s/%s", moddir, m.path[i]);
		cpio_file(c, name, src, 0644);
		if (getenv("MMSPEC_VM_DEBUG"))
			fprintf(stderr, "mmspec-vm: initramfs %s from %s\n", name, src);
	}
}

/* --- running qemu ---------------------------------------------------------- */

/* Seconds to wait for the executor's first bytes: MMSPEC_VM_BOOT_TIMEOUT, default 300. */
static int boot_timeout(void)
{
	const char *e = getenv("MMSPEC_VM_BOOT_TIMEOUT");
	int t = e ? atoi(e) : 0;
	return t > 0 ? t : 300;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Copies qemu's output (the executor's replies) to our standard output
 * until qemu exits. Ends qemu when nothing came within the boot timeout,
 * when our reader is gone, or a few seconds after the controller closed
 * its end of our standard input (a QUIT powers the VM off well before).
 * Returns the exit status for main.
 */
/* After a boot timeout there is nothing to wait for. */
static bool killed_early(bool started, int timeout_s, double start)
{
	return !started && now_s() - start > timeout_s;
}

static int relay(pid_t qemu, int from, int timeout_s)
{
	static char buf[1 << 16];
	double start = now_s(), closed_at = 0;
	bool started = false, stdin_open = true;
	for (;;) {
		struct pollfd p[2] = { { from, POLLIN, 0 }, { 0, 0, 0 } };
		int np = stdin_open ? 2 : 1;
		int r = poll(p, (nfds_t)np, 1000);
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t n = read(from, buf, sizeof(buf));
			if (n <= 0)
				break; /* qemu is gone */
			started = true;
			for (ssize_t off = 0; off < n;) {
				ssize_t w = write(1, buf + off, (size_t)(n - off));
				if (w <= 0) {
					kill(qemu, SIGKILL);
					waitpid(qemu, NULL, 0);
					return 3;
				}
				off += w;
			}
		}
		if (np == 2 && r > 0 && (p[1].revents & (POLLHUP | POLLERR))) {
			stdin_open = false;
			closed_at = now_s();
		}
		if (!started && now_s() - start > timeout_s) {
			fprintf(stderr, "mmspec-vm: no answer from the executor %d s after starting the VM "
				"(its console follows; MMSPEC_VM_DEBUG=1 shows the whole boot as it happens)\n", timeout_s);
			break;
		}
		if (!stdin_open && now_s() - closed_at > 5)
			break;
	}
	/* qemu closes its output a moment before it exits: give it 5 s. */
	int st = 0;
	pid_t w = 0;
	for (int i = 0; i < 500 && !killed_early(started, timeout_s, start) && (w = waitpid(qemu, &st, WNOHANG)) == 0; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (w == 0) {
		kill(qemu, SIGKILL);
		waitpid(qemu, &st, 0);
	}
	return started && WIFEXITED(st) ? WEXITSTATUS(st) : 3;
}

/*
 * Copies the console log to stderr: all of it when the run went wrong,
 * otherwise only lines other than the power-off messages (a kernel warning
 * during a good run still shows).
 */
static void show_console(int fd, bool all)
{
	FILE *f = fdopen(fd, "r");
	if (!f)
		return;
	rewind(f);
	char line[1024];
	while (fgets(line, sizeof(line), f))
		if (all || (!strstr(line, "reboot: Power down") && !strstr(line, "system sleep state S5")))
			fputs(line, stderr);
	fclose(f);
}

/* --- main ---------------------------------------------------------------- */

/*
 * The kernel command line. vsyscall=xonly: Debian's cloud kernels default to
 * vsyscall=none (CONFIG_LEGACY_VSYSCALL_NONE), where the vsyscall page does
 * not exist at all; xonly is the upstream default and what the suites
 * describe (suites/access.mmt, access-vsyscall-page). MMSPEC_VM_DEBUG in the
 * environment shows the whole boot log.
 */
#define KERNEL_ARGS "console=ttyS0 panic=-1 rdinit=/init vsyscall=xonly"

int main(int argc, char **argv)
{
	const char *memory = "1G";
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--memory") && i + 1 < argc)
			memory = argv[++i];
		else
			die("unknown option %s%s", argv[i], "");
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: mmspec-vm [--memory SIZE] KERNEL_IMAGE EXECUTOR\n");
		return 2;
	}
	const char *image = argv[i], *executor = argv[i + 1];
	if (access(image, R_OK))
		die("cannot read the kernel image %s: %s", image, strerror(errno));

	char self[PATH_MAX], init[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		die("cannot find myself: %s%s", strerror(errno), "");
	self[n] = 0;
	snprintf(init, sizeof(init), "%s/mmspec-init", dirname(self));

	/* The archive lives in an unlinked file; qemu opens it by /proc/self/fd. */
	const char *tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int fd = open(tmpdir, O_TMPFILE | O_RDWR, 0600);
	if (fd < 0)
		die("cannot create a temporary file in %s: %s", tmpdir, strerror(errno));
	cpio c = { fdopen(dup(fd), "w+"), 0, "initramfs" };
	if (!c.f)
		die("fdopen: %s%s", strerror(errno), "");
	cpio_dir(&c, "dev");
	cpio_header(&c, "dev/console", S_IFCHR | 0600, 0, 5, 1);
	cpio_dir(&c, "proc");
	cpio_dir(&c, "sys");
	cpio_file(&c, "init", init, 0755);
	cpio_file(&c, "mmspec-exec", executor, 0755);
	add_modules(&c, image);
	cpio_end(&c);
	if (fflush(c.f) || ferror(c.f))
		die("writing the initramfs: %s%s", strerror(errno), "");
	fclose(c.f);

	/*
	 * The console: straight to our stderr with MMSPEC_VM_DEBUG; otherwise
	 * into an unlinked file that relay() shows when something went wrong
	 * (a clean run would only print "reboot: Power down").
	 */
	int con_fd = -1;
	char con_arg[128];
	if (getenv("MMSPEC_VM_DEBUG")) {
		snprintf(con_arg, sizeof(con_arg), "file,id=con,path=/dev/stderr,append=on");
	} else {
		con_fd = open(tmpdir, O_TMPFILE | O_RDWR, 0600);
		if (con_fd < 0)
			die("cannot create a temporary file in %s: %s", tmpdir, strerror(errno));
		snprintf(con_arg, sizeof(con_arg), "file,id=con,path=/proc/self/fd/%d,append=on", con_fd);
	}
	char initrd[64];
	snprintf(initrd, sizeof(initrd), "/proc/self/fd/%d", fd);
	char *qargv[] = {
		"qemu-system-x86_64",
		"-nodefaults", "-no-user-config", "-display", "none", "-vga", "none",
		/*
		 * The CPU features the suites' host has and the kernels act on:
		 * pdpe1gb (a 1 GiB hstate), umip (a user #GP makes the kernel read
		 * 15 bytes at RIP, fixup_umip_exception(): suites/fetch.mmt).
		 */
		"-machine", "pc", "-accel", "tcg", "-cpu", "qemu64,+pdpe1gb,+umip",
		"-m", (char *)memory, "-smp", "1", "-no-reboot",
		"-kernel", (char *)image, "-initrd", initrd,
		/* console on our stderr; loglevel 3: errors and panics only. */
		"-append", getenv("MMSPEC_VM_DEBUG") ? KERNEL_ARGS " loglevel=7" : KERNEL_ARGS " loglevel=3",
		"-chardev", con_arg, "-serial", "chardev:con",
		/* the executor's port: our stdin and stdout */
		"-device", "virtio-serial-pci",
		"-chardev", "stdio,id=exec,signal=off",
		"-device", "virtserialport,chardev=exec,name=mmspec",
		NULL
	};
	/*
	 * qemu runs as our child with our standard input; its output comes
	 * through us, so that a kernel that never starts the executor ends in
	 * a clear message (boot timeout) instead of a controller waiting for
	 * ever, and so that qemu never outlives us (PR_SET_PDEATHSIG) or the
	 * controller (its end of our standard input closing).
	 */
	int out[2];
	if (pipe(out))
		die("pipe: %s%s", strerror(errno), "");
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s%s", strerror(errno), "");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		execvp(qargv[0], qargv);
		fprintf(stderr, "mmspec-vm: cannot run qemu-system-x86_64: %s\n", strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(fd);
	signal(SIGPIPE, SIG_IGN);
	int rc = relay(pid, out[0], boot_timeout());
	if (con_fd >= 0)
		show_console(con_fd, rc != 0);
	return rc;
}
