// capconf: the command line. Each subcommand lives in its own *_command.cc; this file only
// dispatches.

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "validate_command.h"

namespace {

constexpr const char* kHelp =
    "capconf: capability-driven configuration for agent offerings\n"
    "\n"
    "usage: capconf COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  validate   validate JSON instances against a JSON Schema (draft-07, 2019-09, 2020-12)\n"
    "  help       show this text\n"
    "\n"
    "Run 'capconf COMMAND --help' for a command's options.\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kHelp, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  std::string command = args[0];
  args.erase(args.begin());
  if (command == "validate") {
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
      std::vector<std::string> none;
      // Usage goes to stdout when asked for.
      std::fputs(
          "usage: capconf validate --schema SCHEMA.json [--default-dialect "
          "draft7|2019-09|2020-12]\n"
          "         [--formats assert|annotate] [--remote URI_PREFIX=DIR]... [--output text|json]\n"
          "         [--max-depth N] INSTANCE...\n"
          "Each INSTANCE is a JSON file; - reads JSON Lines from standard input.\n"
          "Exit 0 when all are valid, 1 when any is invalid, 2 for usage, unreadable input or a\n"
          "bad schema.\n",
          stdout);
      return 0;
    }
    return capconf::cli::RunValidate(args, stdin, stdout, stderr);
  }
  std::fprintf(stderr, "capconf: unknown command '%s' (try 'capconf help')\n", command.c_str());
  return 2;
}
