// capconf: the command line. Each subcommand lives in its own *_command(s).cc; this file only
// dispatches.

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "catalog_commands.h"
#include "malloc_tuning.h"
#include "serve_command.h"
#include "validate_command.h"

namespace {

constexpr const char* kHelp =
    "capconf: capability-driven configuration for agent offerings\n"
    "\n"
    "usage: capconf COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  validate       validate JSON instances against a JSON Schema (draft-07, 2019-09, 2020-12),\n"
    "                 or configurations against a template (--template)\n"
    "  capabilities   list the catalog's capabilities\n"
    "  templates      list the catalog's offering templates\n"
    "  schema         print the bundled form schema of a template (or its UI schema, defaults)\n"
    "  explain        say whether a capability set is allowed and what is still missing\n"
    "  catalog check  lint a catalog directory (or the embedded catalog)\n"
    "  serve          run the HTTP service (SQLite by default; --demo seeds a marketplace)\n"
    "  worker         run sync workers only (Langflow and Ragflow), beside 'serve'\n"
    "  migrate        apply the database migrations\n"
    "  user create    create a user (password on standard input)\n"
    "  token create   mint a bearer token for a user (printed once)\n"
    "  help           show this text\n"
    "\n"
    "The catalog commands read the catalog compiled into capconf, or --catalog DIR.\n"
    "Run 'capconf COMMAND --help' for a command's options.\n";

struct Command {
  std::string_view name;
  const char* usage;
};

constexpr Command kUsages[] = {
    {"validate",
     "usage: capconf validate --schema SCHEMA.json [--default-dialect draft7|2019-09|2020-12]\n"
     "         [--formats assert|annotate] [--remote URI_PREFIX=DIR]... [--output text|json]\n"
     "         [--max-depth N] INSTANCE...\n"
     "       capconf validate --template TEMPLATE[@VERSION] [--capabilities a,b,...]\n"
     "         [--catalog DIR] [--output text|json] [--max-depth N] CONFIG...\n"
     "Each INSTANCE is a JSON file; - reads JSON Lines from standard input. With --template,\n"
     "each CONFIG is a namespaced configuration, validated against the template's bundled\n"
     "schema for the capabilities given (the template's defaults when absent).\n"
     "Exit 0 when all are valid, 1 when any is invalid, 2 for usage, unreadable input or a\n"
     "bad schema.\n"},
    {"capabilities",
     "usage: capconf capabilities [--catalog DIR] [--output text|json]\n"
     "One line per capability: id, label, runtime, whether its configuration is required, and\n"
     "its dependency rule. --output json prints the capability files' content.\n"},
    {"templates",
     "usage: capconf templates [--catalog DIR] [--output text|json]\n"
     "One line per template version: id@version, name, category, capabilities, defaults.\n"},
    {"schema",
     "usage: capconf schema TEMPLATE[@VERSION] [--capabilities a,b,...] [--ui | --defaults "
     "[CONFIG]]\n"
     "         [--catalog DIR]\n"
     "Prints the bundled JSON Schema for the template with those capabilities enabled (the\n"
     "template's defaults when absent); --ui prints its rjsf UI schema, --defaults the initial\n"
     "configuration (every schema default filled in as rjsf fills them), or CONFIG with the\n"
     "defaults filled in. One line of JSON. Exit 2 on error.\n"},
    {"explain",
     "usage: capconf explain TEMPLATE[@VERSION] [--capabilities a,b,...]\n"
     "         [--provisioned RESOURCE,...] [--output text|json] [--catalog DIR] [CONFIG]\n"
     "Says whether the capability set may be enabled (with the reason for each problem) and,\n"
     "when it may, whether CONFIG (the initial configuration when absent) is configured: its\n"
     "validation errors and every need still missing. Secrets count as set when CONFIG holds\n"
     "them; --provisioned names the platform resources that exist (ragflow_collection, sandbox).\n"
     "Exit 0 when allowed and configured, 1 otherwise, 2 for usage or unreadable input.\n"},
    {"serve",
     "usage: capconf serve [--listen HOST:PORT] [--database sqlite:PATH | postgres://...]\n"
     "         [--catalog DIR] [--data-dir DIR] [--web DIR] [--public-url URL] [--threads N]\n"
     "         [--waiting-threads N] [--demo] [--insecure-cookies]\n"
     "Runs the HTTP service (default 127.0.0.1:8080, sqlite:capconf.db, keys and files under\n"
     "capconf-data/). Migrations run at start. --demo seeds an operator, a seller with an active\n"
     "offering per template and a buyer, and prints how to sign in. --insecure-cookies drops the\n"
     "Secure cookie attribute for plain-HTTP development. --public-url is the server's address\n"
     "as websites reach it (for the widget's embed code). --threads: HTTP worker threads\n"
     "(default one a core). --waiting-threads: threads for saves, which wait for the group\n"
     "commit that writes them with others (default 32). SIGTERM stops it gracefully.\n"
     "Sync (saves are synced to Langflow and Ragflow in the background; see 'capconf worker'):\n"
     "  --langflow-url URL, --ragflow-url URL (or CAPCONF_LANGFLOW_URL, CAPCONF_RAGFLOW_URL);\n"
     "  the API keys only from CAPCONF_LANGFLOW_API_KEY and CAPCONF_RAGFLOW_API_KEY. A target\n"
     "  without a URL keeps its jobs pending and says so. --sync-workers N (default 2; 0: none\n"
     "  in this process), --sync-poll-ms, --sync-lease-ms, --sync-retry-base-ms,\n"
     "  --sync-max-attempts tune the workers.\n"},
    {"worker",
     "usage: capconf worker [--database URL] [--data-dir DIR] [--catalog DIR] [--sync-workers N]\n"
     "         [--langflow-url URL] [--ragflow-url URL] [--sync-poll-ms N] [--sync-lease-ms N]\n"
     "         [--sync-retry-base-ms N] [--sync-max-attempts N]\n"
     "Runs sync workers without the HTTP service, against the same database as 'serve' (several\n"
     "processes may run at once: a job is leased to one of them). --data-dir must hold the same\n"
     "server keys as the servers' (the workers decrypt buyers' credentials for Langflow).\n"
     "SIGTERM or SIGINT stops it after the calls in flight.\n"},
    {"migrate",
     "usage: capconf migrate [--database URL]\nApplies every pending migration and prints the "
     "schema version.\n"},
    {"user",
     "usage: capconf user create --email E [--display-name N] --role operator|seller|buyer\n"
     "         (--organization NAME | --organization-id ID) --password-stdin [--database URL]\n"
     "Prints the new user's id.\n"},
    {"token",
     "usage: capconf token create --email E [--name NAME] [--database URL] [--data-dir DIR]\n"
     "Prints a new bearer token for the user, once; only its keyed hash is stored.\n"},
    {"catalog",
     "usage: capconf catalog check [DIR] [--output text|json]\n"
     "Lints a catalog directory (the embedded catalog when DIR is absent): one line per\n"
     "finding, FILE#POINTER: reason. Exit 0 when clean, 1 on any finding, 2 if unreadable.\n"},
};

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && (std::string_view(argv[1]) == "serve" || std::string_view(argv[1]) == "worker")) {
    capconf::cli::UseServerMallocTunables(argv);
  }
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kHelp, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  std::string command = args[0];
  args.erase(args.begin());
  bool help = std::find_if(args.begin(), args.end(), [](const std::string& a) {
                return a == "--help" || a == "-h";
              }) != args.end();
  for (const Command& c : kUsages) {
    if (c.name == command && help) {
      std::fputs(c.usage, stdout);
      return 0;
    }
  }
  using capconf::cli::RunCapabilities;
  if (command == "validate") return capconf::cli::RunValidate(args, stdin, stdout, stderr);
  if (command == "capabilities") return RunCapabilities(args, stdout, stderr);
  if (command == "templates") return capconf::cli::RunTemplates(args, stdout, stderr);
  if (command == "schema") return capconf::cli::RunSchema(args, stdout, stderr);
  if (command == "explain") return capconf::cli::RunExplain(args, stdout, stderr);
  if (command == "catalog") return capconf::cli::RunCatalog(args, stdout, stderr);
  if (command == "serve") return capconf::cli::RunServe(args, stdout, stderr);
  if (command == "migrate") return capconf::cli::RunMigrate(args, stdout, stderr);
  if (command == "worker") return capconf::cli::RunWorker(args, stdout, stderr);
  if (command == "user") return capconf::cli::RunUser(args, stdin, stdout, stderr);
  if (command == "token") return capconf::cli::RunToken(args, stdout, stderr);
  std::fprintf(stderr, "capconf: unknown command '%s' (try 'capconf help')\n", command.c_str());
  return 2;
}
