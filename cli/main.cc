// vhdchain: see app.cc for the wiring and cmd_*.cc for the commands.
#include "app.h"

#ifdef _WIN32
#include <string>
#include <vector>

#include "io/win32.h"

// Windows hands programs their arguments in UTF-16; main()'s char** would be the ANSI code page,
// which loses every character outside it (a VM named in Cyrillic on a Western host). CLI11 2.1 has
// no wide argv, and the library speaks UTF-8, so the arguments are converted once, here.
// Output is UTF-8 too, so the console is switched to the UTF-8 code page while we run (and given
// back afterwards: the code page belongs to the console, which outlives us). MinGW needs
// -municode to link wmain (cli/CMakeLists.txt).
int wmain(int argc, wchar_t** wargv) {
  std::vector<std::string> args;
  for (int i = 0; i < argc; ++i) args.push_back(vhdchain::win32::narrow(wargv[i]));
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const UINT previous = ::GetConsoleOutputCP();
  ::SetConsoleOutputCP(CP_UTF8);
  const int status = vhdchain::cli::run(argc, argv.data());
  if (previous != 0) ::SetConsoleOutputCP(previous);
  return status;
}
#else
int main(int argc, char** argv) { return vhdchain::cli::run(argc, argv); }
#endif
