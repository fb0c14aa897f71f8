#include "capconf/ragflow/ragflow.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <exception>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "api.h"
#include "naming.h"

namespace capconf::ragflow {
namespace {

using internal::Api;
using internal::Dataset;
using internal::Document;
using internal::Expected;
using internal::Failure;
using sync::OutcomeKind;

constexpr long long kDefaultChunkSize = 512;  // the rag capability's default
constexpr long long kMinChunkTokens = 1;      // Ragflow's bounds on chunk_token_num
constexpr long long kMaxChunkTokens = 2048;
constexpr int kMinCrawlDepth = 1;
constexpr int kMaxCrawlDepth = 3;
constexpr std::size_t kMaxNamesInMessage = 3;
constexpr std::size_t kMaxMessageBytes = 2000;

// ---- The rag section of a configuration ---------------------------------------------------

struct FileSource {
  std::string file_id;
  std::string filename;  // as the source names it; may be empty
};

struct UrlSource {
  std::string url;
  int depth = 1;
};

struct RagSettings {
  long long chunk_size = kDefaultChunkSize;
  std::vector<FileSource> files;
  std::vector<UrlSource> urls;  // one per URL (the deepest depth asked for)
  int not_synced = 0;           // Notion and Confluence
  int ignored = 0;              // unknown types, or missing the field that identifies them
};

std::optional<long long> AsInteger(const boost::json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (const auto* i = v->if_int64()) return *i;
  if (const auto* u = v->if_uint64()) {
    return *u <= static_cast<std::uint64_t>(INT64_MAX) ? std::optional<long long>(*u)
                                                       : std::nullopt;
  }
  if (const auto* d = v->if_double()) {
    if (*d >= -9.0e18 && *d <= 9.0e18 && static_cast<double>(static_cast<long long>(*d)) == *d) {
      return static_cast<long long>(*d);
    }
  }
  return std::nullopt;
}

std::string StringMember(const boost::json::object& object, std::string_view key) {
  const boost::json::value* v = object.if_contains(key);
  if (v == nullptr || !v->is_string()) return "";
  return std::string(v->get_string());
}

Expected<RagSettings> ReadSettings(const boost::json::object& config) {
  RagSettings settings;
  const boost::json::value* rag_value = config.if_contains("rag");
  if (rag_value == nullptr || rag_value->is_null()) return settings;
  const boost::json::object* rag = rag_value->if_object();
  if (rag == nullptr) {
    return Failure{OutcomeKind::kPermanent, "the rag configuration is not an object", {}};
  }
  if (const boost::json::value* chunk_size = rag->if_contains("chunk_size")) {
    const std::optional<long long> n = AsInteger(chunk_size);
    if (!n || *n < kMinChunkTokens || *n > kMaxChunkTokens) {
      return Failure{OutcomeKind::kPermanent,
                     "rag.chunk_size must be a whole number from 1 to 2048 (Ragflow's "
                     "chunk_token_num)",
                     {}};
    }
    settings.chunk_size = *n;
  }
  const boost::json::value* sources_value = rag->if_contains("sources");
  if (sources_value == nullptr || sources_value->is_null()) return settings;
  const boost::json::array* sources = sources_value->if_array();
  if (sources == nullptr) {
    return Failure{OutcomeKind::kPermanent, "rag.sources is not a list", {}};
  }
  std::map<std::string, std::size_t> url_index;
  for (const boost::json::value& item : *sources) {
    const boost::json::object* source = item.if_object();
    if (source == nullptr) {
      ++settings.ignored;
      continue;
    }
    const std::string type = StringMember(*source, "type");
    if (type == "file") {
      FileSource file{StringMember(*source, "file_id"), StringMember(*source, "filename")};
      if (file.file_id.empty()) {
        ++settings.ignored;
      } else {
        settings.files.push_back(std::move(file));
      }
    } else if (type == "url") {
      std::string url = StringMember(*source, "url");
      if (url.empty()) {
        ++settings.ignored;
        continue;
      }
      int depth = kMinCrawlDepth;
      if (const std::optional<long long> d = AsInteger(source->if_contains("crawl_depth"))) {
        depth = static_cast<int>(std::clamp<long long>(*d, kMinCrawlDepth, kMaxCrawlDepth));
      }
      auto [it, added] = url_index.emplace(url, settings.urls.size());
      if (added) {
        settings.urls.push_back(UrlSource{std::move(url), depth});
      } else {
        settings.urls[it->second].depth = std::max(settings.urls[it->second].depth, depth);
      }
    } else if (type == "notion" || type == "confluence") {
      ++settings.not_synced;
    } else {
      ++settings.ignored;
    }
  }
  return settings;
}

// ---- Words ----------------------------------------------------------------------------------

std::string Plural(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string NameList(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < kMaxNamesInMessage; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > kMaxNamesInMessage) {
    out += " and " + std::to_string(names.size() - kMaxNamesInMessage) + " more";
  }
  return out;
}

// A URL without its query and fragment, which may carry tokens.
std::string DisplayUrl(std::string_view url) {
  return std::string(url.substr(0, url.find_first_of("?#")));
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (part.empty()) continue;
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

// Nothing secret leaves in a message, whatever Ragflow or a crawler echoed.
std::string Scrub(std::string message, const std::string& api_key,
                  const std::map<std::string, std::string>& secrets) {
  auto replace_all = [&message](const std::string& secret) {
    if (secret.size() < 4) return;  // too short to tell apart from ordinary words
    for (std::size_t at = message.find(secret); at != std::string::npos;
         at = message.find(secret, at)) {
      message.replace(at, secret.size(), "[redacted]");
    }
  };
  replace_all(api_key);
  for (const auto& [pointer, value] : secrets) replace_all(value);
  if (message.size() > kMaxMessageBytes) {
    std::size_t end = kMaxMessageBytes;
    while (end > 0 && (static_cast<unsigned char>(message[end]) & 0xC0) == 0x80) --end;
    message.resize(end);
    message += "…";
  }
  return message;
}

// Whether `stored` is `name` with Ragflow's duplicate marker: "a.txt" → "a(1).txt".
bool IsRenamedDuplicate(std::string_view name, std::string_view stored) {
  const std::size_t dot = name.rfind('.');
  const std::string_view stem = name.substr(0, dot);
  const std::string_view extension = dot == std::string_view::npos ? "" : name.substr(dot);
  if (stored.size() < name.size() + 3 || !stored.starts_with(stem) ||
      !stored.ends_with(extension)) {
    return false;
  }
  std::string_view marker = stored.substr(stem.size(), stored.size() - name.size());
  if (marker.size() < 3 || marker.front() != '(' || marker.back() != ')') return false;
  marker = marker.substr(1, marker.size() - 2);
  return std::all_of(marker.begin(), marker.end(), [](char c) { return c >= '0' && c <= '9'; });
}

sync::Outcome FromFailure(const Failure& failure) {
  sync::Outcome outcome;
  outcome.kind = failure.kind;
  outcome.message = failure.message;
  outcome.retry_after_seconds = failure.retry_after_seconds;
  return outcome;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return UnavailableError("cannot open the stored file");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return UnavailableError("cannot read the stored file");
  return std::move(bytes).str();
}

// ---- Crawl memo -----------------------------------------------------------------------------

// What one crawl of a URL source gave, by document name.
struct CrawledSource {
  std::vector<std::string> names;
  std::vector<std::string> notes;  // skipped pages, in words
};

// The crawls of one subscription's revision (see "Crawling" in ragflow.h).
struct CrawlMemo {
  std::int64_t revision = 0;
  std::map<std::string, CrawledSource> sources;  // by "<depth> <url>"
};

std::string MemoKey(const UrlSource& source) {
  return std::to_string(source.depth) + " " + source.url;
}

class RagflowTarget;

// ---- One Apply --------------------------------------------------------------------------------

// The work of one Apply call; lives on the calling thread's stack.
class ApplyRun {
 public:
  ApplyRun(RagflowTarget& target, const sync::DesiredState& desired);
  sync::Outcome Run();

 private:
  sync::Outcome Remove();
  sync::Outcome Sync(const RagSettings& settings);
  Expected<Dataset> EnsureDataset(long long chunk_size);

  // Decides, for each source, which existing documents are kept and what is uploaded.
  void PlanFiles(const RagSettings& settings);
  void PlanPages(const RagSettings& settings);
  // Uploads what was planned. A Failure only for what stops the whole run (transient errors,
  // a refused API key); a document Ragflow will not take is a note.
  std::optional<Failure> Upload(const std::string& dataset_id);
  void Keep(const Document* document) { kept_ids_.insert(document->id); }

  struct PlannedUpload {
    std::string name;
    std::string content_type;
    const std::string* content = nullptr;  // a crawled page's body, or
    std::string path;                      // a stored file to read
  };

  RagflowTarget& target_;
  const Api& api_;
  const sync::DesiredState& desired_;

  std::vector<Document> listed_;       // the dataset's documents
  std::vector<const Document*> ours_;  // those with our names
  std::multimap<std::string, const Document*> ours_by_name_;
  std::set<std::string> kept_ids_;
  std::vector<PlannedUpload> uploads_;
  std::vector<Document> uploaded_;
  std::vector<std::string> extra_delete_ids_;  // renamed duplicates from our own uploads
  std::vector<crawl::CrawlResult> crawls_;     // keeps page bodies alive until uploaded
  std::vector<std::string> notes_;
  std::vector<std::string> missing_files_;
  std::optional<Failure> crawl_retry_;  // a crawl failed in a way worth retrying
  bool another_pass_ = false;
};

class RagflowTarget final : public sync::Target {
 public:
  RagflowTarget(RagflowOptions options, const outbound::Client& client,
                const crawl::Crawler& crawler)
      : options_(std::move(options)), api_(options_, client), crawler_(crawler) {}

  std::string_view Name() const override { return "ragflow"; }

  sync::Outcome Apply(const sync::DesiredState& desired) override {
    if (options_.base_url.empty()) {
      return sync::Outcome{OutcomeKind::kNotConfigured,
                           "Ragflow is not configured on this server (no URL)",
                           std::nullopt,
                           {},
                           ""};
    }
    sync::Outcome outcome;
    try {
      outcome = ApplyRun(*this, desired).Run();
    } catch (const std::exception& e) {
      outcome = sync::Outcome{OutcomeKind::kRetry,
                              std::string("internal error in the Ragflow target: ") + e.what(),
                              std::nullopt,
                              {},
                              ""};
    } catch (...) {
      outcome = sync::Outcome{
          OutcomeKind::kRetry, "internal error in the Ragflow target", std::nullopt, {}, ""};
    }
    if (outcome.kind == OutcomeKind::kApplied) Forget(desired.subscription_id);
    outcome.message = Scrub(std::move(outcome.message), options_.api_key, desired.secrets);
    outcome.progress = Scrub(std::move(outcome.progress), options_.api_key, desired.secrets);
    return outcome;
  }

  const Api& api() const { return api_; }
  const crawl::Crawler& crawler() const { return crawler_; }

  std::optional<CrawledSource> Remembered(const std::string& subscription_id, std::int64_t revision,
                                          const std::string& key) const {
    std::lock_guard lock(memo_mutex_);
    const auto memo = memo_.find(subscription_id);
    if (memo == memo_.end() || memo->second.revision != revision) return std::nullopt;
    const auto source = memo->second.sources.find(key);
    if (source == memo->second.sources.end()) return std::nullopt;
    return source->second;
  }

  void Remember(const std::string& subscription_id, std::int64_t revision, const std::string& key,
                CrawledSource crawled) {
    std::lock_guard lock(memo_mutex_);
    CrawlMemo& memo = memo_[subscription_id];
    if (memo.revision != revision) {
      memo.sources.clear();
      memo.revision = revision;
    }
    memo.sources[key] = std::move(crawled);
  }

  void Forget(const std::string& subscription_id) {
    std::lock_guard lock(memo_mutex_);
    memo_.erase(subscription_id);
  }

 private:
  const RagflowOptions options_;
  const Api api_;
  const crawl::Crawler& crawler_;
  mutable std::mutex memo_mutex_;
  std::map<std::string, CrawlMemo> memo_;  // by subscription id
};

ApplyRun::ApplyRun(RagflowTarget& target, const sync::DesiredState& desired)
    : target_(target), api_(target.api()), desired_(desired) {}

sync::Outcome ApplyRun::Run() {
  if (desired_.subscription_id.empty()) {
    // "capconf-" alone would be a dataset shared by every caller that made this mistake.
    return sync::Outcome{OutcomeKind::kPermanent, "no subscription id", std::nullopt, {}, ""};
  }
  const bool rag_on = desired_.active && std::find(desired_.enabled.begin(), desired_.enabled.end(),
                                                   "rag") != desired_.enabled.end();
  if (!rag_on) return Remove();
  Expected<RagSettings> settings = ReadSettings(desired_.config);
  if (!settings.ok()) return FromFailure(settings.failure());
  return Sync(settings.value());
}

sync::Outcome ApplyRun::Remove() {
  target_.Forget(desired_.subscription_id);
  const std::string name = DatasetName(desired_.subscription_id);
  Expected<std::optional<Dataset>> found = api_.FindDataset(name);
  if (!found.ok()) return FromFailure(found.failure());
  sync::Outcome outcome;
  outcome.kind = OutcomeKind::kApplied;
  if (!found.value()) {
    outcome.message = "no Ragflow dataset " + name + " to remove";
    return outcome;
  }
  Expected<internal::Done> deleted = api_.DeleteDataset(found.value()->id);
  if (!deleted.ok()) return FromFailure(deleted.failure());
  outcome.message = "Ragflow dataset " + name + " deleted";
  return outcome;
}

Expected<Dataset> ApplyRun::EnsureDataset(long long chunk_size) {
  const std::string name = DatasetName(desired_.subscription_id);
  Expected<std::optional<Dataset>> found = api_.FindDataset(name);
  if (!found.ok()) return found.failure();
  if (!found.value()) {
    Expected<Dataset> created = api_.CreateDataset(name, chunk_size);
    if (created.ok()) return created;
    // Made meanwhile (or our look-up missed it): Ragflow refuses a second dataset of that name,
    // so look again rather than fail.
    if (created.failure().message.find("already exist") == std::string::npos) return created;
    found = api_.FindDataset(name);
    if (!found.ok()) return found.failure();
    if (!found.value()) return created.failure();
  }
  Dataset dataset = *found.value();
  if (dataset.chunk_token_num != chunk_size) {
    Expected<internal::Done> updated = api_.SetChunkTokenNum(dataset.id, chunk_size);
    if (!updated.ok()) return updated.failure();
    dataset.chunk_token_num = chunk_size;
  }
  return dataset;
}

void ApplyRun::PlanFiles(const RagSettings& settings) {
  std::set<std::string> seen;
  for (const FileSource& source : settings.files) {
    const std::string prefix = FileDocumentPrefix(source.file_id);
    if (!seen.insert(prefix).second) continue;
    const auto file = desired_.files.find(source.file_id);
    const bool have_file = file != desired_.files.end();
    std::string filename = source.filename;
    if (have_file && !file->second.filename.empty()) filename = file->second.filename;
    const std::string name = FileDocumentName(source.file_id, filename);

    // A file's bytes never change, so any document of it will do: the one with the expected
    // name if there is one, else one that is parsed, else the first. The others go.
    const Document* chosen = nullptr;
    for (const Document* document : ours_) {
      if (internal::FilePrefixOf(document->name) != prefix) continue;
      const auto rank = [&name](const Document* d) {
        return d->name == name ? 2 : (d->run == "DONE" ? 1 : 0);
      };
      if (chosen == nullptr || rank(document) > rank(chosen)) chosen = document;
    }
    if (chosen != nullptr) {
      Keep(chosen);
    } else if (have_file) {
      uploads_.push_back(
          PlannedUpload{name, file->second.content_type, nullptr, file->second.path});
    }
    if (!have_file) missing_files_.push_back(source.file_id);
  }
}

void ApplyRun::PlanPages(const RagSettings& settings) {
  for (const UrlSource& source : settings.urls) {
    const std::string source_prefix = PageDocumentSourcePrefix(source.url);
    const std::string key = MemoKey(source);

    // The names of the source's pages: remembered from an earlier call for this revision if
    // all of them are in the dataset, else crawled now.
    std::optional<CrawledSource> crawled =
        target_.Remembered(desired_.subscription_id, desired_.revision, key);
    if (crawled) {
      for (const std::string& name : crawled->names) {
        if (ours_by_name_.count(name) == 0) {
          crawled.reset();
          break;
        }
      }
    }
    std::map<std::string, const crawl::Page*> bodies;
    if (!crawled) {
      Result<crawl::CrawlResult> result = target_.crawler().Crawl(source.url, source.depth);
      if (!result.ok()) {
        // Keep what the source had: a site that is down for a while must not empty the
        // knowledge base.
        for (const Document* document : ours_) {
          if (document->name.rfind(source_prefix, 0) == 0) Keep(document);
        }
        const std::string words =
            "could not crawl " + DisplayUrl(source.url) + ": " + result.status().message();
        const StatusCode code = result.status().code();
        if (code == StatusCode::kUnavailable || code == StatusCode::kDeadlineExceeded) {
          if (!crawl_retry_) crawl_retry_ = Failure{OutcomeKind::kRetry, words, std::nullopt};
        } else {
          notes_.push_back(words);
        }
        continue;
      }
      crawls_.push_back(std::move(result).value());
      const crawl::CrawlResult& pages = crawls_.back();
      crawled.emplace();
      std::size_t unsupported = 0;
      std::set<std::string> names;
      for (const crawl::Page& page : pages.pages) {
        std::optional<std::string> name =
            page.body.empty()
                ? std::nullopt
                : PageDocumentName(source.url, page.url, page.content_type, page.body);
        if (!name) {
          ++unsupported;
          continue;
        }
        if (names.insert(*name).second) {
          crawled->names.push_back(*name);
          bodies[*name] = &page;
        }
      }
      const std::size_t skipped = unsupported + pages.skipped.size();
      if (skipped > 0) {
        std::string words =
            Plural(skipped, "page", "pages") + " of " + DisplayUrl(source.url) + " skipped";
        // One reason is enough for people to act on; the crawler's first one, else ours.
        words += pages.skipped.empty() ? " (empty, or of a type Ragflow is not given)"
                                       : " (" + pages.skipped.front() + ")";
        crawled->notes.push_back(std::move(words));
      }
      target_.Remember(desired_.subscription_id, desired_.revision, key, *crawled);
    }
    for (const std::string& note : crawled->notes) notes_.push_back(note);

    for (const std::string& name : crawled->names) {
      const auto existing = ours_by_name_.find(name);
      if (existing != ours_by_name_.end()) {
        Keep(existing->second);  // a second document of the same name is not kept: it goes
      } else if (const auto body = bodies.find(name); body != bodies.end()) {
        uploads_.push_back(
            PlannedUpload{name, body->second->content_type, &body->second->body, ""});
      }
    }
  }
}

std::optional<Failure> ApplyRun::Upload(const std::string& dataset_id) {
  std::vector<std::string> refused;
  for (const PlannedUpload& upload : uploads_) {
    std::string file_bytes;
    std::string_view content;
    if (upload.content != nullptr) {
      content = *upload.content;
    } else {
      Result<std::string> read = ReadFile(upload.path);
      if (!read.ok()) {
        refused.push_back(upload.name + " (" + read.status().message() + ")");
        continue;
      }
      file_bytes = std::move(read).value();
      content = file_bytes;
    }
    Expected<Document> document =
        api_.UploadDocument(dataset_id, upload.name, upload.content_type, content);
    if (!document.ok()) {
      const Failure& failure = document.failure();
      if (failure.kind != OutcomeKind::kPermanent ||
          failure.message.rfind("Ragflow refused the API key", 0) == 0) {
        return failure;
      }
      refused.push_back(upload.name + " (" + failure.message + ")");
      continue;
    }
    if (document.value().name != upload.name) {
      if (IsRenamedDuplicate(upload.name, document.value().name)) {
        // Ragflow renamed it ("name(1).ext"): a document of that name is there already
        // although the list did not show it. Take ours back and look again next time.
        extra_delete_ids_.push_back(document.value().id);
        another_pass_ = true;
        continue;
      }
      // Stored under another name for a reason of Ragflow's own: keep it (a file's document
      // is recognised by its prefix) and say so.
      notes_.push_back("Ragflow stored " + upload.name + " as " + document.value().name);
    }
    uploaded_.push_back(std::move(document.value()));
  }
  if (!refused.empty()) {
    notes_.push_back("Ragflow did not take " + Plural(refused.size(), "document", "documents") +
                     ": " + NameList(refused));
  }
  return std::nullopt;
}

sync::Outcome ApplyRun::Sync(const RagSettings& settings) {
  Expected<Dataset> dataset = EnsureDataset(settings.chunk_size);
  if (!dataset.ok()) return FromFailure(dataset.failure());
  const Dataset& ds = dataset.value();

  Expected<std::vector<Document>> listed = api_.ListDocuments(ds.id);
  if (!listed.ok()) return FromFailure(listed.failure());
  listed_ = std::move(listed.value());
  for (const Document& document : listed_) {
    if (internal::FilePrefixOf(document.name) || internal::PagePrefixesOf(document.name)) {
      ours_.push_back(&document);
      ours_by_name_.emplace(document.name, &document);
    }
  }

  PlanFiles(settings);
  PlanPages(settings);

  // New documents first, so that a page being replaced is never missing from the knowledge base.
  if (std::optional<Failure> failure = Upload(ds.id)) return FromFailure(*failure);

  // Everything of ours that no source keeps: removed sources, old versions of changed pages,
  // duplicates. Always an explicit, non-empty list of ids.
  std::vector<std::string> delete_ids = extra_delete_ids_;
  for (const Document* document : ours_) {
    if (kept_ids_.count(document->id) == 0) delete_ids.push_back(document->id);
  }
  if (!delete_ids.empty()) {
    Expected<internal::Done> deleted = api_.DeleteDocuments(ds.id, delete_ids);
    if (!deleted.ok()) return FromFailure(deleted.failure());
  }

  // The documents the subscription has now, and their parsing.
  std::vector<Document> current;
  for (const Document* document : ours_) {
    if (kept_ids_.count(document->id) != 0) current.push_back(*document);
  }
  current.insert(current.end(), uploaded_.begin(), uploaded_.end());
  std::vector<std::string> to_parse;
  for (const Document& document : current) {
    if (document.run == "UNSTART") to_parse.push_back(document.id);
  }
  if (!to_parse.empty()) {
    Expected<internal::Done> started = api_.StartParsing(ds.id, to_parse);
    if (!started.ok()) return FromFailure(started.failure());
    for (Document& document : current) {
      if (document.run == "UNSTART") document.run = "RUNNING";
    }
  }
  std::size_t parsed = 0;
  std::size_t running = 0;
  std::vector<std::string> failed;
  std::vector<std::string> cancelled;
  for (const Document& document : current) {
    if (document.run == "DONE") {
      ++parsed;
    } else if (document.run == "FAIL") {
      failed.push_back(document.name + (document.progress_message.empty()
                                            ? ""
                                            : " (" + document.progress_message + ")"));
    } else if (document.run == "CANCEL") {
      cancelled.push_back(document.name);
    } else {
      ++running;
    }
  }

  // Words.
  std::string progress =
      std::to_string(parsed) + " of " + Plural(current.size(), "document", "documents") + " parsed";
  if (!failed.empty()) progress += ", " + std::to_string(failed.size()) + " failed";
  std::vector<std::string> parts;
  parts.push_back("Ragflow dataset " + DatasetName(desired_.subscription_id) + ": " + progress);
  if (!uploaded_.empty() || !delete_ids.empty()) {
    parts.push_back("uploaded " + std::to_string(uploaded_.size()) + ", deleted " +
                    std::to_string(delete_ids.size()));
  }
  if (!failed.empty()) {
    parts.push_back(Plural(failed.size(), "document", "documents") +
                    " failed to parse: " + NameList(failed));
  }
  if (!cancelled.empty()) {
    parts.push_back(Plural(cancelled.size(), "document's", "documents'") +
                    " parsing was cancelled in Ragflow: " + NameList(cancelled));
  }
  if (!missing_files_.empty()) {
    parts.push_back(Plural(missing_files_.size(), "file", "files") + " named by the sources " +
                    (missing_files_.size() == 1 ? "is" : "are") +
                    " missing: " + NameList(missing_files_));
  }
  if (settings.not_synced > 0) {
    parts.push_back(Plural(static_cast<std::size_t>(settings.not_synced),
                           "Notion/Confluence source is", "Notion/Confluence sources are") +
                    " not synced yet");
  }
  if (settings.ignored > 0) {
    parts.push_back(Plural(static_cast<std::size_t>(settings.ignored), "source", "sources") +
                    " ignored (unknown type or incomplete)");
  }
  parts.insert(parts.end(), notes_.begin(), notes_.end());

  sync::Outcome outcome;
  if (crawl_retry_) {
    outcome.kind = OutcomeKind::kRetry;
    outcome.message = crawl_retry_->message + "; " + Join(parts, "; ");
    return outcome;
  }
  outcome.kind = running > 0 || another_pass_ ? OutcomeKind::kInProgress : OutcomeKind::kApplied;
  outcome.message = Join(parts, "; ");
  outcome.progress = progress;
  outcome.resources["ragflow_collection"] = ds.id;
  return outcome;
}

}  // namespace

std::unique_ptr<sync::Target> MakeRagflowTarget(RagflowOptions options,
                                                const outbound::Client& client,
                                                const crawl::Crawler& crawler) {
  return std::make_unique<RagflowTarget>(std::move(options), client, crawler);
}

}  // namespace capconf::ragflow
