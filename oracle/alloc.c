/* SPDX-License-Identifier: MIT */
/*
 * alloc.c: the world's object pools (frames, VMAs, page-cache entries,
 * anon_vmas, shared objects, page-table levels and page contents).
 *
 * A fuzz campaign builds and drops a world per program, and a world of the
 * default layout makes hundreds of small objects (mlockall faults in the
 * whole C library), each a malloc and a free: profiling showed the
 * allocator as the largest single cost of running a program. So objects
 * come from 64 KiB chunks owned by the world, freed objects go to a free
 * list per kind, and oracle_world_free() hands the chunks back at once
 * without visiting the objects. Chunks of dropped worlds are kept (up to
 * OA_SPARE_MAX per thread) for the next world.
 *
 * Under AddressSanitizer (the debug and fuzz presets) every object is its
 * own calloc() instead, and worlds are torn down object by object, so that
 * the sanitizer still sees each use after free and each leak.
 */
#include <stdlib.h>

#include "oracleInt.h"

#define OA_ALIGN 16
#define OA_ROUND(n) (((n) + OA_ALIGN - 1) & ~(size_t)(OA_ALIGN - 1))
#define OA_CHUNK_SIZE (64u * 1024u)
#define OA_SPARE_MAX 64

_Static_assert(sizeof(pt_mid) == sizeof(pt_upper), "the upper page-table levels share one pool");

static const size_t oa_size[OA_NKINDS] = {
	[OA_FRAME] = OA_ROUND(sizeof(frame)),
	[OA_VMA] = OA_ROUND(sizeof(vma)),
	[OA_PCACHE] = OA_ROUND(sizeof(pcache_entry)),
	[OA_ANON_VMA] = OA_ROUND(sizeof(anon_vma)),
	[OA_FILE] = OA_ROUND(sizeof(oracle_file)),
	[OA_TABLE] = OA_ROUND(sizeof(pt_mid)),
	[OA_LEAF] = OA_ROUND(sizeof(pt_leaf)),
	[OA_PAGE] = PAGE_SIZE,
};

#if ORACLE_POOLED

/* A chunk: this header, then objects of any kind, bumped in order. */
typedef struct oa_chunk {
	struct oa_chunk *next;
	uint64_t pad;       /* keeps the objects OA_ALIGN aligned */
} oa_chunk;

_Static_assert(sizeof(oa_chunk) % OA_ALIGN == 0, "chunk header keeps alignment");

/* Chunks of dropped worlds, for the next one. */
static _Thread_local oa_chunk *oa_spare;
static _Thread_local unsigned oa_nspare;

static int oa_grow(oa_pool *o)
{
	oa_chunk *c = oa_spare;
	if (c) {
		oa_spare = c->next;
		oa_nspare--;
	} else if (!(c = malloc(OA_CHUNK_SIZE))) {
		return -1;
	}
	c->next = o->chunks;
	o->chunks = c;
	o->bump = (char *)(c + 1);
	o->end = (char *)c + OA_CHUNK_SIZE;
	return 0;
}

void *oa_alloc(oracle_world *w, enum oa_kind k)
{
	oa_pool *o = &w->pool;
	size_t size = oa_size[k];
	void *p = o->free[k];
	if (p) {
		o->free[k] = *(void **)p;
	} else {
		if ((size_t)(o->end - o->bump) < size && oa_grow(o))
			return NULL;
		p = o->bump;
		o->bump += size;
	}
	/* A leaf's entries are written when they are installed. */
	return memset(p, 0, k == OA_LEAF ? PT_LEAF_HEADER : size);
}

void oa_free(oracle_world *w, enum oa_kind k, void *p)
{
	if (!p)
		return;
	*(void **)p = w->pool.free[k];
	w->pool.free[k] = p;
}

void oa_release(oracle_world *w)
{
	oa_chunk *c = w->pool.chunks;
	while (c) {
		oa_chunk *next = c->next;
		if (oa_nspare < OA_SPARE_MAX) {
			c->next = oa_spare;
			oa_spare = c;
			oa_nspare++;
		} else {
			free(c);
		}
		c = next;
	}
	memset(&w->pool, 0, sizeof(w->pool));
}

#else

void *oa_alloc(oracle_world *w, enum oa_kind k)
{
	(void)w;
	return calloc(1, oa_size[k]);
}

void oa_free(oracle_world *w, enum oa_kind k, void *p)
{
	(void)w;
	(void)k;
	free(p);
}

void oa_release(oracle_world *w) { (void)w; }

#endif
