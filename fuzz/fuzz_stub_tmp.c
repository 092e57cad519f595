#include "fuzz.h"
int fuzz_cmd_repro(int argc, char **argv) { (void)argc; (void)argv; return 2; }
int fuzz_cmd_fuzz(int argc, char **argv) { (void)argc; (void)argv; return 2; }
