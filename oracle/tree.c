/* SPDX-License-Identifier: MIT */
/*
 * tree.c: the intrusive AVL tree behind the model's ordered structures.
 *
 * Parent pointers make in-order stepping O(1) amortised without a stack, which
 * the VMA walks (mprotect over a range, munmap gathering) rely on.
 */
#include "tree.h"

static tree_node *floor_walk(const tree *t, uint64_t key);
static tree_node *ceil_walk(const tree *t, uint64_t key);

static int height(const tree_node *n) { return n ? n->height : 0; }

static void fix_height(tree_node *n)
{
	int l = height(n->left), r = height(n->right);
	n->height = (l > r ? l : r) + 1;
}

static void replace_child(tree *t, tree_node *parent, tree_node *old, tree_node *new)
{
	if (!parent)
		t->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
	if (new)
		new->parent = parent;
}

static tree_node *rotate_left(tree *t, tree_node *x)
{
	tree_node *y = x->right;
	replace_child(t, x->parent, x, y);
	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	y->left = x;
	x->parent = y;
	fix_height(x);
	fix_height(y);
	return y;
}

static tree_node *rotate_right(tree *t, tree_node *x)
{
	tree_node *y = x->left;
	replace_child(t, x->parent, x, y);
	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	y->right = x;
	x->parent = y;
	fix_height(x);
	fix_height(y);
	return y;
}

/*
 * Restores balance from n upwards. It stops at the first node whose height
 * and balance did not change, because nothing above it can have changed
 * either; walking every ancestor each time would touch O(log n) cold nodes.
 */
static void rebalance(tree *t, tree_node *n)
{
	while (n) {
		int old = n->height;
		fix_height(n);
		int bal = height(n->left) - height(n->right);
		if (n->height == old && bal >= -1 && bal <= 1)
			return;
		if (bal > 1) {
			if (height(n->left->left) < height(n->left->right))
				rotate_left(t, n->left);
			n = rotate_right(t, n);
		} else if (bal < -1) {
			if (height(n->right->right) < height(n->right->left))
				rotate_right(t, n->right);
			n = rotate_left(t, n);
		}
		n = n->parent;
	}
}

void tree_insert(tree *t, tree_node *n)
{
	tree_node *parent = NULL, **link = &t->root;
	while (*link) {
		parent = *link;
		link = n->key < parent->key ? &parent->left : &parent->right;
	}
	n->left = n->right = NULL;
	n->parent = parent;
	n->height = 1;
	*link = n;
	t->count++;
	rebalance(t, parent);
}

void tree_insert_after(tree *t, tree_node *pred, tree_node *n)
{
	if (!pred) {
		tree_insert(t, n);
		return;
	}
	tree_node *parent = pred, **link;
	if (!pred->right) {
		link = &pred->right;
	} else {
		parent = pred->right;
		while (parent->left)
			parent = parent->left;
		link = &parent->left;
	}
	n->left = n->right = NULL;
	n->parent = parent;
	n->height = 1;
	*link = n;
	t->count++;
	rebalance(t, parent);
}

void tree_remove(tree *t, tree_node *n)
{
	tree_node *fix;
	/* A removed hint passes to a neighbour: the next query is most
	 * likely about the same place (a merge, an unmap and what follows). */
	if (t->hint == n)
		t->hint = tree_prev(n) ? tree_prev(n) : tree_next(n);
	if (n->left && n->right) {
		/* Swap n with its successor s, which has no left child. */
		tree_node *s = n->right;
		while (s->left)
			s = s->left;
		tree_node *sp = s->parent, *sr = s->right;
		if (sp == n) {
			fix = s;
		} else {
			fix = sp;
			sp->left = sr;
			if (sr)
				sr->parent = sp;
			s->right = n->right;
			n->right->parent = s;
		}
		s->left = n->left;
		n->left->parent = s;
		replace_child(t, n->parent, n, s);
		s->height = n->height;
	} else {
		tree_node *child = n->left ? n->left : n->right;
		fix = n->parent;
		replace_child(t, n->parent, n, child);
	}
	t->count--;
	rebalance(t, fix);
}

tree_node *tree_floor(tree *t, uint64_t key)
{
	tree_node *h = t->hint;
	if (h && h->key <= key) {
		if (h->key == key)
			return h;
		tree_node *nx = tree_next(h);
		if (!nx || nx->key > key)
			return h;
		if (nx->key == key)
			return t->hint = nx;
	} else if (h) {
		/* Just below the hint (a split's lower part, say): its
		 * predecessor, if that is at or below key, is the floor. */
		tree_node *pv = tree_prev(h);
		if (!pv)
			return NULL;
		if (pv->key <= key)
			return t->hint = pv;
	}
	t->hint = floor_walk(t, key);
	return t->hint;
}

static tree_node *floor_walk(const tree *t, uint64_t key)
{
	tree_node *n = t->root, *best = NULL;
	while (n) {
		if (n->key == key)
			return n;
		if (n->key < key) {
			best = n;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	return best;
}

tree_node *tree_ceil(tree *t, uint64_t key)
{
	tree_node *h = t->hint;
	if (h && h->key >= key) {
		if (h->key == key)
			return h;
		tree_node *pv = tree_prev(h);
		if (!pv || pv->key < key)
			return h;
	} else if (h) {
		tree_node *nx = tree_next(h);
		if (!nx)
			return NULL;
		if (nx->key >= key) {
			t->hint = nx;
			return nx;
		}
	}
	t->hint = ceil_walk(t, key);
	return t->hint;
}

static tree_node *ceil_walk(const tree *t, uint64_t key)
{
	tree_node *n = t->root, *best = NULL;
	while (n) {
		if (n->key == key)
			return n;
		if (n->key > key) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

tree_node *tree_first(const tree *t)
{
	tree_node *n = t->root;
	while (n && n->left)
		n = n->left;
	return n;
}

tree_node *tree_last(const tree *t)
{
	tree_node *n = t->root;
	while (n && n->right)
		n = n->right;
	return n;
}

tree_node *tree_next(const tree_node *n)
{
	if (n->right) {
		n = n->right;
		while (n->left)
			n = n->left;
		return (tree_node *)n;
	}
	while (n->parent && n->parent->right == n)
		n = n->parent;
	return n->parent;
}

tree_node *tree_prev(const tree_node *n)
{
	if (n->left) {
		n = n->left;
		while (n->right)
			n = n->right;
		return (tree_node *)n;
	}
	while (n->parent && n->parent->left == n)
		n = n->parent;
	return n->parent;
}

static int validate(const tree_node *n, const tree_node *parent, size_t *count,
		    const uint64_t *lo, const uint64_t *hi)
{
	if (!n)
		return 0;
	if (n->parent != parent)
		return -1;
	if ((lo && n->key <= *lo) || (hi && n->key >= *hi))
		return -1;
	int l = height(n->left), r = height(n->right);
	if (n->height != (l > r ? l : r) + 1 || l - r > 1 || r - l > 1)
		return -1;
	(*count)++;
	if (validate(n->left, n, count, lo, &n->key) ||
	    validate(n->right, n, count, &n->key, hi))
		return -1;
	return 0;
}

int tree_validate(const tree *t)
{
	size_t count = 0;
	if (validate(t->root, NULL, &count, NULL, NULL))
		return -1;
	return count == t->count ? 0 : -1;
}
