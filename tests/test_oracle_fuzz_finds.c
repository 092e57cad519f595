/* SPDX-License-Identifier: MIT */
/*
 * test_oracle_fuzz_finds.c: model bugs the fuzz targets found, each fixed
 * and pinned here, verified on Linux 6.18.44.
 *
 * Special mappings are never split.
 * special_mapping_split() (mm/mmap.c) is the vm_ops->may_split of [vvar],
 * [vvar_vclock] and [vdso]: __split_vma() fails with EINVAL, so munmap,
 * mprotect and MAP_FIXED over part of one fail and change nothing, while
 * the whole mapping can go. Verified on Linux 6.18.44 with getauxval
 * (AT_SYSINFO_EHDR); found by fuzz_diff, where a MAP_FIXED mapping placed
 * right below [vvar] ran into the middle of [vdso]. The rows use the
 * default model layout (oracle_proc_seed_default): [vvar] at
 * 0x7ffff7fc1000 (4 pages), [vdso] at 0x7ffff7fc7000 (2 pages).
 */
#include "oracle.h"
#include "test.h"

#define P 4096ULL
#define VVAR 0x7ffff7fc1000ULL
#define VDSO 0x7ffff7fc7000ULL

enum kind { MUNMAP, MPROTECT, MMAP_FIXED };

static const struct row {
	const char *name;
	enum kind k;
	uint64_t addr, len;
	int64_t want;          /* 0: success; else -errno */
	int64_t vma_delta;     /* change of the VMA count */
} rows[] = {
	{ "munmap second page of vdso", MUNMAP, VDSO + P, P, -LX_EINVAL, 0 },
	{ "munmap first page of vdso", MUNMAP, VDSO, P, -LX_EINVAL, 0 },
	{ "mprotect second page of vdso", MPROTECT, VDSO + P, P, -LX_EINVAL, 0 },
	{ "mmap fixed over half of vdso and above", MMAP_FIXED, VDSO + P, 2 * P, -LX_EINVAL, 0 },
	{ "mmap fixed ending inside vdso", MMAP_FIXED, VDSO - 14 * P, 15 * P, -LX_EINVAL, 0 },
	{ "munmap part of vvar", MUNMAP, VVAR + P, P, -LX_EINVAL, 0 },
	{ "mprotect first page of vvar", MPROTECT, VVAR, P, -LX_EINVAL, 0 },
	/* No split needed: the whole mapping. */
	{ "munmap whole vdso", MUNMAP, VDSO, 2 * P, 0, -1 },
	{ "mprotect whole vvar", MPROTECT, VVAR, 4 * P, 0, 0 },
};

TEST(special_mappings_do_not_split)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		oracle_profile prof;
		oracle_profile_default(&prof);
		oracle_world *w = oracle_world_new(&prof);
		oracle_proc *p = oracle_world_root(w);
		oracle_proc_seed_default(p);
		int64_t before = (int64_t)oracle_vma_count(p), got = 0;
		switch (r->k) {
		case MUNMAP:
			got = oracle_munmap(p, r->addr, r->len);
			break;
		case MPROTECT:
			got = oracle_mprotect(p, r->addr, r->len, LX_PROT_NONE);
			break;
		case MMAP_FIXED:
			got = oracle_mmap(p, r->addr, r->len, LX_PROT_READ,
					  LX_MAP_PRIVATE | LX_MAP_ANONYMOUS | LX_MAP_FIXED, (uint64_t)-1, 0, 0);
			if (got == (int64_t)r->addr)
				got = 0;
			break;
		}
		CHECK_MSG(got == r->want, "%s: got %lld, want %lld", r->name, (long long)got,
			  (long long)r->want);
		CHECK_MSG((int64_t)oracle_vma_count(p) - before == r->vma_delta, "%s: VMA count %lld -> %zu",
			  r->name, (long long)before, oracle_vma_count(p));
		CHECK_MSG(!oracle_check(w), "%s: %s", r->name, oracle_check(w));
		oracle_world_free(w);
	}
}

/*
 * Shared anonymous memory is charged at mmap time (shmem_zero_setup ->
 * shmem_acct_size, mm/shmem.c) unless MAP_NORESERVE, after the old
 * mappings in the range are gone. fuzz_model found the model accepting a
 * 1 TiB MAP_SHARED|MAP_ANONYMOUS|MAP_POPULATE mapping and running out of
 * memory populating it. The default profile's commit limit is 24 GiB.
 */
TEST(shared_anonymous_memory_is_charged)
{
	oracle_profile prof;
	oracle_profile_default(&prof);
	oracle_world *w = oracle_world_new(&prof);
	oracle_proc *p = oracle_world_root(w);
	uint64_t a = oracle_proc_seed_default(p);
	const uint64_t T = 1ULL << 40;
	const uint64_t SA = LX_MAP_SHARED | LX_MAP_ANONYMOUS;
	CHECK(oracle_mmap(p, 0, T, LX_PROT_READ, SA | LX_MAP_POPULATE, (uint64_t)-1, 0, 0) == -LX_ENOMEM);
	/* 1 GiB is within the commit limit; MAP_NORESERVE is not charged. */
	int64_t r = oracle_mmap(p, 0, 1ULL << 30, LX_PROT_READ, SA, (uint64_t)-1, 0, 0);
	CHECK(r > 0);
	CHECK(oracle_munmap(p, (uint64_t)r, 1ULL << 30) == 0);
	r = oracle_mmap(p, 0, T, LX_PROT_READ, SA | LX_MAP_NORESERVE, (uint64_t)-1, 0, 0);
	CHECK(r > 0);
	CHECK(oracle_munmap(p, (uint64_t)r, T) == 0);
	/* MAP_FIXED over a page: the page is gone after the failure. */
	CHECK(oracle_mmap(p, a, P, LX_PROT_READ | LX_PROT_WRITE, LX_MAP_PRIVATE | LX_MAP_ANONYMOUS | LX_MAP_FIXED,
			  (uint64_t)-1, 0, 0) == (int64_t)a);
	CHECK(oracle_mmap(p, a, T, LX_PROT_READ, SA | LX_MAP_FIXED, (uint64_t)-1, 0, 0) == -LX_ENOMEM);
	oracle_vma_info v;
	CHECK(!oracle_find_vma(p, a, &v) || v.start > a);
	CHECK(!oracle_check(w));
	oracle_world_free(w);
}

int main(int argc, char **argv)
{
	return test_main(argc, argv);
}
