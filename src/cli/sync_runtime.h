#pragma once
// The sync pipeline as `capconf serve` and `capconf worker` run it: outbound clients, the
// crawler, the Langflow and Ragflow targets, and the workers, wired from the server's settings.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capconf/common/status.h"
#include "capconf/service/service.h"
#include "capconf/store/store.h"
#include "capconf/sync/worker.h"

namespace capconf::cli {

struct SyncSettings {
  // Where the targets are. Empty: the target is not configured and its jobs wait, saying so.
  // The keys come from the environment (CAPCONF_LANGFLOW_API_KEY, CAPCONF_RAGFLOW_API_KEY), never
  // from the command line, where every user of the machine could read them.
  std::string langflow_url, langflow_api_key;
  std::string ragflow_url, ragflow_api_key;
  int workers = 2;  // threads
  int poll_ms = 500;
  int lease_ms = 60000;
  int retry_base_ms = 1000;
  int max_attempts = 40;
  // Test-only: lets the crawler fetch loopback addresses (the fakes listen there).
  bool fetch_loopback = false;
};

// Reads "--langflow-url URL", "--ragflow-url URL", "--sync-workers N", "--sync-poll-ms N",
// "--sync-lease-ms N", "--sync-retry-base-ms N", "--sync-max-attempts N" and
// "--sync-fetch-loopback" at args[i] (advancing i past a value). nullopt: not a sync option;
// an empty string: taken; otherwise the usage error.
std::optional<std::string> ParseSyncOption(const std::vector<std::string>& args, std::size_t& i,
                                           SyncSettings& settings);
// The URLs' and keys' defaults from the environment (CAPCONF_LANGFLOW_URL, ...).
void SyncSettingsFromEnvironment(SyncSettings& settings);

class SyncRuntime {
 public:
  // `store` and `service` must outlive the runtime. InvalidArgument for a malformed target URL.
  static Result<std::unique_ptr<SyncRuntime>> Make(store::Store& store, service::Service& service,
                                                   const SyncSettings& settings);
  ~SyncRuntime();
  void Start();
  void Stop();
  sync::SyncWorkers& workers() { return *workers_; }
  // False when no target is configured: then no worker thread runs.
  bool active() const { return active_; }
  // "langflow at http://…, ragflow not configured" for the start-up line.
  const std::string& description() const { return description_; }

 private:
  SyncRuntime() = default;
  struct Parts;
  std::unique_ptr<Parts> parts_;
  std::unique_ptr<sync::SyncWorkers> workers_;
  std::string description_;
  bool active_ = false;
};

}  // namespace capconf::cli
