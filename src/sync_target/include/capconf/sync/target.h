#pragma once
// An outside system a subscription is provisioned in and kept in sync with (issue 6): Langflow
// (the agent runtime) and Ragflow (the knowledge base). The sync pipeline hands a Target the
// whole desired state of one subscription, never a change: a target converges to the newest
// revision however many saves came before it, and after a crash the same call is simply made
// again. So Apply must be idempotent: look up before create, names derived from the
// subscription, nothing that a repeated call would duplicate.

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace capconf::sync {

// An uploaded file that a knowledge-base source names ({"type": "file", "file_id": ...}).
struct SourceFile {
  std::string file_id;
  std::string filename;
  std::string content_type;
  std::string sha256;  // hex; the file's content address
  std::int64_t size = 0;
  std::string path;  // where the bytes are on this machine
};

// What one subscription should look like in the outside world, at one revision.
struct DesiredState {
  std::string subscription_id;
  std::string buyer_organization_id;
  std::string template_id;
  int template_version = 0;
  // The template's Langflow flow to copy into the subscription's project; empty when the
  // template names none.
  std::string langflow_flow_id;
  std::int64_t revision = 0;
  // False once the subscription is cancelled: the target removes what it made for it.
  bool active = true;
  // Enabled capability ids, sorted.
  std::vector<std::string> enabled;
  // The configuration as saved, without write-only values.
  boost::json::object config;
  // Write-only values (credentials), JSON pointer → plain text. Decrypted for this call only;
  // never logged, never put into a message.
  std::map<std::string, std::string> secrets;
  // The files that `file` sources name, by file id. A source naming a file that is not here
  // (deleted meanwhile) is reported, not fatal.
  std::map<std::string, SourceFile> files;
};

enum class OutcomeKind {
  kApplied,        // the target matches the desired state
  kInProgress,     // accepted, still working (documents parsing): ask again later
  kRetry,          // failed in a way that may pass later (5xx, timeout, refused, 429)
  kPermanent,      // failed in a way a retry cannot fix (4xx other than 408/429, bad answer)
  kNotConfigured,  // this deployment has no URL/key for the target: wait, do not count attempts
};

struct Outcome {
  OutcomeKind kind = OutcomeKind::kApplied;
  // Plain words for people: for kApplied a summary ("project capconf-…, flow copied, 7
  // variables"), otherwise what failed ("Langflow answered 503 to POST /api/v1/projects/").
  // Never a secret.
  std::string message;
  // The target's Retry-After, when it sent one (seconds).
  std::optional<long long> retry_after_seconds;
  // Resources the target holds for the subscription after the call, by the catalog's resource
  // name (e.g. "ragflow_collection" → dataset id). Readiness is computed from these. Only
  // meaningful for kApplied and kInProgress.
  std::map<std::string, std::string> resources;
  // kInProgress and kApplied: progress for people ("3 of 5 documents parsed").
  std::string progress;
};

class Target {
 public:
  virtual ~Target() = default;
  // "langflow" or "ragflow": the name stored with each job and shown in the sync status.
  virtual std::string_view Name() const = 0;
  // Makes the outside system match `desired`. Called from several worker threads at once for
  // different subscriptions (never for the same one at the same time). Must not throw.
  virtual Outcome Apply(const DesiredState& desired) = 0;
};

}  // namespace capconf::sync
