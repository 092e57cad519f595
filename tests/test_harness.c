/* SPDX-License-Identifier: MIT */
/*
 * test_harness.c: the harness's own safety nets that no suite case can
 * exercise: the model's watchdog turns a model that never finishes a step
 * into an ERROR naming that step, and the harness keeps working after it.
 */
#include "harness.h"
#include "test.h"

static const char text[] =
	"case watched\n"
	"  mmap(A, 1p, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0) = A\n"
	"  store(A, 0x41) = 0\n"
	"  load(A) = 0x41\n";

TEST(model_watchdog_names_the_step)
{
	prog_file *f = NULL;
	prog_diag d;
	CHECK(prog_parse_text("watched.mmt", text, sizeof(text) - 1, &f, &d) == 0);
	if (!f)
		return;
	harness_target t;
	harness_target_model(&t);
	harness_case_report rep;

	/* The hook makes step 1 (line 3) spin forever; the budget is CPU time,
	 * so this ends whatever the machine's load, only later when busy. */
	harness_set_model_budget(200);
	harness_model_test_hook = HARNESS_MODEL_HOOK_LOOP;
	harness_check_case(&f->cases[0], &t, NULL, NULL, &rep);
	harness_model_test_hook = 0;
	CHECK(rep.result == HARNESS_ERROR);
	CHECK(rep.step == 1);
	CHECK(rep.line == 3);
	CHECK(strstr(rep.message, "line 3: `store(A, 0x41) = 0`") != NULL);
	CHECK(strstr(rep.message, "did not finish the step") != NULL);

	/* The next case runs normally, with the watchdog armed and disarmed. */
	harness_check_case(&f->cases[0], &t, NULL, NULL, &rep);
	CHECK(rep.result == HARNESS_PASS);
	harness_set_model_budget(0);
	prog_file_free(f);
}

int main(int argc, char **argv) { return test_main(argc, argv); }
