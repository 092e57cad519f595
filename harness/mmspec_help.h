/* SPDX-License-Identifier: MIT */
/*
 * mmspec_help.h: per-command help of the mmspec command line
 * (mmspec_help.c), used by mmspec.c only.
 */
#ifndef MMSPEC_HELP_H
#define MMSPEC_HELP_H

#include <stdbool.h>
#include <stdio.h>

/* Whether -h or --help is among the arguments. */
bool mmspec_wants_help(int argc, char **argv);
/* Prints cmd's usage, every option on a line; false when cmd has none here. */
bool mmspec_command_help(const char *cmd, FILE *out);

#endif
