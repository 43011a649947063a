// vhdchain: see app.cc for the wiring and cmd_*.cc for the commands.
#include "app.h"

int main(int argc, char** argv) { return vhdchain::cli::run(argc, argv); }
