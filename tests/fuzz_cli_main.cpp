// The numforge command's main(), compiled as `numforgeMain` so the fuzz test runs the real command line in
// process (thousands of cases a second) instead of starting a process per case. The headers main.cpp uses are
// included first, so the rename reaches main.cpp's own definition only.
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "generators/version.h"

#define main numforgeMain
#include "cli/main.cpp"
#undef main
