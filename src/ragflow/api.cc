#include "api.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <set>

#include "capconf/json/parse.h"
#include "capconf/json/serialize.h"
#include "capconf/ragflow/multipart.h"

namespace capconf::ragflow::internal {
namespace {

using outbound::Method;
using sync::OutcomeKind;

constexpr int kDocumentPageSize = 100;
// A bound on paging, in case a server keeps answering full pages.
constexpr int kMaxDocumentPages = 10000;

// Ragflow's RetCode values (api/constants / common/constants.py).
constexpr long long kCodeExceptionError = 100;
constexpr long long kCodeDataError = 102;
constexpr long long kCodeConnectionError = 105;
constexpr long long kCodeRunning = 106;
constexpr long long kCodePermissionError = 108;
constexpr long long kCodeAuthenticationError = 109;
constexpr long long kCodeUnauthorized = 401;
constexpr long long kCodeForbidden = 403;
constexpr long long kCodeServerError = 500;

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// RFC 3986 unreserved characters stay, everything else is %XX.
std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  return out;
}

std::string Where(Method method, std::string_view path) {
  return std::string(outbound::MethodName(method)) + " " + std::string(path);
}

std::optional<long long> AsInteger(const boost::json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (const auto* i = v->if_int64()) return *i;
  if (const auto* u = v->if_uint64()) {
    if (*u <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<long long>(*u);
    return std::nullopt;
  }
  if (const auto* d = v->if_double()) {
    if (*d >= -9.0e18 && *d <= 9.0e18 && static_cast<double>(static_cast<long long>(*d)) == *d) {
      return static_cast<long long>(*d);
    }
  }
  // Some fields arrive as strings of digits ("status": "1").
  if (const auto* s = v->if_string()) {
    if (s->empty() || s->size() > 18) return std::nullopt;
    long long n = 0;
    for (const char c : *s) {
      if (c < '0' || c > '9') return std::nullopt;
      n = n * 10 + (c - '0');
    }
    return n;
  }
  return std::nullopt;
}

std::string AsString(const boost::json::value* v) {
  if (v == nullptr) return "";
  if (const auto* s = v->if_string()) return std::string(*s);
  return "";
}

const boost::json::value* Member(const boost::json::object& object, std::string_view key) {
  return object.if_contains(key);
}

std::optional<Dataset> ParseDataset(const boost::json::value& v) {
  const auto* object = v.if_object();
  if (object == nullptr) return std::nullopt;
  Dataset dataset;
  dataset.id = AsString(Member(*object, "id"));
  dataset.name = AsString(Member(*object, "name"));
  if (dataset.id.empty()) return std::nullopt;
  if (const auto* config = Member(*object, "parser_config")) {
    if (const auto* config_object = config->if_object()) {
      dataset.chunk_token_num = AsInteger(Member(*config_object, "chunk_token_num"));
    }
  }
  return dataset;
}

std::string RunName(const boost::json::value* v) {
  static constexpr std::string_view kByNumber[] = {"UNSTART", "RUNNING", "CANCEL", "DONE", "FAIL"};
  if (v == nullptr || v->is_null()) return "UNSTART";
  if (const auto* s = v->if_string()) {
    if (s->size() == 1 && (*s)[0] >= '0' && (*s)[0] <= '4') {
      return std::string(kByNumber[(*s)[0] - '0']);
    }
    return std::string(*s);
  }
  if (const std::optional<long long> n = AsInteger(v); n && *n >= 0 && *n <= 4) {
    return std::string(kByNumber[*n]);
  }
  return "UNSTART";
}

std::string LastLine(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  const std::size_t newline = text.rfind('\n');
  if (newline != std::string_view::npos) text.remove_prefix(newline + 1);
  return std::string(text.substr(0, 300));
}

std::optional<Document> ParseDocument(const boost::json::value& v) {
  const auto* object = v.if_object();
  if (object == nullptr) return std::nullopt;
  Document document;
  document.id = AsString(Member(*object, "id"));
  document.name = AsString(Member(*object, "name"));
  if (document.id.empty()) return std::nullopt;
  document.run = RunName(Member(*object, "run"));
  if (const auto* progress = Member(*object, "progress")) {
    if (const auto* d = progress->if_double()) document.progress = *d;
    if (const std::optional<long long> n = AsInteger(progress)) {
      document.progress = static_cast<double>(*n);
    }
  }
  if (const auto* message = Member(*object, "progress_msg")) {
    if (const auto* s = message->if_string()) {
      document.progress_message = LastLine(*s);
    } else if (const auto* lines = message->if_array(); lines != nullptr && !lines->empty()) {
      document.progress_message = LastLine(AsString(&lines->back()));
    }
  }
  document.size = AsInteger(Member(*object, "size")).value_or(0);
  return document;
}

std::string IdsBody(std::string_view key, const std::vector<std::string>& ids) {
  boost::json::array array;
  for (const std::string& id : ids) array.emplace_back(id);
  boost::json::object body;
  body[key] = std::move(array);
  return json::Serialize(body);
}

Failure EmptyIdsFailure(std::string_view what) {
  return Failure{OutcomeKind::kPermanent,
                 "internal error: refused to send " + std::string(what) +
                     " without ids (Ragflow would delete everything)",
                 std::nullopt};
}

}  // namespace

Failure CodeFailure(Method method, std::string_view path, const Answer& answer) {
  const std::string where = Where(method, path);
  const std::string said = answer.message.empty() ? "no message" : answer.message.substr(0, 500);
  const std::string code = " (code " + std::to_string(answer.code) + ")";
  switch (answer.code) {
    case kCodeAuthenticationError:
    case kCodeUnauthorized:
    case kCodeForbidden:
      return Failure{OutcomeKind::kPermanent,
                     "Ragflow refused the API key (" + where + "): " + said + code, std::nullopt};
    case kCodeExceptionError:
    case kCodeConnectionError:
    case kCodeRunning:
      return Failure{OutcomeKind::kRetry, "Ragflow failed " + where + ": " + said + code,
                     std::nullopt};
    default:
      break;
  }
  if (answer.code >= kCodeServerError) {
    return Failure{OutcomeKind::kRetry, "Ragflow failed " + where + ": " + said + code,
                   std::nullopt};
  }
  return Failure{OutcomeKind::kPermanent, "Ragflow refused " + where + ": " + said + code,
                 std::nullopt};
}

Api::Api(const RagflowOptions& options, const outbound::Client& client)
    : base_url_(options.base_url), authorization_("Bearer " + options.api_key), client_(client) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

Expected<Answer> Api::Exchange(Method method, std::string_view path, std::string_view query,
                               std::string body, std::string_view content_type) const {
  outbound::Request request;
  request.method = method;
  request.url = base_url_ + std::string(path);
  if (!query.empty()) {
    request.url += '?';
    request.url += query;
  }
  request.headers.emplace_back("Authorization", authorization_);
  request.headers.emplace_back("Accept", "application/json");
  if (!content_type.empty()) request.headers.emplace_back("Content-Type", content_type);
  request.body = std::move(body);

  const std::string where = Where(method, path);
  Result<outbound::Response> response = client_.Send(request);
  if (!response.ok()) {
    const StatusCode code = response.status().code();
    const bool transient =
        code == StatusCode::kUnavailable || code == StatusCode::kDeadlineExceeded;
    return Failure{transient ? OutcomeKind::kRetry : OutcomeKind::kPermanent,
                   "Ragflow could not be reached (" + where + "): " + response.status().message(),
                   std::nullopt};
  }
  const int status = response->status;
  if (status == 401 || status == 403) {
    return Failure{
        OutcomeKind::kPermanent,
        "Ragflow refused the API key (HTTP " + std::to_string(status) + " to " + where + ")",
        std::nullopt};
  }
  if (status >= 500 || status == 408 || status == 429) {
    return Failure{OutcomeKind::kRetry,
                   "Ragflow answered " + std::to_string(status) + " to " + where,
                   response->RetryAfterSeconds()};
  }
  if (status < 200 || status >= 300) {
    return Failure{OutcomeKind::kPermanent,
                   "Ragflow answered " + std::to_string(status) + " to " + where, std::nullopt};
  }
  Result<boost::json::value> parsed = json::Parse(response->body);
  const boost::json::object* object = parsed.ok() ? parsed->if_object() : nullptr;
  if (object == nullptr) {
    return Failure{OutcomeKind::kPermanent,
                   "Ragflow's answer to " + where + " is not a JSON object", std::nullopt};
  }
  const std::optional<long long> code = AsInteger(Member(*object, "code"));
  if (!code) {
    return Failure{OutcomeKind::kPermanent, "Ragflow's answer to " + where + " has no code",
                   std::nullopt};
  }
  Answer answer;
  answer.code = *code;
  answer.message = AsString(Member(*object, "message"));
  if (const auto* data = Member(*object, "data")) answer.data = *data;
  return answer;
}

Expected<boost::json::value> Api::Call(Method method, std::string_view path, std::string_view query,
                                       std::string body, std::string_view content_type) const {
  Expected<Answer> answer = Exchange(method, path, query, std::move(body), content_type);
  if (!answer.ok()) return answer.failure();
  if (answer.value().code != 0) return CodeFailure(method, path, answer.value());
  return std::move(answer.value().data);
}

Expected<std::optional<Dataset>> Api::FindDataset(std::string_view name) const {
  static constexpr std::string_view kPath = "/api/v1/datasets";
  const std::string query = "name=" + PercentEncode(name) + "&page=1&page_size=30";
  Expected<Answer> answer = Exchange(Method::kGet, kPath, query, "", "");
  if (!answer.ok()) return answer.failure();
  const Answer& a = answer.value();
  if (a.code != 0) {
    // A name that matches nothing is an error in Ragflow ("You don't own the dataset <name>",
    // "... lacks permission for dataset '<name>'"); only that answer, naming our name, is
    // "not found".
    if ((a.code == kCodeDataError || a.code == kCodePermissionError) &&
        Contains(Lower(a.message), Lower(name))) {
      return std::optional<Dataset>();
    }
    return CodeFailure(Method::kGet, kPath, a);
  }
  const auto* list = a.data.if_array();
  if (list == nullptr) {
    if (a.data.is_null()) return std::optional<Dataset>();
    return Failure{OutcomeKind::kPermanent,
                   "Ragflow's answer to GET /api/v1/datasets has no list of datasets",
                   std::nullopt};
  }
  const std::string wanted = Lower(name);
  for (const boost::json::value& item : *list) {
    std::optional<Dataset> dataset = ParseDataset(item);
    // Ragflow's names are case-insensitive.
    if (dataset && Lower(dataset->name) == wanted) return dataset;
  }
  return std::optional<Dataset>();
}

Expected<Dataset> Api::CreateDataset(std::string_view name, long long chunk_token_num) const {
  boost::json::object body;
  body["name"] = name;
  body["chunk_method"] = "naive";
  body["parser_config"] = boost::json::object{{"chunk_token_num", chunk_token_num}};
  Expected<boost::json::value> data =
      Call(Method::kPost, "/api/v1/datasets", "", json::Serialize(body), "application/json");
  if (!data.ok()) return data.failure();
  std::optional<Dataset> dataset = ParseDataset(data.value());
  if (!dataset) {
    return Failure{OutcomeKind::kPermanent,
                   "Ragflow's answer to POST /api/v1/datasets has no dataset id", std::nullopt};
  }
  if (dataset->name.empty()) dataset->name = std::string(name);
  if (!dataset->chunk_token_num) dataset->chunk_token_num = chunk_token_num;
  return *dataset;
}

Expected<Done> Api::SetChunkTokenNum(std::string_view dataset_id, long long chunk_token_num) const {
  boost::json::object body;
  body["parser_config"] = boost::json::object{{"chunk_token_num", chunk_token_num}};
  Expected<boost::json::value> data =
      Call(Method::kPut, "/api/v1/datasets/" + PercentEncode(dataset_id), "", json::Serialize(body),
           "application/json");
  if (!data.ok()) return data.failure();
  return Done{};
}

Expected<Done> Api::DeleteDataset(std::string_view dataset_id) const {
  static constexpr std::string_view kPath = "/api/v1/datasets";
  assert(!dataset_id.empty());
  if (dataset_id.empty()) return EmptyIdsFailure("DELETE /api/v1/datasets");
  const std::vector<std::string> ids = {std::string(dataset_id)};
  Expected<Answer> answer =
      Exchange(Method::kDelete, kPath, "", IdsBody("ids", ids), "application/json");
  if (!answer.ok()) return answer.failure();
  const Answer& a = answer.value();
  if (a.code == 0) return Done{};
  // Gone already (deleted by someone else since we looked it up): "You don't own the dataset
  // <id>" or "... lacks permission for datasets: '<id>'".
  if ((a.code == kCodeDataError || a.code == kCodePermissionError) &&
      Contains(a.message, dataset_id)) {
    return Done{};
  }
  return CodeFailure(Method::kDelete, kPath, a);
}

Expected<std::vector<Document>> Api::ListDocuments(std::string_view dataset_id) const {
  const std::string path = "/api/v1/datasets/" + PercentEncode(dataset_id) + "/documents";
  std::vector<Document> documents;
  std::set<std::string> seen;
  for (int page = 1; page <= kMaxDocumentPages; ++page) {
    const std::string query = "page=" + std::to_string(page) +
                              "&page_size=" + std::to_string(kDocumentPageSize) +
                              "&orderby=create_time&desc=false";
    Expected<boost::json::value> data = Call(Method::kGet, path, query, "", "");
    if (!data.ok()) return data.failure();
    const auto* object = data.value().if_object();
    const boost::json::value* docs_value = object ? Member(*object, "docs") : nullptr;
    const auto* docs = docs_value ? docs_value->if_array() : nullptr;
    if (docs == nullptr) {
      return Failure{OutcomeKind::kPermanent,
                     "Ragflow's answer to GET " + path + " has no list of documents", std::nullopt};
    }
    // The handler says "total"; the reference's example says "total_datasets".
    std::optional<long long> total = AsInteger(Member(*object, "total"));
    if (!total) total = AsInteger(Member(*object, "total_datasets"));
    for (const boost::json::value& item : *docs) {
      std::optional<Document> document = ParseDocument(item);
      if (document && seen.insert(document->id).second) documents.push_back(std::move(*document));
    }
    if (docs->empty()) break;
    if (total ? static_cast<long long>(seen.size()) >= *total
              : docs->size() < static_cast<std::size_t>(kDocumentPageSize)) {
      break;
    }
  }
  return documents;
}

Expected<Document> Api::UploadDocument(std::string_view dataset_id, std::string_view name,
                                       std::string_view content_type,
                                       std::string_view content) const {
  const std::string path = "/api/v1/datasets/" + PercentEncode(dataset_id) + "/documents";
  MultipartBody multipart = BuildMultipartFormData(
      {MultipartFile{"file", std::string(name), std::string(content_type), content}});
  Expected<boost::json::value> data =
      Call(Method::kPost, path, "", std::move(multipart.body), multipart.content_type);
  if (!data.ok()) return data.failure();
  const auto* list = data.value().if_array();
  std::optional<Document> document;
  if (list != nullptr && !list->empty()) document = ParseDocument(list->front());
  if (!document) {
    return Failure{OutcomeKind::kPermanent, "Ragflow's answer to POST " + path + " has no document",
                   std::nullopt};
  }
  if (document->name.empty()) document->name = std::string(name);
  return *document;
}

Expected<Done> Api::DeleteDocuments(std::string_view dataset_id,
                                    const std::vector<std::string>& ids) const {
  const std::string path = "/api/v1/datasets/" + PercentEncode(dataset_id) + "/documents";
  assert(!ids.empty());
  if (ids.empty()) return EmptyIdsFailure("DELETE " + path);
  for (const std::string& id : ids) {
    assert(!id.empty());
    if (id.empty()) return EmptyIdsFailure("DELETE " + path);
  }
  Expected<Answer> answer =
      Exchange(Method::kDelete, path, "", IdsBody("ids", ids), "application/json");
  if (!answer.ok()) return answer.failure();
  const Answer& a = answer.value();
  if (a.code == 0) return Done{};
  // Ragflow deletes the documents it finds and then complains about the others: those were gone
  // already, which is what we wanted.
  if (a.code == kCodeDataError && a.message.rfind("Documents not found", 0) == 0) return Done{};
  return CodeFailure(Method::kDelete, path, a);
}

Expected<Done> Api::StartParsing(std::string_view dataset_id,
                                 const std::vector<std::string>& ids) const {
  const std::string path = "/api/v1/datasets/" + PercentEncode(dataset_id) + "/chunks";
  assert(!ids.empty());
  if (ids.empty()) return Done{};
  Expected<Answer> answer =
      Exchange(Method::kPost, path, "", IdsBody("document_ids", ids), "application/json");
  if (!answer.ok()) return answer.failure();
  const Answer& a = answer.value();
  if (a.code == 0) return Done{};
  Failure failure = CodeFailure(Method::kPost, path, a);
  // A document started or deleted by someone else since we listed them: the next call sees the
  // new state.
  if (a.code == kCodeDataError && (Contains(a.message, "currently being processed") ||
                                   a.message.rfind("Documents not found", 0) == 0)) {
    failure.kind = OutcomeKind::kRetry;
  }
  return failure;
}

}  // namespace capconf::ragflow::internal
