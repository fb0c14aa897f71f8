#include "serve_command.h"

#include <pthread.h>
#include <signal.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <optional>

#include "capconf/access/secrets.h"
#include "capconf/access/server_keys.h"
#include "capconf/api/api.h"
#include "capconf/http/server.h"
#include "capconf/http/static_files.h"
#include "capconf/service/service.h"
#include "capconf/store/store.h"
#include "catalog_selection.h"
#include "keyring_sealer.h"
#include "sync_runtime.h"

namespace capconf::cli {
namespace {
namespace bj = boost::json;

struct Options {
  std::string listen = "127.0.0.1:8080";
  std::string database = "sqlite:capconf.db";
  std::string catalog_dir;
  std::string data_dir = "capconf-data";
  std::string web_dir;
  std::string public_url;
  bool demo = false;
  bool insecure_cookies = false;
  unsigned threads = 0;
  unsigned waiting_threads = 0;
  // user / token create
  std::string email, name, role = "buyer", organization, organization_id, display_name;
  bool password_stdin = false;
  SyncSettings sync;
  std::vector<std::string> positional;
};

std::optional<std::string> Parse(const std::vector<std::string>& args, Options& o) {
  SyncSettingsFromEnvironment(o.sync);
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (auto sync = ParseSyncOption(args, i, o.sync)) {
      if (!sync->empty()) return *sync;
      continue;
    }
    const std::string& a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    std::optional<std::string> v;
    auto take = [&](std::string& out) -> bool {
      v = value();
      if (!v) return false;
      out = *v;
      return true;
    };
    if (a == "--listen") {
      if (!take(o.listen)) return "--listen needs HOST:PORT";
    } else if (a == "--database") {
      if (!take(o.database)) return "--database needs sqlite:PATH or postgres://...";
    } else if (a == "--catalog") {
      if (!take(o.catalog_dir)) return "--catalog needs a directory";
    } else if (a == "--data-dir") {
      if (!take(o.data_dir)) return "--data-dir needs a directory";
    } else if (a == "--web") {
      if (!take(o.web_dir)) return "--web needs the built page's directory";
    } else if (a == "--threads") {
      std::string t;
      if (!take(t)) return "--threads needs a number";
      o.threads = static_cast<unsigned>(std::strtoul(t.c_str(), nullptr, 10));
      if (o.threads == 0 || o.threads > 256) return "--threads takes 1 to 256";
    } else if (a == "--waiting-threads") {
      std::string t;
      if (!take(t)) return "--waiting-threads needs a number";
      o.waiting_threads = static_cast<unsigned>(std::strtoul(t.c_str(), nullptr, 10));
      if (o.waiting_threads == 0 || o.waiting_threads > 256)
        return "--waiting-threads takes 1 to 256";
    } else if (a == "--public-url") {
      if (!take(o.public_url)) return "--public-url needs a URL";
      if (o.public_url.rfind("http://", 0) != 0 && o.public_url.rfind("https://", 0) != 0)
        return "--public-url takes an http:// or https:// URL";
      while (!o.public_url.empty() && o.public_url.back() == '/') o.public_url.pop_back();
    } else if (a == "--demo") {
      o.demo = true;
    } else if (a == "--insecure-cookies") {
      o.insecure_cookies = true;
    } else if (a == "--email") {
      if (!take(o.email)) return "--email needs an address";
    } else if (a == "--name") {
      if (!take(o.name)) return "--name needs a name";
    } else if (a == "--display-name") {
      if (!take(o.display_name)) return "--display-name needs a name";
    } else if (a == "--role") {
      if (!take(o.role)) return "--role takes operator, seller or buyer";
    } else if (a == "--organization") {
      if (!take(o.organization)) return "--organization needs a name";
    } else if (a == "--organization-id") {
      if (!take(o.organization_id)) return "--organization-id needs an id";
    } else if (a == "--password-stdin") {
      o.password_stdin = true;
    } else if (a.starts_with("--")) {
      return "unknown option " + a;
    } else {
      o.positional.push_back(a);
    }
  }
  return std::nullopt;
}

int Fail(std::FILE* err, std::string_view command, const std::string& message) {
  std::fprintf(err, "capconf %.*s: %s\n", static_cast<int>(command.size()), command.data(),
               message.c_str());
  return 2;
}

Result<std::unique_ptr<store::Store>> OpenAndMigrate(const std::string& url) {
  CAPCONF_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> db, store::Store::Open(url));
  CAPCONF_RETURN_IF_ERROR(db->Migrate());
  return db;
}

constexpr const char* kDemoPassword = "capconf-demo-1234";

Status SeedDemo(store::Store& db, service::Service& service, const service::Clock& clock,
                std::FILE* out) {
  auto ensure = [&](const char* email, const char* name, store::Role role, const char* org,
                    const std::string& org_id) -> Result<store::User> {
    {
      CAPCONF_ASSIGN_OR_RETURN(auto tx, db.Begin(store::TransactionMode::kReadOnly));
      auto existing = tx->GetUserByEmail(email);
      if (existing.ok()) return *existing;
    }
    api::NewUser n{email, name, kDemoPassword, role, org_id, org};
    return api::CreateUser(db, clock, n);
  };
  CAPCONF_ASSIGN_OR_RETURN(
      store::User op, ensure("operator@demo.capconf.dev", "Olivia Operator", store::Role::kOperator,
                             "Marketplace Operations", ""));
  CAPCONF_ASSIGN_OR_RETURN(store::User seller, ensure("seller@demo.capconf.dev", "Sam Seller",
                                                      store::Role::kSeller, "Acme Agents", ""));
  CAPCONF_ASSIGN_OR_RETURN(
      store::User buyer,
      ensure("buyer@demo.capconf.dev", "Bea Buyer", store::Role::kBuyer, "Globex Corporation", ""));
  (void)op;
  service::Actor seller_actor{seller.id, seller.organization_id, store::Role::kSeller};
  CAPCONF_ASSIGN_OR_RETURN(std::vector<store::Offering> existing,
                           service.ListOfferings(seller_actor));
  auto snapshot = service.Catalog();
  for (const auto& t : snapshot->catalog->templates()) {
    bool have = std::any_of(existing.begin(), existing.end(),
                            [&](const store::Offering& o) { return o.template_id == t->id(); });
    if (have) continue;
    CAPCONF_ASSIGN_OR_RETURN(
        store::Offering offering,
        service.CreateOffering(seller_actor, t->id(), t->version(), "Acme " + t->name(),
                               t->description(), bj::object{}));
    CAPCONF_ASSIGN_OR_RETURN(offering, service.SetOfferingState(seller_actor, offering.id,
                                                                store::OfferingState::kActive));
  }
  std::fprintf(
      out,
      "demo: sign in with password '%s' as\n"
      "  buyer@demo.capconf.dev     (buyer, Globex Corporation)\n"
      "  seller@demo.capconf.dev    (seller, Acme Agents: an active offering per template)\n"
      "  operator@demo.capconf.dev  (operator)\n",
      kDemoPassword);
  (void)buyer;
  return Status::Ok();
}

// What serve and worker share: the migrated database, the server keys, the catalog and the
// service over them.
struct Backend {
  std::unique_ptr<store::Store> db;
  service::SystemClock clock;
  std::unique_ptr<KeyringSealer> sealer;
  std::unique_ptr<service::Service> service;
  std::optional<access::ServerKeys> keys;
};

Result<std::unique_ptr<Backend>> OpenBackend(const Options& o) {
  CAPCONF_RETURN_IF_ERROR(access::Initialize());
  auto backend = std::make_unique<Backend>();
  auto db = OpenAndMigrate(o.database);
  if (!db.ok()) return Status(db.status().code(), o.database + ": " + db.status().message());
  backend->db = std::move(db).value();
  std::error_code ec;
  std::filesystem::create_directories(o.data_dir, ec);
  CAPCONF_ASSIGN_OR_RETURN(backend->keys, access::LoadOrCreateServerKeys(o.data_dir));
  CAPCONF_ASSIGN_OR_RETURN(access::Keyring keyring, access::MakeKeyring(*backend->keys));
  std::vector<catalog::CatalogFile> files;
  if (o.catalog_dir.empty()) {
    files = catalog::Catalog::EmbeddedFiles();
  } else {
    CAPCONF_ASSIGN_OR_RETURN(files, catalog::Catalog::ReadDirectory(o.catalog_dir));
  }
  backend->sealer = std::make_unique<KeyringSealer>(std::move(keyring));
  service::ServiceOptions service_options;
  service_options.files_dir = (std::filesystem::path(o.data_dir) / "files").string();
  backend->service = std::make_unique<service::Service>(
      *backend->db, std::move(files), backend->clock, *backend->sealer, service_options);
  CAPCONF_RETURN_IF_ERROR(backend->service->Start());
  return backend;
}

}  // namespace

int RunServe(const std::vector<std::string>& args, std::FILE* out, std::FILE* err) {
  Options o;
  if (auto usage = Parse(args, o)) return Fail(err, "serve", *usage);
  if (!o.positional.empty()) return Fail(err, "serve", "takes no arguments");
  auto opened = OpenBackend(o);
  if (!opened.ok()) return Fail(err, "serve", opened.status().message());
  Backend& b = **opened;
  auto& db = b.db;
  auto& keys = b.keys;
  service::SystemClock& clock = b.clock;
  service::Service& service = *b.service;
  std::map<std::string, std::string, std::less<>> notes;
  if (o.sync.langflow_url.empty())
    notes["langflow"] = "Langflow is not configured on this server; the agent waits until it is";
  if (o.sync.ragflow_url.empty())
    notes["ragflow"] =
        "Ragflow is not configured on this server; the knowledge base waits until it is";
  if (o.sync.workers == 0) {
    for (const char* target : {"langflow", "ragflow"})
      notes.try_emplace(
          target, "this server runs no sync workers: a 'capconf worker' process has to sync it");
  }
  service.SetSyncNotes(std::move(notes));
  std::unique_ptr<SyncRuntime> sync;
  if (o.sync.workers > 0) {
    auto made = SyncRuntime::Make(*db, service, o.sync);
    if (!made.ok()) return Fail(err, "serve", made.status().message());
    sync = std::move(made).value();
    if (sync->active()) service.OnSyncDue([workers = &sync->workers()] { workers->Wake(); });
  }
  if (o.demo) {
    if (Status s = SeedDemo(*db, service, clock, out); !s.ok())
      return Fail(err, "serve", "demo: " + s.message());
  }

  http::Router router;
  api::ApiOptions api_options;
  api_options.secure_cookies = !o.insecure_cookies;
  api_options.public_url = o.public_url;
  api_options.files_dir = (std::filesystem::path(o.data_dir) / "files").string();
  api::ApiContext context{*db, service, clock, access::KeyedHasher(keys->hashing_key), api_options};
  if (Status s = api::RegisterRoutes(router, context); !s.ok())
    return Fail(err, "serve", s.message());
  std::string web = o.web_dir;
  if (web.empty() && std::filesystem::exists("web/dist/index.html")) web = "web/dist";
  if (!web.empty()) {
    auto static_files = http::StaticFiles::Load({.root = web});
    if (!static_files.ok())
      return Fail(err, "serve", "--web " + web + ": " + static_files.status().message());
    router.SetFallback(http::StaticFilesHandler(*static_files), "static");
  }
  http::ServerOptions server_options;
  server_options.listen = o.listen;
  server_options.threads = o.threads;
  server_options.waiting_threads = o.waiting_threads;
  // Uploads may be up to 10 MiB; JSON bodies are held to 1 MiB by the API itself.
  server_options.max_body_bytes = 11 * 1024 * 1024;
  store::Store* raw = db.get();
  server_options.readiness = [raw] {
    auto tx = raw->Begin(store::TransactionMode::kReadOnly);
    return tx.ok();
  };
  http::Server server(server_options, std::move(router));
  if (Status s = server.Start(); !s.ok()) return Fail(err, "serve", s.message());
  if (sync) sync->Start();
  std::fprintf(out, "capconf: serving on http://%s (port %u), database %s (%s)%s; %s\n",
               o.listen.c_str(), server.port(), o.database.c_str(),
               std::string(db->Backend()).c_str(),
               web.empty() ? "" : (", page from " + web).c_str(),
               sync ? sync->description().c_str() : "no sync workers");
  std::fflush(out);
  server.StopOnSignals();
  server.Wait();
  // Calls to Langflow and Ragflow in flight finish; claimed jobs not started are given back.
  if (sync) sync->Stop();
  std::fprintf(out, "capconf: stopped\n");
  return 0;
}

int RunWorker(const std::vector<std::string>& args, std::FILE* out, std::FILE* err) {
  Options o;
  if (auto usage = Parse(args, o)) return Fail(err, "worker", *usage);
  if (!o.positional.empty()) return Fail(err, "worker", "takes no arguments");
  if (o.sync.workers == 0) return Fail(err, "worker", "--sync-workers must be at least 1 here");
  if (o.sync.langflow_url.empty() && o.sync.ragflow_url.empty()) {
    return Fail(err, "worker",
                "no target is configured: give --langflow-url or --ragflow-url (or "
                "CAPCONF_LANGFLOW_URL, CAPCONF_RAGFLOW_URL)");
  }
  // Blocked before any thread starts, so that every thread inherits the mask and sigwait below
  // is the only place the signals arrive.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto opened = OpenBackend(o);
  if (!opened.ok()) return Fail(err, "worker", opened.status().message());
  auto sync = SyncRuntime::Make(*(*opened)->db, *(*opened)->service, o.sync);
  if (!sync.ok()) return Fail(err, "worker", sync.status().message());
  (*sync)->Start();
  std::fprintf(out, "capconf worker: database %s (%s); %s\n", o.database.c_str(),
               std::string((*opened)->db->Backend()).c_str(), (*sync)->description().c_str());
  std::fflush(out);
  int signal = 0;
  sigwait(&signals, &signal);
  (*sync)->Stop();
  const sync::WorkerStats stats = (*sync)->workers().stats();
  std::fprintf(out,
               "capconf worker: stopped (%lld applied, %lld in progress, %lld failed, %lld dead)\n",
               static_cast<long long>(stats.applied), static_cast<long long>(stats.in_progress),
               static_cast<long long>(stats.retried), static_cast<long long>(stats.dead));
  return 0;
}

int RunMigrate(const std::vector<std::string>& args, std::FILE* out, std::FILE* err) {
  Options o;
  if (auto usage = Parse(args, o)) return Fail(err, "migrate", *usage);
  auto db = store::Store::Open(o.database);
  if (!db.ok()) return Fail(err, "migrate", o.database + ": " + db.status().message());
  auto before = (*db)->SchemaVersion();
  if (!before.ok()) return Fail(err, "migrate", before.status().message());
  if (Status s = (*db)->Migrate(); !s.ok()) return Fail(err, "migrate", s.message());
  std::fprintf(out, "capconf migrate: %s at schema version %d (was %d)\n", o.database.c_str(),
               (*db)->LatestSchemaVersion(), *before);
  return 0;
}

int RunUser(const std::vector<std::string>& args, std::FILE* in, std::FILE* out, std::FILE* err) {
  Options o;
  if (auto usage = Parse(args, o)) return Fail(err, "user", *usage);
  if (o.positional.size() != 1 || o.positional[0] != "create") {
    return Fail(err, "user",
                "usage: capconf user create --email E --role R (--organization NAME | "
                "--organization-id ID) --password-stdin");
  }
  if (o.email.empty()) return Fail(err, "user create", "--email is required");
  if (!o.password_stdin)
    return Fail(err, "user create",
                "--password-stdin is required (passwords never go on the command line)");
  auto role = store::ParseRole(o.role);
  if (!role.ok()) return Fail(err, "user create", "--role takes operator, seller or buyer");
  char buffer[2048];
  std::string password;
  if (std::fgets(buffer, sizeof buffer, in) != nullptr) password = buffer;
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
    password.pop_back();
  if (Status s = access::Initialize(); !s.ok()) return Fail(err, "user create", s.message());
  auto db = OpenAndMigrate(o.database);
  if (!db.ok()) return Fail(err, "user create", db.status().message());
  service::SystemClock clock;
  api::NewUser n{o.email, o.display_name, password, *role, o.organization_id, o.organization};
  auto user = api::CreateUser(**db, clock, n);
  if (!user.ok()) return Fail(err, "user create", user.status().message());
  std::fprintf(out, "%s\n", user->id.c_str());
  return 0;
}

int RunToken(const std::vector<std::string>& args, std::FILE* out, std::FILE* err) {
  Options o;
  if (auto usage = Parse(args, o)) return Fail(err, "token", *usage);
  if (o.positional.size() != 1 || o.positional[0] != "create") {
    return Fail(
        err, "token",
        "usage: capconf token create --email E [--name NAME] [--database URL] [--data-dir DIR]");
  }
  if (o.email.empty()) return Fail(err, "token create", "--email is required");
  if (Status s = access::Initialize(); !s.ok()) return Fail(err, "token create", s.message());
  auto db = OpenAndMigrate(o.database);
  if (!db.ok()) return Fail(err, "token create", db.status().message());
  std::error_code ec;
  std::filesystem::create_directories(o.data_dir, ec);
  auto keys = access::LoadOrCreateServerKeys(o.data_dir);
  if (!keys.ok()) return Fail(err, "token create", keys.status().message());
  std::string user_id;
  {
    auto tx = (*db)->Begin(store::TransactionMode::kReadOnly);
    if (!tx.ok()) return Fail(err, "token create", tx.status().message());
    auto user = (*tx)->GetUserByEmail(o.email);
    if (!user.ok()) return Fail(err, "token create", "there is no user '" + o.email + "'");
    user_id = user->id;
  }
  service::SystemClock clock;
  auto token = api::CreateBearerToken(**db, clock, access::KeyedHasher(keys->hashing_key), user_id,
                                      o.name.empty() ? "cli" : o.name);
  if (!token.ok()) return Fail(err, "token create", token.status().message());
  std::fprintf(out, "%s\n", token->c_str());
  return 0;
}

}  // namespace capconf::cli
