/* SPDX-License-Identifier: MIT */
/*
 * tree.h (private to oracle/): an intrusive AVL tree keyed by a u64.
 *
 * The model keeps VMAs (keyed by vm_start) and page-table entries (keyed by
 * virtual page number) in these trees so that lookup, insert, delete and
 * stepping to a neighbour are O(log n): an address space of 65,530 VMAs must
 * cost about what one of 16 does. Nodes are embedded in their owners (as
 * struct rb_node is in the kernel) and carry no allocation of their own.
 */
#ifndef ORACLE_TREE_H
#define ORACLE_TREE_H

#include <stddef.h>
#include <stdint.h>

typedef struct tree_node {
	struct tree_node *left, *right, *parent;
	uint64_t key;
	int height;
} tree_node;

typedef struct tree {
	tree_node *root;
	size_t count;
	/*
	 * The node the last floor/ceil query returned. Consecutive queries
	 * mostly land on or next to it (the kernel kept a per-mm vmacache for
	 * the same reason), so checking it first avoids a walk from the root.
	 */
	tree_node *hint;
} tree;

#define tree_entry(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

static inline void tree_init(tree *t) { t->root = NULL; t->count = 0; t->hint = NULL; }

/* Inserts n with key n->key; keys must be unique (the caller guarantees it). */
void tree_insert(tree *t, tree_node *n);
/*
 * Inserts n right after pred, its in-order predecessor (pred->key < n->key
 * and no node lies between them); pred == NULL falls back to tree_insert.
 * Splits and new mappings always know their left neighbour, and inserting
 * beside it touches nodes that are already in cache instead of walking from
 * the root.
 */
void tree_insert_after(tree *t, tree_node *pred, tree_node *n);
void tree_remove(tree *t, tree_node *n);
/* The node with the largest key <= key, or NULL. */
tree_node *tree_floor(tree *t, uint64_t key);
/* The node with the smallest key >= key, or NULL. */
tree_node *tree_ceil(tree *t, uint64_t key);
tree_node *tree_first(const tree *t);
tree_node *tree_last(const tree *t);
tree_node *tree_next(const tree_node *n);
tree_node *tree_prev(const tree_node *n);
/* Checks heights, balance, ordering and parent links; returns 0 when sound. */
int tree_validate(const tree *t);

#endif
