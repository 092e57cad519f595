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

/* The answer a scan of the membership array gives: floor (want_floor) or ceil. */
static tree_node *scan(item *items, int n, uint64_t q, int want_floor)
{
	int fl = -1, ce = -1;
	for (int k = 0; k < n; k++) {
		if (!items[k].in)
			continue;
		if (items[k].node.key <= q)
			fl = k;
		if (items[k].node.key >= q && ce < 0)
			ce = k;
	}
	int at = want_floor ? fl : ce;
	return at < 0 ? NULL : &items[at].node;
}

/*
 * Queries that stay near the last answer, as the model's do (a split's
 * lower part, the place an unmap just emptied), so that the hint's short
 * cuts answer most of them: just below and above the hint, on a removed
 * hint's neighbours, and on nodes put in with tree_insert_after.
 */
TEST(local_queries_use_the_hint)
{
	enum { N = 600 };
	static item items[N];
	tree t;
	tree_init(&t);
	for (int i = 0; i < N; i++) {
		items[i].node.key = (uint64_t)i * 4 + 8;
		items[i].in = 0;
	}
	uint64_t q = 0;
	for (int step = 0; step < 40000; step++) {
		int i = (int)(next_rand() % N);
		if (items[i].in) {
			tree_remove(&t, &items[i].node);
			items[i].in = 0;
		} else if (next_rand() & 1) {
			/* Beside the predecessor the floor query finds. */
			int pred = -1;
			for (int k = i - 1; k >= 0 && pred < 0; k--)
				if (items[k].in)
					pred = k;
			CHECK(tree_floor(&t, items[i].node.key) == (pred < 0 ? NULL : &items[pred].node));
			tree_insert_after(&t, pred < 0 ? NULL : &items[pred].node, &items[i].node);
			items[i].in = 1;
		} else {
			tree_insert(&t, &items[i].node);
			items[i].in = 1;
		}
		if (step % 101 == 0)
			CHECK(tree_validate(&t) == 0);
		/* A few queries that wander by a node or two from the last. */
		for (int k = 0; k < 4; k++) {
			int64_t d = (int64_t)(next_rand() % 17) - 8;
			q = (int64_t)q + d < 0 ? 0 : (uint64_t)((int64_t)q + d);
			if (q > N * 4 + 16)
				q = N * 4 + 16;
			int fl = (int)(next_rand() & 1);
			tree_node *got = fl ? tree_floor(&t, q) : tree_ceil(&t, q);
			CHECK(got == scan(items, N, q, fl));
		}
	}
	CHECK(tree_validate(&t) == 0);
}

int main(int argc, char **argv) { return test_main(argc, argv); }
