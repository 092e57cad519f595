/* SPDX-License-Identifier: MIT */
/*
 * test_tree.c: the model's ordered tree against a plain sorted array, over a
 * long random sequence of inserts and deletes, checking balance and links
 * after every operation.
 */
#include "test.h"
#include "tree.h"

typedef struct item { tree_node node; int in; } item;

static uint64_t rng = 88172645463325252ULL;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

TEST(random_against_array)
{
	enum { N = 2000 };
	static item items[N];
	tree t;
	tree_init(&t);
	for (int i = 0; i < N; i++)
		items[i].node.key = (uint64_t)i * 3;
	for (int step = 0; step < 60000; step++) {
		int i = (int)(next_rand() % N);
		if (items[i].in) {
			tree_remove(&t, &items[i].node);
			items[i].in = 0;
		} else {
			tree_insert(&t, &items[i].node);
			items[i].in = 1;
		}
		if (step % 97 == 0)
			CHECK(tree_validate(&t) == 0);
		uint64_t q = next_rand() % (N * 3 + 5);
		/* floor/ceil against a scan of the membership array */
		int fl = -1, ce = -1;
		for (int k = 0; k < N; k++) {
			if (!items[k].in)
				continue;
			if (items[k].node.key <= q)
				fl = k;
			if (items[k].node.key >= q && ce < 0)
				ce = k;
		}
		tree_node *f = tree_floor(&t, q), *c = tree_ceil(&t, q);
		CHECK(fl < 0 ? f == NULL : f == &items[fl].node);
		CHECK(ce < 0 ? c == NULL : c == &items[ce].node);
	}
	/* In-order walks both ways visit every member once, sorted. */
	size_t n = 0;
	uint64_t last = 0;
	for (tree_node *x = tree_first(&t); x; x = tree_next(x), n++) {
		CHECK(n == 0 || x->key > last);
		last = x->key;
	}
	CHECK(n == t.count);
	n = 0;
	for (tree_node *x = tree_last(&t); x; x = tree_prev(x))
		n++;
	CHECK(n == t.count);
	CHECK(tree_validate(&t) == 0);
}

int main(int argc, char **argv) { return test_main(argc, argv); }
