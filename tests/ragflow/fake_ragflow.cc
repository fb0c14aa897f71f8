#include "fake_ragflow.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdio>
#include <thread>
#include <utility>

namespace capconf::testing {
namespace {

// Ragflow's RetCode values.
constexpr int kArgumentError = 101;
constexpr int kDataError = 102;
constexpr int kPermissionError = 108;
constexpr int kAuthenticationError = 109;

constexpr std::size_t kMaxDocumentNameBytes = 255;  // api/constants.py FILE_NAME_LEN_LIMIT
constexpr std::size_t kMaxDatasetNameChars = 128;
constexpr std::string_view kTenant = "7e4a1c2f9b3d11f0a6a79f24fc270c7f";

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string Ok() { return R"({"code":0})"; }

std::string Ok(boost::json::value data) {
  boost::json::object out;
  out["code"] = 0;
  out["data"] = std::move(data);
  return boost::json::serialize(out);
}

std::string Error(int code, std::string_view message) {
  boost::json::object out;
  out["code"] = code;
  out["message"] = message;
  return boost::json::serialize(out);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += plus_is_space && text[i] == '+' ? ' ' : text[i];
  }
  return out;
}

std::map<std::string, std::string> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    out[PercentDecode(pair.substr(0, eq), true)] =
        eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

std::vector<std::string> Segments(std::string_view path) {
  std::vector<std::string> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const std::size_t slash = path.find('/');
    out.emplace_back(PercentDecode(path.substr(0, slash), false));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return out;
}

// "/api/v1/datasets/abc/documents" → "/api/v1/datasets/{id}/documents"
std::string Pattern(const std::vector<std::string>& segments) {
  std::string out;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    out += '/';
    const bool id = (i == 3 && segments[2] == "datasets") ||
                    (i == 5 && segments.size() > 4 && segments[4] == "documents");
    out += id ? "{id}" : segments[i];
  }
  return out.empty() ? "/" : out;
}

std::optional<boost::json::value> ParseJson(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec) return std::nullopt;
  return v;
}

std::optional<long long> AsInteger(const boost::json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (const auto* i = v->if_int64()) return *i;
  if (const auto* u = v->if_uint64()) return static_cast<long long>(*u);
  if (const auto* d = v->if_double()) {
    if (static_cast<double>(static_cast<long long>(*d)) == *d) return static_cast<long long>(*d);
  }
  return std::nullopt;
}

// The ids of a delete body, or nullopt when they are null, missing or empty (or the body is
// not a JSON object): the cases in which Ragflow deletes everything.
std::optional<std::vector<std::string>> DeleteIds(std::string_view body, bool& malformed) {
  malformed = false;
  std::optional<boost::json::value> parsed = ParseJson(body);
  if (!parsed || !parsed->is_object()) return std::nullopt;
  const boost::json::value* ids = parsed->as_object().if_contains("ids");
  if (ids == nullptr || ids->is_null()) return std::nullopt;
  const auto* array = ids->if_array();
  if (array == nullptr) {
    malformed = true;
    return std::vector<std::string>{};
  }
  if (array->empty()) return std::nullopt;
  std::vector<std::string> out;
  for (const boost::json::value& id : *array) {
    if (!id.is_string()) {
      malformed = true;
      return std::vector<std::string>{};
    }
    out.emplace_back(id.as_string());
  }
  return out;
}

bool SupportedExtension(std::string_view name) {
  static const std::set<std::string> kSupported = {
      "pdf", "doc",  "docx", "txt", "md",  "markdown", "csv", "xlsx", "xls", "json", "html",
      "htm", "pptx", "ppt",  "png", "jpg", "jpeg",     "gif", "webp", "eml", "rtf",  "xml"};
  const std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return false;
  return kSupported.count(Lower(name.substr(dot + 1))) != 0;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// name="value" or name=value parameters of a header value, after its first ';'.
std::map<std::string, std::string> HeaderParams(std::string_view value) {
  std::map<std::string, std::string> out;
  std::size_t i = value.find(';');
  while (i != std::string_view::npos && i < value.size()) {
    ++i;
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
    const std::size_t eq = value.find('=', i);
    if (eq == std::string_view::npos) break;
    const std::string key = Lower(Trim(value.substr(i, eq - i)));
    std::size_t j = eq + 1;
    std::string param;
    if (j < value.size() && value[j] == '"') {
      ++j;
      while (j < value.size() && value[j] != '"') param += value[j++];
      ++j;  // the closing quote
    } else {
      while (j < value.size() && value[j] != ';') param += value[j++];
      param = std::string(Trim(param));
    }
    out[key] = param;
    i = value.find(';', j);
  }
  return out;
}

std::string DecodeFilename(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const std::string_view code = text.substr(i + 1, 2);
      if (code == "22") {
        out += '"';
        i += 2;
        continue;
      }
      if (code == "0D" || code == "0d") {
        out += '\r';
        i += 2;
        continue;
      }
      if (code == "0A" || code == "0a") {
        out += '\n';
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

}  // namespace

std::optional<std::vector<MultipartPart>> ParseMultipart(std::string_view content_type,
                                                         std::string_view body) {
  if (Lower(Trim(content_type.substr(0, content_type.find(';')))) != "multipart/form-data") {
    return std::nullopt;
  }
  const std::map<std::string, std::string> params = HeaderParams(content_type);
  const auto boundary_param = params.find("boundary");
  if (boundary_param == params.end() || boundary_param->second.empty()) return std::nullopt;
  const std::string delimiter = "--" + boundary_param->second;
  const std::string between = "\r\n" + delimiter;

  if (body.substr(0, delimiter.size()) != delimiter) return std::nullopt;
  std::size_t pos = delimiter.size();
  std::vector<MultipartPart> parts;
  while (true) {
    if (body.substr(pos, 2) == "--") return parts;  // the closing delimiter
    if (body.substr(pos, 2) != "\r\n") return std::nullopt;
    pos += 2;
    const std::size_t head_end = body.find("\r\n\r\n", pos);
    if (head_end == std::string_view::npos) return std::nullopt;
    MultipartPart part;
    std::string_view head = body.substr(pos, head_end - pos);
    while (!head.empty()) {
      const std::size_t eol = head.find("\r\n");
      const std::string_view line = head.substr(0, eol);
      const std::size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        const std::string name = Lower(Trim(line.substr(0, colon)));
        const std::string_view value = Trim(line.substr(colon + 1));
        if (name == "content-disposition") {
          if (Lower(Trim(value.substr(0, value.find(';')))) != "form-data") return std::nullopt;
          std::map<std::string, std::string> disposition = HeaderParams(value);
          part.name = disposition["name"];
          if (const auto f = disposition.find("filename"); f != disposition.end()) {
            part.filename = DecodeFilename(f->second);
          }
        } else if (name == "content-type") {
          part.content_type = std::string(value);
        }
      }
      if (eol == std::string_view::npos) break;
      head.remove_prefix(eol + 2);
    }
    const std::size_t content_start = head_end + 4;
    const std::size_t content_end = body.find(between, content_start);
    if (content_end == std::string_view::npos) return std::nullopt;
    part.content = std::string(body.substr(content_start, content_end - content_start));
    parts.push_back(std::move(part));
    pos = content_end + between.size();
  }
}

FakeRagflow::FakeRagflow(std::string api_key, int port) : api_key_(std::move(api_key)) {
  server_ = std::make_unique<TestHttpServer>(
      [this](const ReceivedRequest& request) { return Handle(request); }, port);
  server_->set_recording(false);
  port_ = server_->port();
}

FakeRagflow::~FakeRagflow() {
  // The server's threads call Handle: stop them before the state goes.
  std::lock_guard lock(server_mutex_);
  server_.reset();
}

std::string FakeRagflow::Url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FakeRagflow::AddRule(FailRule rule) {
  std::lock_guard lock(mutex_);
  rules_.push_back(std::move(rule));
}

void FakeRagflow::FailNext(int count, int status, std::optional<int> retry_after_seconds,
                           std::string route, int after) {
  FailRule rule{
      FailKind::kStatus, std::move(route), after, count, status, retry_after_seconds, 0, ""};
  AddRule(std::move(rule));
}

void FakeRagflow::FailNextWithCode(int count, int ragflow_code, std::string message,
                                   std::string route, int after) {
  AddRule(FailRule{FailKind::kCode, std::move(route), after, count, 200, std::nullopt, ragflow_code,
                   std::move(message)});
}

void FakeRagflow::HangNext(int count, std::string route, int after) {
  AddRule(FailRule{FailKind::kHang, std::move(route), after, count, 0, std::nullopt, 0, ""});
}

void FakeRagflow::LoseReplyNext(int count, std::string route, int after) {
  AddRule(FailRule{FailKind::kLoseReply, std::move(route), after, count, 502, std::nullopt, 0, ""});
}

void FakeRagflow::SetLatency(std::chrono::milliseconds latency) {
  std::lock_guard lock(mutex_);
  latency_ = latency;
}

void FakeRagflow::GoDown() {
  std::lock_guard lock(server_mutex_);
  if (!server_) return;
  server_.reset();
  down_ = std::make_unique<PortReservation>(port_);
}

void FakeRagflow::ComeBack() {
  std::lock_guard lock(server_mutex_);
  if (server_) return;
  down_.reset();
  server_ = std::make_unique<TestHttpServer>(
      [this](const ReceivedRequest& request) { return Handle(request); }, port_);
  server_->set_recording(false);
}

void FakeRagflow::SetParseListCalls(int calls) {
  std::lock_guard lock(mutex_);
  parse_list_calls_ = calls;
}

void FakeRagflow::SetParseDuration(std::optional<std::chrono::milliseconds> duration) {
  std::lock_guard lock(mutex_);
  parse_duration_ = duration;
}

void FakeRagflow::FailParseOf(std::string document_name, std::string message) {
  std::lock_guard lock(mutex_);
  fail_parse_[std::move(document_name)] = std::move(message);
}

void FakeRagflow::SetMaxPageSize(int max) {
  std::lock_guard lock(mutex_);
  max_page_size_ = max;
}

void FakeRagflow::set_log_requests(bool on) {
  std::lock_guard lock(mutex_);
  log_requests_ = on;
}

std::string FakeRagflow::NewId() {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%08x%024llx", static_cast<unsigned>(port_) * 2654435761u,
                static_cast<unsigned long long>(next_id_++));
  return buffer;
}

std::string FakeRagflow::AddDataset(std::string name, long long chunk_token_num) {
  std::lock_guard lock(mutex_);
  Dataset dataset;
  dataset.info.id = NewId();
  dataset.info.name = std::move(name);
  dataset.info.chunk_method = "naive";
  dataset.info.chunk_token_num = chunk_token_num;
  dataset.created = ++clock_;
  const std::string id = dataset.info.id;
  datasets_.emplace(id, std::move(dataset));
  return id;
}

std::string FakeRagflow::AddDocument(const std::string& dataset_id, std::string name,
                                     std::string content, std::string run) {
  std::lock_guard lock(mutex_);
  auto dataset = datasets_.find(dataset_id);
  if (dataset == datasets_.end()) return "";
  Document document;
  document.info.id = NewId();
  document.info.name = std::move(name);
  document.info.size = content.size();
  document.info.content = std::move(content);
  document.info.run = std::move(run);
  document.info.progress = document.info.run == "DONE" ? 1.0 : 0.0;
  document.dataset_id = dataset_id;
  document.created = ++clock_;
  document.list_calls_left = parse_list_calls_;  // a RUNNING one finishes as if started now
  document.started = std::chrono::steady_clock::now();
  const std::string id = document.info.id;
  dataset->second.document_order.push_back(id);
  documents_.emplace(id, std::move(document));
  return id;
}

std::vector<FakeRagflow::DatasetInfo> FakeRagflow::Datasets() const {
  std::lock_guard lock(mutex_);
  std::vector<const Dataset*> sorted;
  for (const auto& [id, dataset] : datasets_) sorted.push_back(&dataset);
  std::sort(sorted.begin(), sorted.end(),
            [](const Dataset* a, const Dataset* b) { return a->created < b->created; });
  std::vector<DatasetInfo> out;
  for (const Dataset* dataset : sorted) out.push_back(dataset->info);
  return out;
}

std::optional<FakeRagflow::DatasetInfo> FakeRagflow::DatasetByName(std::string_view name) const {
  std::lock_guard lock(mutex_);
  for (const auto& [id, dataset] : datasets_) {
    if (Lower(dataset.info.name) == Lower(name)) return dataset.info;
  }
  return std::nullopt;
}

std::vector<FakeRagflow::DocumentInfo> FakeRagflow::Documents(std::string_view dataset_id) const {
  std::lock_guard lock(mutex_);
  std::vector<DocumentInfo> out;
  const auto dataset = datasets_.find(std::string(dataset_id));
  if (dataset == datasets_.end()) return out;
  for (const std::string& id : dataset->second.document_order) {
    out.push_back(documents_.at(id).info);
  }
  return out;
}

std::vector<std::string> FakeRagflow::DocumentNames(std::string_view dataset_id) const {
  std::vector<std::string> out;
  for (const DocumentInfo& document : Documents(dataset_id)) out.push_back(document.name);
  return out;
}

int FakeRagflow::RequestCount(std::string_view route) const {
  std::lock_guard lock(mutex_);
  const auto it = counts_.find(std::string(route));
  return it == counts_.end() ? 0 : it->second;
}

std::map<std::string, int> FakeRagflow::RequestCounts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

int FakeRagflow::TotalRequests() const {
  std::lock_guard lock(mutex_);
  return total_;
}

int FakeRagflow::WriteRequests() const {
  std::lock_guard lock(mutex_);
  return writes_;
}

std::vector<FakeRagflow::LoggedRequest> FakeRagflow::Log() const {
  std::lock_guard lock(mutex_);
  return log_;
}

bool FakeRagflow::DeletedEverything() const {
  std::lock_guard lock(mutex_);
  return deleted_everything_;
}

Reply FakeRagflow::Handle(const ReceivedRequest& request) {
  const std::size_t question = request.target.find('?');
  const std::string path = request.target.substr(0, question);
  const std::map<std::string, std::string> query =
      question == std::string::npos
          ? std::map<std::string, std::string>{}
          : ParseQuery(std::string_view(request.target).substr(question + 1));
  const std::string route = request.method + " " + Pattern(Segments(path));
  const std::vector<std::pair<std::string, std::string>> json_headers = {
      {"Content-Type", "application/json"}};

  std::chrono::milliseconds latency{0};
  std::optional<FailRule> failure;
  {
    std::lock_guard lock(mutex_);
    ++counts_[route];
    ++total_;
    if (request.method != "GET") ++writes_;
    if (log_requests_) {
      const bool json = request.Header("content-type").rfind("multipart/", 0) != 0;
      log_.push_back(LoggedRequest{request.method, request.target, route, json ? request.body : "",
                                   request.Header("authorization")});
    }
    latency = latency_;
    for (FailRule& rule : rules_) {
      if (rule.count <= 0 || (!rule.route.empty() && rule.route != route)) continue;
      if (rule.after > 0) {
        --rule.after;
        continue;
      }
      --rule.count;
      failure = rule;
      break;
    }
    std::erase_if(rules_, [](const FailRule& rule) { return rule.count <= 0; });
  }
  if (latency.count() > 0) std::this_thread::sleep_for(latency);

  if (failure) {
    switch (failure->kind) {
      case FailKind::kHang:
        return Reply{"", true};
      case FailKind::kStatus: {
        std::vector<std::pair<std::string, std::string>> headers = json_headers;
        if (failure->retry_after) {
          headers.emplace_back("Retry-After", std::to_string(*failure->retry_after));
        }
        return MakeReply(failure->status, Error(failure->status, "injected failure"), headers);
      }
      case FailKind::kCode:
        return MakeReply(200, Error(failure->code, failure->message), json_headers);
      case FailKind::kLoseReply:
        break;
    }
  }

  std::string answer;
  if (request.Header("authorization") != "Bearer " + api_key_) {
    answer = Error(kAuthenticationError, "Authentication error: API key is invalid!");
  } else {
    std::lock_guard lock(mutex_);
    answer = Apply(request.method, path, query, request);
  }
  if (failure && failure->kind == FailKind::kLoseReply) {
    return MakeReply(502, "<html>Bad Gateway</html>", {{"Content-Type", "text/html"}});
  }
  if (answer.empty()) {
    return MakeReply(404, R"({"code":404,"message":"Not Found"})", json_headers);
  }
  return MakeReply(200, answer, json_headers);
}

std::string FakeRagflow::Apply(const std::string& method, const std::string& path,
                               const std::map<std::string, std::string>& query,
                               const ReceivedRequest& request) {
  const std::vector<std::string> s = Segments(path);
  if (s.size() < 3 || s[0] != "api" || s[1] != "v1" || s[2] != "datasets") return "";
  if (s.size() == 3) {
    if (method == "POST") return CreateDataset(request);
    if (method == "GET") return ListDatasets(query);
    if (method == "DELETE") return DeleteDatasets(request);
    return "";
  }
  const std::string& id = s[3];
  if (s.size() == 4 && method == "PUT") return UpdateDataset(id, request);
  if (s.size() == 5 && s[4] == "documents") {
    if (method == "POST") return UploadDocuments(id, request);
    if (method == "GET") return ListDocuments(id, query);
    if (method == "DELETE") return DeleteDocuments(id, request);
  }
  if (s.size() == 5 && s[4] == "chunks" && method == "POST") return StartParsing(id, request);
  return "";
}

namespace {

boost::json::object DefaultParserConfig() {
  return boost::json::object{{"chunk_token_num", 128},
                             {"delimiter", "\\n"},
                             {"html4excel", false},
                             {"layout_recognize", "DeepDOC"},
                             {"raptor", boost::json::object{{"use_raptor", false}}}};
}

const std::set<std::string>& ChunkMethods() {
  static const std::set<std::string> kMethods = {"naive",        "book", "email", "laws",
                                                 "manual",       "one",  "paper", "picture",
                                                 "presentation", "qa",   "table", "tag"};
  return kMethods;
}

// Checks a parser_config object; "" when fine, else the error answer.
std::string CheckParserConfig(const boost::json::value& config) {
  if (!config.is_object()) return Error(kArgumentError, "parser_config must be an object");
  if (const boost::json::value* n = config.as_object().if_contains("chunk_token_num")) {
    const std::optional<long long> value = AsInteger(n);
    if (!value || *value < 1 || *value > 2048) {
      return Error(kArgumentError,
                   "Field: <parser_config.chunk_token_num> - Message: <Input should be less than "
                   "or equal to 2048>");
    }
  }
  return "";
}

}  // namespace

std::string FakeRagflow::CreateDataset(const ReceivedRequest& request) {
  std::optional<boost::json::value> body = ParseJson(request.body);
  if (!body || !body->is_object()) {
    return Error(kArgumentError, "Invalid request payload: expected object");
  }
  const boost::json::object& req = body->as_object();
  const boost::json::value* name_value = req.if_contains("name");
  const std::string name =
      name_value && name_value->is_string() ? std::string(Trim(name_value->as_string())) : "";
  if (name.empty()) {
    return Error(kArgumentError,
                 "Field: <name> - Message: <String should have at least 1 character> - Value: <>");
  }
  if (name.size() > kMaxDatasetNameChars) {
    return Error(kArgumentError,
                 "Field: <name> - Message: <String should have at most 128 "
                 "characters>");
  }
  for (const auto& [id, dataset] : datasets_) {
    if (Lower(dataset.info.name) == Lower(name)) {
      return Error(kArgumentError, "Dataset name '" + name + "' already exists");
    }
  }
  std::string chunk_method = "naive";
  if (const boost::json::value* m = req.if_contains("chunk_method")) {
    chunk_method = m->is_string() ? std::string(m->as_string()) : "";
    if (ChunkMethods().count(chunk_method) == 0) {
      return Error(kArgumentError,
                   "Field: <chunk_method> - Message: <Input should be 'naive', "
                   "'book', ...>");
    }
  }
  boost::json::object parser_config = DefaultParserConfig();
  if (const boost::json::value* config = req.if_contains("parser_config")) {
    if (std::string error = CheckParserConfig(*config); !error.empty()) return error;
    for (const auto& member : config->as_object()) parser_config[member.key()] = member.value();
  }
  Dataset dataset;
  dataset.info.id = NewId();
  dataset.info.name = name;
  dataset.info.chunk_method = chunk_method;
  dataset.info.chunk_token_num = AsInteger(parser_config.if_contains("chunk_token_num"));
  dataset.parser_config_json = boost::json::serialize(parser_config);
  dataset.created = ++clock_;
  boost::json::object data{{"id", dataset.info.id},
                           {"name", name},
                           {"chunk_method", chunk_method},
                           {"chunk_count", 0},
                           {"document_count", 0},
                           {"embedding_model", "BAAI/bge-large-zh-v1.5@BAAI"},
                           {"language", "English"},
                           {"permission", "me"},
                           {"parser_config", parser_config},
                           {"tenant_id", kTenant},
                           {"status", "1"},
                           {"create_time", dataset.created}};
  datasets_.emplace(dataset.info.id, std::move(dataset));
  return Ok(std::move(data));
}

std::string FakeRagflow::ListDatasets(const std::map<std::string, std::string>& query) {
  std::vector<const Dataset*> matching;
  const auto name = query.find("name");
  const auto id = query.find("id");
  for (const auto& [dataset_id, dataset] : datasets_) {
    if (name != query.end() && !name->second.empty() &&
        Lower(dataset.info.name) != Lower(name->second)) {
      continue;
    }
    if (id != query.end() && !id->second.empty() && dataset_id != id->second) continue;
    matching.push_back(&dataset);
  }
  if (matching.empty() && name != query.end() && !name->second.empty()) {
    return Error(kPermissionError, "User '" + std::string(kTenant) +
                                       "' lacks permission for dataset '" + name->second + "'");
  }
  if (matching.empty() && id != query.end() && !id->second.empty()) {
    return Error(kPermissionError, "User '" + std::string(kTenant) +
                                       "' lacks permission for dataset '" + id->second + "'");
  }
  const bool desc = query.count("desc") == 0 || Lower(query.at("desc")) != "false";
  std::sort(matching.begin(), matching.end(), [desc](const Dataset* a, const Dataset* b) {
    return desc ? a->created > b->created : a->created < b->created;
  });
  const long long page =
      query.count("page") ? std::max(1LL, std::atoll(query.at("page").c_str())) : 1;
  const long long size =
      query.count("page_size") ? std::max(1LL, std::atoll(query.at("page_size").c_str())) : 30;
  boost::json::array data;
  for (long long i = (page - 1) * size;
       i < page * size && i < static_cast<long long>(matching.size()); ++i) {
    const Dataset& dataset = *matching[static_cast<std::size_t>(i)];
    boost::json::value parser_config =
        dataset.parser_config_json.empty()
            ? boost::json::value(boost::json::object{
                  {"chunk_token_num", dataset.info.chunk_token_num.value_or(128)}})
            : *ParseJson(dataset.parser_config_json);
    std::size_t documents = dataset.document_order.size();
    data.push_back(boost::json::object{{"id", dataset.info.id},
                                       {"name", dataset.info.name},
                                       {"chunk_method", dataset.info.chunk_method},
                                       {"document_count", documents},
                                       {"parser_config", parser_config},
                                       {"permission", "me"},
                                       {"tenant_id", kTenant},
                                       {"status", "1"},
                                       {"create_time", dataset.created}});
  }
  return Ok(std::move(data));
}

std::string FakeRagflow::UpdateDataset(const std::string& id, const ReceivedRequest& request) {
  const auto dataset = datasets_.find(id);
  if (dataset == datasets_.end()) return Error(kDataError, "You don't own the dataset");
  std::optional<boost::json::value> body = ParseJson(request.body);
  if (!body || !body->is_object()) return Error(kArgumentError, "Invalid request payload");
  const boost::json::object& req = body->as_object();
  for (const std::string_view readonly : {"id", "tenant_id", "chunk_count", "document_count"}) {
    if (req.contains(readonly))
      return Error(kArgumentError, "'" + std::string(readonly) + "' is readonly.");
  }
  if (const boost::json::value* config = req.if_contains("parser_config")) {
    if (std::string error = CheckParserConfig(*config); !error.empty()) return error;
    boost::json::object merged = dataset->second.parser_config_json.empty()
                                     ? DefaultParserConfig()
                                     : ParseJson(dataset->second.parser_config_json)->as_object();
    for (const auto& member : config->as_object()) merged[member.key()] = member.value();
    dataset->second.info.chunk_token_num = AsInteger(merged.if_contains("chunk_token_num"));
    dataset->second.parser_config_json = boost::json::serialize(merged);
  }
  if (const boost::json::value* name = req.if_contains("name")) {
    if (!name->is_string() || name->as_string().empty()) return Error(kArgumentError, "bad name");
    for (const auto& [other_id, other] : datasets_) {
      if (other_id != id && Lower(other.info.name) == Lower(name->as_string())) {
        return Error(kDataError, "Duplicated dataset name in updating dataset.");
      }
    }
    dataset->second.info.name = std::string(name->as_string());
  }
  if (const boost::json::value* method = req.if_contains("chunk_method")) {
    if (!method->is_string() || ChunkMethods().count(std::string(method->as_string())) == 0) {
      return Error(kArgumentError, "bad chunk_method");
    }
    dataset->second.info.chunk_method = std::string(method->as_string());
  }
  return Ok();
}

void FakeRagflow::RemoveDocument(const std::string& id) {
  const auto document = documents_.find(id);
  if (document == documents_.end()) return;
  const auto dataset = datasets_.find(document->second.dataset_id);
  if (dataset != datasets_.end()) std::erase(dataset->second.document_order, id);
  documents_.erase(document);
}

std::string FakeRagflow::DeleteDatasets(const ReceivedRequest& request) {
  bool malformed = false;
  std::optional<std::vector<std::string>> ids = DeleteIds(request.body, malformed);
  if (malformed)
    return Error(kArgumentError, "Field: <ids> - Message: <Input should be a valid list>");
  if (!ids) {
    // What the real thing does with ids null (documented) or missing or empty (its handler).
    deleted_everything_ = true;
    for (const auto& [id, dataset] : datasets_) {
      for (const std::string& document : dataset.document_order) documents_.erase(document);
    }
    datasets_.clear();
    return Ok();
  }
  std::vector<std::string> unknown;
  for (const std::string& id : *ids) {
    if (datasets_.count(id) == 0) unknown.push_back(id);
  }
  if (!unknown.empty()) {
    std::string list;
    for (const std::string& id : unknown) list += (list.empty() ? "" : ", ") + id;
    return Error(kPermissionError, "User '" + std::string(kTenant) +
                                       "' lacks permission for datasets: '" + list + "'");
  }
  for (const std::string& id : *ids) {
    const auto dataset = datasets_.find(id);
    if (dataset == datasets_.end()) continue;  // listed twice
    for (const std::string& document : dataset->second.document_order) documents_.erase(document);
    datasets_.erase(dataset);
  }
  return Ok();
}

std::string FakeRagflow::UniqueDocumentName(const Dataset& dataset, const std::string& name) const {
  const auto taken = [&](const std::string& candidate) {
    for (const std::string& id : dataset.document_order) {
      if (Lower(documents_.at(id).info.name) == Lower(candidate)) return true;
    }
    return false;
  };
  if (!taken(name)) return name;
  const std::size_t dot = name.rfind('.');
  const std::string stem = dot == std::string::npos ? name : name.substr(0, dot);
  const std::string extension = dot == std::string::npos ? "" : name.substr(dot);
  for (int i = 1;; ++i) {
    std::string candidate = stem + "(" + std::to_string(i) + ")" + extension;
    if (!taken(candidate)) return candidate;
  }
}

std::string FakeRagflow::UploadDocuments(const std::string& dataset_id,
                                         const ReceivedRequest& request) {
  const auto dataset = datasets_.find(dataset_id);
  if (dataset == datasets_.end()) {
    return Error(kDataError, "Can't find the dataset with ID " + dataset_id + "!");
  }
  std::optional<std::vector<MultipartPart>> parts =
      ParseMultipart(request.Header("content-type"), request.body);
  if (!parts) return Error(kArgumentError, "No file part!");
  std::vector<const MultipartPart*> files;
  for (const MultipartPart& part : *parts) {
    if (part.name == "file") files.push_back(&part);
  }
  if (files.empty()) return Error(kArgumentError, "No file part!");
  for (const MultipartPart* file : files) {
    if (!file->filename || file->filename->empty()) {
      return Error(kArgumentError, "No file selected!");
    }
    if (file->filename->size() > kMaxDocumentNameBytes) {
      return Error(kArgumentError, "File name must be 255 bytes or less.");
    }
    if (!SupportedExtension(*file->filename)) {
      return Error(kDataError, "This type of file has not been supported yet!");
    }
  }
  boost::json::array data;
  for (const MultipartPart* file : files) {
    Document document;
    document.info.id = NewId();
    document.info.name = UniqueDocumentName(dataset->second, *file->filename);
    document.info.size = file->content.size();
    document.info.run = "UNSTART";
    document.info.content_type = file->content_type;
    document.info.content = file->content;
    document.dataset_id = dataset_id;
    document.created = ++clock_;
    data.push_back(boost::json::object{{"id", document.info.id},
                                       {"name", document.info.name},
                                       {"location", document.info.name},
                                       {"dataset_id", dataset_id},
                                       {"chunk_method", dataset->second.info.chunk_method},
                                       {"created_by", kTenant},
                                       {"run", "UNSTART"},
                                       {"size", document.info.size},
                                       {"thumbnail", ""},
                                       {"type", "doc"}});
    dataset->second.document_order.push_back(document.info.id);
    documents_.emplace(document.info.id, std::move(document));
  }
  return Ok(std::move(data));
}

void FakeRagflow::AdvanceParsing(Dataset& dataset, bool list_call) {
  const auto now = std::chrono::steady_clock::now();
  for (const std::string& id : dataset.document_order) {
    Document& document = documents_.at(id);
    if (document.info.run != "RUNNING") continue;
    if (list_call) --document.list_calls_left;
    const bool done = document.list_calls_left <= 0 ||
                      (parse_duration_ && now - document.started >= *parse_duration_);
    if (!done) {
      document.info.progress = 0.5;
      continue;
    }
    const auto fail = fail_parse_.find(document.info.name);
    if (fail != fail_parse_.end()) {
      document.info.run = "FAIL";
      document.info.progress = -1;
      document.progress_msg = "Task has been received.\n" + fail->second;
    } else {
      document.info.run = "DONE";
      document.info.progress = 1.0;
      document.progress_msg = "Task has been received.\nTask done";
    }
  }
}

std::string FakeRagflow::ListDocuments(const std::string& dataset_id,
                                       const std::map<std::string, std::string>& query) {
  const auto dataset = datasets_.find(dataset_id);
  if (dataset == datasets_.end()) {
    return Error(kDataError, "You don't own the dataset " + dataset_id + ". ");
  }
  AdvanceParsing(dataset->second, true);
  std::vector<const Document*> matching;
  const auto id = query.find("id");
  const auto name = query.find("name");
  const auto keywords = query.find("keywords");
  for (const std::string& document_id : dataset->second.document_order) {
    const Document& document = documents_.at(document_id);
    if (id != query.end() && !id->second.empty() && document_id != id->second) continue;
    if (name != query.end() && !name->second.empty() && document.info.name != name->second)
      continue;
    if (keywords != query.end() && !keywords->second.empty() &&
        Lower(document.info.name).find(Lower(keywords->second)) == std::string::npos) {
      continue;
    }
    matching.push_back(&document);
  }
  if (matching.empty() && id != query.end() && !id->second.empty()) {
    return Error(kDataError, "You don't own the document " + id->second + ".");
  }
  if (matching.empty() && name != query.end() && !name->second.empty()) {
    return Error(kDataError, "You don't own the document " + name->second + ".");
  }
  const bool desc = query.count("desc") == 0 || Lower(query.at("desc")) != "false";
  std::stable_sort(matching.begin(), matching.end(), [desc](const Document* a, const Document* b) {
    return desc ? a->created > b->created : a->created < b->created;
  });
  const long long page =
      query.count("page") ? std::max(1LL, std::atoll(query.at("page").c_str())) : 1;
  long long size =
      query.count("page_size") ? std::max(1LL, std::atoll(query.at("page_size").c_str())) : 30;
  if (max_page_size_ > 0) size = std::min<long long>(size, max_page_size_);
  boost::json::array docs;
  for (long long i = (page - 1) * size;
       i < page * size && i < static_cast<long long>(matching.size()); ++i) {
    const Document& document = *matching[static_cast<std::size_t>(i)];
    docs.push_back(boost::json::object{{"id", document.info.id},
                                       {"name", document.info.name},
                                       {"location", document.info.name},
                                       {"dataset_id", dataset_id},
                                       {"chunk_method", dataset->second.info.chunk_method},
                                       {"chunk_count", document.info.run == "DONE" ? 1 : 0},
                                       {"token_count", 0},
                                       {"size", document.info.size},
                                       {"run", document.info.run},
                                       {"progress", document.info.progress},
                                       {"progress_msg", document.progress_msg},
                                       {"source_type", "local"},
                                       {"status", "1"},
                                       {"type", "doc"},
                                       {"create_time", document.created}});
  }
  return Ok(boost::json::object{{"docs", std::move(docs)},
                                {"total", static_cast<long long>(matching.size())}});
}

std::string FakeRagflow::DeleteDocuments(const std::string& dataset_id,
                                         const ReceivedRequest& request) {
  const auto dataset = datasets_.find(dataset_id);
  if (dataset == datasets_.end()) {
    return Error(kDataError, "You don't own the dataset " + dataset_id + ". ");
  }
  bool malformed = false;
  std::optional<std::vector<std::string>> ids = DeleteIds(request.body, malformed);
  if (malformed) return Error(kArgumentError, "`ids` must be a list of strings");
  if (!ids) {
    // Older Ragflow, as the reference still says: no ids, every document goes.
    deleted_everything_ = true;
    const std::vector<std::string> all = dataset->second.document_order;
    for (const std::string& id : all) RemoveDocument(id);
    return Ok();
  }
  std::vector<std::string> not_found;
  for (const std::string& id : *ids) {
    const auto document = documents_.find(id);
    if (document == documents_.end() || document->second.dataset_id != dataset_id) {
      not_found.push_back(id);
      continue;
    }
    RemoveDocument(id);
  }
  if (!not_found.empty()) {
    std::string list;
    for (const std::string& id : not_found) list += (list.empty() ? "'" : ", '") + id + "'";
    return Error(kDataError, "Documents not found: [" + list + "]");
  }
  return Ok();
}

std::string FakeRagflow::StartParsing(const std::string& dataset_id,
                                      const ReceivedRequest& request) {
  const auto dataset = datasets_.find(dataset_id);
  if (dataset == datasets_.end()) {
    return Error(kDataError, "You don't own the dataset " + dataset_id + ".");
  }
  std::optional<boost::json::value> body = ParseJson(request.body);
  const boost::json::value* ids =
      body && body->is_object() ? body->as_object().if_contains("document_ids") : nullptr;
  if (ids == nullptr || !ids->is_array() || ids->as_array().empty()) {
    return Error(kDataError, "`document_ids` is required");
  }
  std::vector<std::string> not_found;
  for (const boost::json::value& id_value : ids->as_array()) {
    const std::string id = id_value.is_string() ? std::string(id_value.as_string()) : "";
    const auto document = documents_.find(id);
    if (document == documents_.end() || document->second.dataset_id != dataset_id) {
      not_found.push_back(id);
      continue;
    }
    Document& d = document->second;
    if (d.info.run == "RUNNING") {
      return Error(kDataError, "Can't parse document that is currently being processed");
    }
    d.info.run = "RUNNING";
    d.info.progress = 0;
    d.progress_msg = "";
    d.list_calls_left = parse_list_calls_;
    d.started = std::chrono::steady_clock::now();
    ++d.info.parse_starts;
  }
  if (parse_list_calls_ <= 0) AdvanceParsing(dataset->second, false);
  if (!not_found.empty()) {
    std::string list;
    for (const std::string& id : not_found) list += (list.empty() ? "'" : ", '") + id + "'";
    return Error(kDataError, "Documents not found: [" + list + "]");
  }
  return Ok();
}

}  // namespace capconf::testing
