/* SPDX-License-Identifier: MIT */
/*
 * storeInt.h: internals of the store shared by its own files only.
 *
 * The schema is an ordered list of migrations: store_migrations[i] takes a
 * database from version i to version i + 1. store_open applies the missing
 * ones in one transaction and sets PRAGMA user_version to the last one.
 */
#ifndef MMSPEC_STORE_INT_H
#define MMSPEC_STORE_INT_H

/* 'mmsp': PRAGMA application_id of every mmspec database. */
#define STORE_APPLICATION_ID 0x6d6d7370

typedef struct store_migration {
	int version;             /* the schema version this step produces */
	const char *description; /* recorded in the migrations table */
	const char *sql;         /* one or more statements, run in order */
} store_migration;

extern const store_migration store_migrations[];
extern const int store_migration_count;

#endif
