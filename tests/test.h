/* SPDX-License-Identifier: MIT */
/*
 * test.h: the unit-test scaffolding shared by the files in tests/.
 *
 * A test file defines functions registered with TEST(name) and calls
 * test_main() from main. Each CHECK prints the failing expression with its
 * file and line; the run ends with a "N passed, N failed" line and exits
 * non-zero on any failure, so ctest sees the result.
 */
#ifndef MMSPEC_TEST_H
#define MMSPEC_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*test_fn)(void);
struct test_entry { const char *name; test_fn fn; };

static struct test_entry test_registry[512];
static int test_count, test_failed_checks, test_current_failed;
static const char *test_current;

#define TEST(fn_)                                                             \
	static void fn_(void);                                                 \
	__attribute__((constructor)) static void register_##fn_(void)          \
	{                                                                      \
		test_registry[test_count].name = #fn_;                         \
		test_registry[test_count++].fn = fn_;                          \
	}                                                                      \
	static void fn_(void)

#define CHECK(cond)                                                           \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n",       \
				__FILE__, __LINE__, test_current, #cond);      \
			test_failed_checks++;                                  \
			test_current_failed = 1;                               \
		}                                                              \
	} while (0)

#define CHECK_MSG(cond, ...)                                                  \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__,     \
				test_current);                                 \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			test_failed_checks++;                                  \
			test_current_failed = 1;                               \
		}                                                              \
	} while (0)

#define CHECK_EQ_U64(a, b)                                                    \
	do {                                                                   \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);               \
		CHECK_MSG(a_ == b_, "%s == %s: 0x%" PRIx64 " != 0x%" PRIx64,   \
			  #a, #b, a_, b_);                                     \
	} while (0)

#define CHECK_STR(a, b)                                                       \
	do {                                                                   \
		const char *a_ = (a), *b_ = (b);                               \
		CHECK_MSG(a_ && b_ && strcmp(a_, b_) == 0,                     \
			  "%s == %s:\n  got:  \"%s\"\n  want: \"%s\"", #a, #b,  \
			  a_ ? a_ : "(null)", b_ ? b_ : "(null)");            \
	} while (0)

static inline int test_main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	for (int i = 0; i < test_count; i++) {
		if (argc > 1 && !strstr(test_registry[i].name, argv[1]))
			continue;
		test_current = test_registry[i].name;
		test_current_failed = 0;
		test_registry[i].fn();
		if (test_current_failed) {
			failed++;
			printf("not ok %s\n", test_current);
		} else {
			passed++;
			printf("ok %s\n", test_current);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

#endif
