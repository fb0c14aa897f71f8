#include "sync_runtime.h"

#include <cstdlib>

#include "capconf/crawl/crawler.h"
#include "capconf/langflow/langflow.h"
#include "capconf/outbound/url_guard.h"
#include "capconf/ragflow/ragflow.h"

namespace capconf::cli {

std::optional<std::string> ParseSyncOption(const std::vector<std::string>& args, std::size_t& i,
                                           SyncSettings& s) {
  const std::string& a = args[i];
  auto number = [&](int& out, int low, int high) -> std::string {
    if (i + 1 >= args.size()) return a + " needs a number";
    char* end = nullptr;
    const long value = std::strtol(args[++i].c_str(), &end, 10);
    if (end == args[i].c_str() || *end != '\0' || value < low || value > high) {
      return a + " takes " + std::to_string(low) + " to " + std::to_string(high);
    }
    out = static_cast<int>(value);
    return "";
  };
  auto url = [&](std::string& out) -> std::string {
    if (i + 1 >= args.size()) return a + " needs an http:// or https:// URL";
    out = args[++i];
    if (out.rfind("http://", 0) != 0 && out.rfind("https://", 0) != 0)
      return a + " takes an http:// or https:// URL";
    while (!out.empty() && out.back() == '/') out.pop_back();
    return "";
  };
  if (a == "--langflow-url") return url(s.langflow_url);
  if (a == "--ragflow-url") return url(s.ragflow_url);
  if (a == "--sync-workers") return number(s.workers, 0, 64);
  if (a == "--sync-poll-ms") return number(s.poll_ms, 1, 3600000);
  if (a == "--sync-lease-ms") return number(s.lease_ms, 100, 86400000);
  if (a == "--sync-retry-base-ms") return number(s.retry_base_ms, 1, 3600000);
  if (a == "--sync-max-attempts") return number(s.max_attempts, 1, 1000);
  if (a == "--sync-fetch-loopback") {
    s.fetch_loopback = true;
    return "";
  }
  return std::nullopt;
}

void SyncSettingsFromEnvironment(SyncSettings& s) {
  auto env = [](const char* name) -> std::string {
    const char* value = std::getenv(name);
    return value ? value : "";
  };
  if (s.langflow_url.empty()) s.langflow_url = env("CAPCONF_LANGFLOW_URL");
  if (s.ragflow_url.empty()) s.ragflow_url = env("CAPCONF_RAGFLOW_URL");
  s.langflow_api_key = env("CAPCONF_LANGFLOW_API_KEY");
  s.ragflow_api_key = env("CAPCONF_RAGFLOW_API_KEY");
}

struct SyncRuntime::Parts {
  // The operator's own services may be anywhere, a private network included.
  outbound::GuardedClient operator_client;
  // Buyer-supplied URLs (crawled sources) go through the full guard.
  outbound::GuardedClient buyer_client;
  std::unique_ptr<crawl::Crawler> crawler;
  std::unique_ptr<sync::Target> langflow, ragflow;

  Parts(outbound::GuardOptions for_operator, outbound::GuardOptions for_buyers)
      : operator_client(std::move(for_operator)), buyer_client(std::move(for_buyers)) {}
};

Result<std::unique_ptr<SyncRuntime>> SyncRuntime::Make(store::Store& store,
                                                       service::Service& service,
                                                       const SyncSettings& settings) {
  outbound::GuardOptions for_operator;
  for_operator.address_policy.operator_endpoint = true;
  for_operator.total_timeout = std::chrono::milliseconds(60000);
  for_operator.max_response_bytes = 64 * 1024 * 1024;  // a template flow can be large
  outbound::GuardOptions for_buyers;
  for_buyers.address_policy.allow_loopback = settings.fetch_loopback;
  for (const std::string* url : {&settings.langflow_url, &settings.ragflow_url}) {
    if (url->empty()) continue;
    auto checked = outbound::CheckUrl(*url, for_operator.address_policy);
    if (!checked.ok()) return InvalidArgumentError(*url + ": " + checked.status().message());
  }
  std::unique_ptr<SyncRuntime> runtime(new SyncRuntime());
  runtime->parts_ = std::make_unique<Parts>(std::move(for_operator), std::move(for_buyers));
  Parts& p = *runtime->parts_;
  p.crawler = crawl::MakeCrawler(p.buyer_client);
  p.langflow = langflow::MakeLangflowTarget({settings.langflow_url, settings.langflow_api_key},
                                            p.operator_client);
  p.ragflow = ragflow::MakeRagflowTarget({settings.ragflow_url, settings.ragflow_api_key},
                                         p.operator_client, *p.crawler);
  sync::WorkerOptions options;
  options.threads = settings.workers;
  options.poll = std::chrono::milliseconds(settings.poll_ms);
  options.lease = std::chrono::milliseconds(settings.lease_ms);
  options.retry.base_delay_ms = settings.retry_base_ms;
  options.retry.max_attempts = settings.max_attempts;
  // A target without a URL is left out: its jobs wait (and GET .../sync says why) instead of
  // being claimed after every save only to be put back.
  std::vector<sync::Target*> targets;
  if (!settings.langflow_url.empty()) targets.push_back(p.langflow.get());
  if (!settings.ragflow_url.empty()) targets.push_back(p.ragflow.get());
  runtime->active_ = !targets.empty();
  runtime->workers_ = std::make_unique<sync::SyncWorkers>(
      store, targets, [&service](std::string_view id) { return service.DesiredStateOf(id); },
      options);
  auto describe = [](const char* name, const std::string& url) {
    return std::string(name) + (url.empty() ? " not configured" : " at " + url);
  };
  runtime->description_ = (targets.empty() ? std::string("no sync workers (no target configured)")
                                           : std::to_string(settings.workers) + " sync worker" +
                                                 (settings.workers == 1 ? "" : "s")) +
                          ", " + describe("langflow", settings.langflow_url) + ", " +
                          describe("ragflow", settings.ragflow_url);
  return runtime;
}

SyncRuntime::~SyncRuntime() { Stop(); }

void SyncRuntime::Start() { workers_->Start(); }

void SyncRuntime::Stop() {
  if (workers_) workers_->Stop();
}

}  // namespace capconf::cli
