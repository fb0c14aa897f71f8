#include "capconf/langflow/langflow.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "capconf/json/equal.h"
#include "capconf/json/parse.h"
#include "capconf/json/pointer.h"
#include "capconf/json/serialize.h"

namespace capconf::langflow {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;
using outbound::Method;

constexpr std::string_view kProjects = "/api/v1/projects/";
constexpr std::string_view kFlows = "/api/v1/flows/";
constexpr std::string_view kVariables = "/api/v1/variables/";
constexpr std::string_view kGeneric = "Generic";
constexpr std::string_view kCredential = "Credential";
constexpr std::size_t kMaxDetailBytes = 200;

// ---- names ------------------------------------------------------------------------------------

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Enc from the header: see there why it is injective.
void AppendEncoded(std::string& out, std::string_view part) {
  for (std::size_t i = 0; i < part.size(); ++i) {
    const char c = part[i];
    if (c >= 'a' && c <= 'z') {
      out += static_cast<char>(c - 'a' + 'A');
    } else if (c >= '0' && c <= '9') {
      out += c;
    } else if (c == '_' && i > 0 && i + 1 < part.size() && IsLowerAlnum(part[i - 1]) &&
               IsLowerAlnum(part[i + 1])) {
      out += '_';
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += '_';
      out += static_cast<char>('a' + (byte >> 4));
      out += static_cast<char>('a' + (byte & 15));
    }
  }
}

Result<std::string> PointerParts(std::string_view json_pointer) {
  if (json_pointer.empty()) {
    return InvalidArgumentError("the whole document is not one variable (empty JSON pointer)");
  }
  CAPCONF_ASSIGN_OR_RETURN(std::vector<std::string> tokens, json::ParsePointer(json_pointer));
  std::string out;
  for (const std::string& token : tokens) {
    out += "__";
    AppendEncoded(out, token);
  }
  return out;
}

// ---- small JSON helpers -----------------------------------------------------------------------

const value* Member(const value& v, std::string_view key) {
  const object* o = v.if_object();
  if (o == nullptr) return nullptr;
  auto it = o->find(key);
  return it == o->end() ? nullptr : &it->value();
}

std::optional<std::string> StringMember(const value& v, std::string_view key) {
  const value* m = Member(v, key);
  if (m == nullptr || !m->is_string()) return std::nullopt;
  return std::string(m->get_string());
}

// A stable 64-bit FNV-1a digest, written in hex: json::Hash is per-process, this one is stored.
std::string Digest(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, hash >>= 4) out[static_cast<std::size_t>(i)] = kHex[hash & 15];
  return out;
}

// Percent-encodes everything but RFC 3986 unreserved characters: ids from Langflow are UUIDs,
// but a template's flow id comes from the catalog.
std::string EscapeSegment(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : segment) {
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  return out;
}

// ---- the desired variables --------------------------------------------------------------------

struct Wanted {
  std::string value;
  bool credential = false;
};

void CollectLeaves(const value& v, std::string& pointer, std::string_view prefix,
                   std::map<std::string, Wanted>& out) {
  if (const object* o = v.if_object()) {
    for (const auto& member : *o) {
      const std::size_t size = pointer.size();
      json::AppendToken(pointer, member.key());
      CollectLeaves(member.value(), pointer, prefix, out);
      pointer.resize(size);
    }
    return;
  }
  std::string text;
  if (const boost::json::string* s = v.if_string()) {
    text.assign(s->data(), s->size());
  } else {
    text = json::Serialize(v);  // numbers, booleans, null, and arrays whole
  }
  if (text.empty()) return;  // Langflow refuses empty values: an empty leaf is no variable
  // Pointers built here are well-formed, so PointerParts cannot fail.
  Result<std::string> parts = PointerParts(pointer);
  if (!parts.ok()) return;
  out[std::string(prefix) + parts->substr(2)] = Wanted{std::move(text), false};
}

Result<std::map<std::string, Wanted>> WantedVariables(const sync::DesiredState& desired) {
  std::map<std::string, Wanted> out;
  const std::string prefix = VariablePrefix(desired.subscription_id);
  std::string pointer;
  for (const auto& member : desired.config) {
    json::AppendToken(pointer, member.key());
    CollectLeaves(member.value(), pointer, prefix, out);
    pointer.clear();
  }
  for (const auto& [secret_pointer, plain] : desired.secrets) {
    Result<std::string> name = VariableName(desired.subscription_id, secret_pointer);
    if (!name.ok()) {
      // The pointer is capconf's own data, not the secret: safe to name.
      return Status(StatusCode::kInvalidArgument,
                    "the secret at \"" + secret_pointer +
                        "\" has no variable name: " + name.status().message());
    }
    if (plain.empty()) {
      out.erase(*name);
      continue;
    }
    out[*name] = Wanted{plain, true};
  }
  return out;
}

// Points {"load_from_db": true, "value": "CAPCONF__..."} fields at the subscription's variables.
void RewriteReferences(value& v, std::string_view encoded_subscription) {
  if (object* o = v.if_object()) {
    const value* from_db = Member(v, "load_from_db");
    auto it = o->find("value");
    if (from_db != nullptr && from_db->is_bool() && from_db->get_bool() && it != o->end() &&
        it->value().is_string()) {
      const std::string_view name = it->value().get_string();
      if (name.size() > 9 && name.substr(0, 9) == "CAPCONF__" &&
          !(name[9] >= 'a' && name[9] <= 'z')) {
        std::string scoped = "CAPCONF_";
        scoped += encoded_subscription;
        scoped += name.substr(7);
        it->value() = scoped;
      }
    }
    for (auto& member : *o) RewriteReferences(member.value(), encoded_subscription);
  } else if (array* a = v.if_array()) {
    for (value& item : *a) RewriteReferences(item, encoded_subscription);
  }
}

// ---- one Apply --------------------------------------------------------------------------------

struct Reply {
  int status = 0;
  value body;  // null for an empty body and for an allowed 404
};

struct ExistingVariable {
  std::string id;
  std::string type;
  std::optional<std::string> value;
};

struct FlowSummary {
  std::string id;
  std::string note;
};

// The state of one Apply call: the Retry-After of the last retryable answer. Lives on the
// calling thread's stack, so the target itself stays immutable.
class Run {
 public:
  Run(const LangflowOptions& options, const outbound::Client& client,
      const sync::DesiredState& desired)
      : options_(options),
        client_(client),
        desired_(desired),
        name_(ResourceName(desired.subscription_id)) {
    base_ = options_.base_url;
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
    AppendEncoded(encoded_subscription_, desired.subscription_id);
  }

  sync::Outcome Provision();
  sync::Outcome Remove();

 private:
  Result<Reply> Send(Method method, std::string_view path, const value* body,
                     bool allow_not_found = false);
  sync::Outcome Failed(const Status& status) const;
  static Status Unexpected(Method method, std::string_view path) {
    return Status(StatusCode::kDataLoss, "Langflow sent an unexpected answer to " +
                                             std::string(outbound::MethodName(method)) + " " +
                                             std::string(path));
  }

  Result<std::string> EnsureProject();
  // Projects named exactly like ours (normally zero or one).
  Result<std::vector<std::string>> FindProjects();
  // The flows of project `project_id` that are this subscription's copy; nullopt if the project
  // is gone.
  Result<std::optional<std::vector<value>>> ProjectFlows(const std::string& project_id);
  bool IsOurCopy(const value& flow) const;
  Result<FlowSummary> SyncFlow(const std::string& project_id);
  Result<int> DeleteStaleCopies(const std::string& project_id, std::string_view keep_id);
  Result<std::map<std::string, ExistingVariable>> ListOurVariables();
  Status CreateVariable(const std::string& name, const Wanted& wanted);
  Status UpdateVariable(const std::string& name, const ExistingVariable& have,
                        const Wanted& wanted);
  Status DeleteVariable(const std::string& id);
  Status SyncVariables(const std::map<std::string, Wanted>& wanted);

  std::string CopyMarker(const value& template_data) const {
    return "capconf subscription=" + desired_.subscription_id +
           " template-flow=" + desired_.langflow_flow_id +
           " content=" + Digest(json::CanonicalDump(template_data)) +
           ". Managed by capconf: replaced when the template's flow changes.";
  }

  const LangflowOptions& options_;
  const outbound::Client& client_;
  const sync::DesiredState& desired_;
  const std::string name_;
  std::string base_;
  std::string encoded_subscription_;
  std::optional<long long> retry_after_;
};

Result<Reply> Run::Send(Method method, std::string_view path, const value* body,
                        bool allow_not_found) {
  outbound::Request request;
  request.method = method;
  request.url = base_ + std::string(path);
  if (!options_.api_key.empty()) request.headers.emplace_back("x-api-key", options_.api_key);
  request.headers.emplace_back("Accept", "application/json");
  if (body != nullptr) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = json::Serialize(*body);
  }
  const std::string what = std::string(outbound::MethodName(method)) + " " + std::string(path);

  Result<outbound::Response> sent = client_.Send(request);
  if (!sent.ok()) {
    const Status& status = sent.status();
    if (status.code() == StatusCode::kUnavailable ||
        status.code() == StatusCode::kDeadlineExceeded) {
      return Status(status.code(), "Langflow did not answer " + what + ": " + status.message());
    }
    return Status(status.code(), "could not call Langflow for " + what + ": " + status.message());
  }
  const outbound::Response& response = *sent;
  const int code = response.status;
  if (code >= 200 && code < 300) {
    if (response.body.find_first_not_of(" \t\r\n") == std::string::npos) return Reply{code, {}};
    Result<value> parsed = json::Parse(response.body);
    if (!parsed.ok()) {
      return Status(StatusCode::kDataLoss, "Langflow sent an answer that is not JSON to " + what);
    }
    return Reply{code, std::move(parsed).value()};
  }
  if (code == 404 && allow_not_found) return Reply{code, {}};
  if (code == 401 || code == 403) {
    return Status(StatusCode::kPermissionDenied,
                  "Langflow refused the API key (" + std::to_string(code) + " to " + what + ")");
  }
  // Langflow's own words, when they are a plain sentence and cannot echo a variable's value.
  std::string detail;
  if (path.substr(0, kVariables.size()) != kVariables) {
    Result<value> parsed = json::Parse(response.body);
    if (parsed.ok()) {
      if (std::optional<std::string> d = StringMember(*parsed, "detail")) {
        if (d->size() > kMaxDetailBytes) {
          std::size_t cut = kMaxDetailBytes;
          while (cut > 0 && (static_cast<unsigned char>((*d)[cut]) & 0xC0) == 0x80) --cut;
          d->resize(cut);
          *d += "…";
        }
        if (!d->empty()) detail = ": " + *d;
      }
    }
  }
  const std::string message = "Langflow answered " + std::to_string(code) + " to " + what + detail;
  if (code == 408 || code == 429 || code >= 500) {
    retry_after_ = response.RetryAfterSeconds();
    return Status(StatusCode::kUnavailable, message);
  }
  return Status(StatusCode::kFailedPrecondition, message);
}

sync::Outcome Run::Failed(const Status& status) const {
  sync::Outcome outcome;
  const bool retry =
      status.code() == StatusCode::kUnavailable || status.code() == StatusCode::kDeadlineExceeded;
  outcome.kind = retry ? sync::OutcomeKind::kRetry : sync::OutcomeKind::kPermanent;
  outcome.message = status.message();
  if (retry) outcome.retry_after_seconds = retry_after_;
  return outcome;
}

Result<std::vector<std::string>> Run::FindProjects() {
  CAPCONF_ASSIGN_OR_RETURN(Reply reply, Send(Method::kGet, kProjects, nullptr));
  const array* list = reply.body.if_array();
  if (list == nullptr) return Unexpected(Method::kGet, kProjects);
  std::vector<std::string> ids;
  for (const value& project : *list) {
    if (StringMember(project, "name") != name_) continue;
    std::optional<std::string> id = StringMember(project, "id");
    if (!id || id->empty()) return Unexpected(Method::kGet, kProjects);
    ids.push_back(std::move(*id));
  }
  return ids;
}

Result<std::string> Run::EnsureProject() {
  CAPCONF_ASSIGN_OR_RETURN(std::vector<std::string> ids, FindProjects());
  if (!ids.empty()) return ids.front();
  const value body = {{"name", name_},
                      {"description", "capconf subscription " + desired_.subscription_id},
                      {"components_list", array()},
                      {"flows_list", array()}};
  CAPCONF_ASSIGN_OR_RETURN(Reply reply, Send(Method::kPost, kProjects, &body));
  std::optional<std::string> id = StringMember(reply.body, "id");
  if (!id || id->empty()) return Unexpected(Method::kPost, kProjects);
  return *id;
}

bool Run::IsOurCopy(const value& flow) const {
  if (StringMember(flow, "name") == name_) return true;
  // Langflow renames a copy whose name the user already has elsewhere ("capconf-S (1)"): the
  // description still says whose it is.
  const std::optional<std::string> description = StringMember(flow, "description");
  const std::string mark = "capconf subscription=" + desired_.subscription_id + " ";
  return description && description->compare(0, mark.size(), mark) == 0;
}

Result<std::optional<std::vector<value>>> Run::ProjectFlows(const std::string& project_id) {
  const std::string path = std::string(kProjects) + EscapeSegment(project_id);
  CAPCONF_ASSIGN_OR_RETURN(Reply reply, Send(Method::kGet, path, nullptr, true));
  if (reply.status == 404) return std::optional<std::vector<value>>();
  const value* flows = Member(reply.body, "flows");
  if (flows == nullptr || !flows->is_array()) return Unexpected(Method::kGet, path);
  std::vector<value> ours;
  for (const value& flow : flows->get_array()) {
    std::optional<std::string> id = StringMember(flow, "id");
    if (!id || id->empty()) return Unexpected(Method::kGet, path);
    if (IsOurCopy(flow)) ours.push_back(flow);
  }
  return std::optional<std::vector<value>>(std::move(ours));
}

Result<int> Run::DeleteStaleCopies(const std::string& project_id, std::string_view keep_id) {
  CAPCONF_ASSIGN_OR_RETURN(std::optional<std::vector<value>> flows, ProjectFlows(project_id));
  int deleted = 0;
  if (!flows) return deleted;
  for (const value& flow : *flows) {
    const std::string id = *StringMember(flow, "id");
    if (id == keep_id) continue;
    CAPCONF_ASSIGN_OR_RETURN(
        Reply reply, Send(Method::kDelete, std::string(kFlows) + EscapeSegment(id), nullptr, true));
    if (reply.status != 404) ++deleted;
  }
  return deleted;
}

Result<FlowSummary> Run::SyncFlow(const std::string& project_id) {
  const std::string template_path = std::string(kFlows) + EscapeSegment(desired_.langflow_flow_id);
  CAPCONF_ASSIGN_OR_RETURN(Reply template_flow, Send(Method::kGet, template_path, nullptr, true));
  if (template_flow.status == 404) {
    return NotFoundError("the template's flow " + desired_.langflow_flow_id +
                         " does not exist in Langflow (404 to GET " + template_path + ")");
  }
  const value* template_data = Member(template_flow.body, "data");
  if (!template_flow.body.is_object() ||
      (template_data != nullptr && !template_data->is_object() && !template_data->is_null())) {
    return Unexpected(Method::kGet, template_path);
  }
  const value original = template_data != nullptr ? *template_data : value();
  value data = original;
  RewriteReferences(data, encoded_subscription_);
  const std::string marker = CopyMarker(original);
  const value body = {{"name", name_},
                      {"description", marker},
                      {"data", data},
                      {"folder_id", project_id},
                      {"is_component", false}};

  CAPCONF_ASSIGN_OR_RETURN(std::optional<std::vector<value>> copies, ProjectFlows(project_id));
  if (!copies) {
    return UnavailableError("Langflow's project " + project_id + " went away while syncing");
  }
  if (copies->empty()) {
    CAPCONF_ASSIGN_OR_RETURN(Reply created, Send(Method::kPost, kFlows, &body));
    std::optional<std::string> id = StringMember(created.body, "id");
    if (!id || id->empty()) return Unexpected(Method::kPost, kFlows);
    return FlowSummary{*id, "flow copied"};
  }
  // Several copies can only come from someone else's doing; keep the one named like ours.
  const value* keep = &copies->front();
  for (const value& copy : *copies) {
    if (StringMember(copy, "name") == name_) {
      keep = &copy;
      break;
    }
  }
  const std::string id = *StringMember(*keep, "id");
  std::string note = "flow up to date";
  const value* copy_data = Member(*keep, "data");
  const bool same = StringMember(*keep, "description") == marker ||
                    (copy_data != nullptr && json::Equal(*copy_data, data));
  if (!same) {
    // PATCH keeps the copy's id, so whatever refers to the flow keeps working.
    // It keeps its name too: Langflow may have had to rename it ("capconf-S (1)").
    const std::string path = std::string(kFlows) + EscapeSegment(id);
    const value update = {{"name", StringMember(*keep, "name").value_or(name_)},
                          {"description", marker},
                          {"data", data},
                          {"folder_id", project_id}};
    CAPCONF_ASSIGN_OR_RETURN(Reply updated, Send(Method::kPatch, path, &update, true));
    if (updated.status == 404) {
      // Deleted in Langflow since it was listed; the next Apply copies the template again.
      return UnavailableError("Langflow's flow " + id + " went away while syncing");
    }
    note = "flow updated";
  }
  if (copies->size() > 1) {
    CAPCONF_ASSIGN_OR_RETURN(int removed, DeleteStaleCopies(project_id, id));
    static_cast<void>(removed);
  }
  return FlowSummary{id, note};
}

Result<std::map<std::string, ExistingVariable>> Run::ListOurVariables() {
  CAPCONF_ASSIGN_OR_RETURN(Reply reply, Send(Method::kGet, kVariables, nullptr));
  const array* list = reply.body.if_array();
  if (list == nullptr) return Unexpected(Method::kGet, kVariables);
  const std::string prefix = VariablePrefix(desired_.subscription_id);
  std::map<std::string, ExistingVariable> ours;
  for (const value& variable : *list) {
    std::optional<std::string> name = StringMember(variable, "name");
    if (!name || name->compare(0, prefix.size(), prefix) != 0) continue;
    std::optional<std::string> id = StringMember(variable, "id");
    if (!id || id->empty()) return Unexpected(Method::kGet, kVariables);
    ours[*name] = ExistingVariable{std::move(*id), StringMember(variable, "type").value_or(""),
                                   StringMember(variable, "value")};
  }
  return ours;
}

Status Run::CreateVariable(const std::string& name, const Wanted& wanted) {
  const value body = {{"name", name},
                      {"value", wanted.value},
                      {"type", wanted.credential ? kCredential : kGeneric},
                      {"default_fields", array()}};
  CAPCONF_ASSIGN_OR_RETURN(Reply reply, Send(Method::kPost, kVariables, &body));
  static_cast<void>(reply);
  return Status::Ok();
}

Status Run::UpdateVariable(const std::string& name, const ExistingVariable& have,
                           const Wanted& wanted) {
  const std::string_view type = wanted.credential ? kCredential : kGeneric;
  const value body = {{"id", have.id},
                      {"name", name},
                      {"value", wanted.value},
                      {"type", type},
                      {"default_fields", array()}};
  const std::string path = std::string(kVariables) + EscapeSegment(have.id);
  CAPCONF_ASSIGN_OR_RETURN(Reply reply, Send(Method::kPatch, path, &body, true));
  // Deleted in Langflow since it was listed: nothing left to update, so make it anew.
  if (reply.status == 404) return CreateVariable(name, wanted);
  // Langflow versions whose update has no `type` answer with the old one. Only a replacement
  // changes it there; otherwise every later Apply would find the type wrong and PATCH again.
  if (std::optional<std::string> answered = StringMember(reply.body, "type");
      answered && *answered != type) {
    CAPCONF_RETURN_IF_ERROR(DeleteVariable(have.id));
    return CreateVariable(name, wanted);
  }
  return Status::Ok();
}

Status Run::DeleteVariable(const std::string& id) {
  CAPCONF_ASSIGN_OR_RETURN(
      Reply reply,
      Send(Method::kDelete, std::string(kVariables) + EscapeSegment(id), nullptr, true));
  static_cast<void>(reply);
  return Status::Ok();
}

Status Run::SyncVariables(const std::map<std::string, Wanted>& wanted) {
  CAPCONF_ASSIGN_OR_RETURN(auto existing, ListOurVariables());
  // New ones first, then changed ones (in place: never missing meanwhile), then the unwanted: a
  // flow running meanwhile misses as little as possible.
  std::vector<std::pair<const std::string*, const Wanted*>> changed;
  for (const auto& [name, want] : wanted) {
    auto it = existing.find(name);
    if (it == existing.end()) {
      CAPCONF_RETURN_IF_ERROR(CreateVariable(name, want));
      continue;
    }
    const ExistingVariable& have = it->second;
    const std::string_view type = want.credential ? kCredential : kGeneric;
    if (want.credential || have.type != type || have.value != want.value) {
      changed.emplace_back(&name, &want);
    }
  }
  for (const auto& [name, want] : changed) {
    CAPCONF_RETURN_IF_ERROR(UpdateVariable(*name, existing.at(*name), *want));
  }
  for (const auto& [name, have] : existing) {
    if (wanted.count(name) == 0) CAPCONF_RETURN_IF_ERROR(DeleteVariable(have.id));
  }
  return Status::Ok();
}

sync::Outcome Run::Provision() {
  Result<std::map<std::string, Wanted>> wanted = WantedVariables(desired_);
  if (!wanted.ok()) return Failed(wanted.status());
  if (Status status = SyncVariables(*wanted); !status.ok()) return Failed(status);

  Result<std::string> project_id = EnsureProject();
  if (!project_id.ok()) return Failed(project_id.status());

  sync::Outcome outcome;
  outcome.resources["langflow_project"] = *project_id;
  std::string flow_note;
  if (desired_.langflow_flow_id.empty()) {
    Result<int> removed = DeleteStaleCopies(*project_id, "");
    if (!removed.ok()) return Failed(removed.status());
    flow_note = *removed > 0 ? "flow removed (the template names none)"
                             : "no flow (the template names none)";
  } else {
    Result<FlowSummary> flow = SyncFlow(*project_id);
    if (!flow.ok()) return Failed(flow.status());
    outcome.resources["langflow_flow"] = flow->id;
    flow_note = flow->note;
  }

  int credentials = 0;
  for (const auto& [name, want] : *wanted) credentials += want.credential ? 1 : 0;
  const std::size_t count = wanted->size();
  outcome.kind = sync::OutcomeKind::kApplied;
  outcome.message = "project " + name_ + ", " + flow_note + ", " + std::to_string(count) +
                    (count == 1 ? " variable" : " variables") + " (" + std::to_string(credentials) +
                    (credentials == 1 ? " credential)" : " credentials)");
  return outcome;
}

sync::Outcome Run::Remove() {
  // The flow and project first, so nothing runs with half its variables.
  Result<std::vector<std::string>> projects = FindProjects();
  if (!projects.ok()) return Failed(projects.status());
  int flows_removed = 0;
  int projects_removed = 0;
  for (const std::string& project_id : *projects) {
    const std::string path = std::string(kProjects) + EscapeSegment(project_id);
    // Older Langflow versions leave a deleted project's flows behind: delete them ourselves.
    Result<Reply> project = Send(Method::kGet, path, nullptr, true);
    if (!project.ok()) return Failed(project.status());
    if (project->status == 404) continue;
    const value* flows = Member(project->body, "flows");
    if (flows == nullptr || !flows->is_array()) return Failed(Unexpected(Method::kGet, path));
    for (const value& flow : flows->get_array()) {
      std::optional<std::string> id = StringMember(flow, "id");
      if (!id || id->empty()) return Failed(Unexpected(Method::kGet, path));
      Result<Reply> deleted =
          Send(Method::kDelete, std::string(kFlows) + EscapeSegment(*id), nullptr, true);
      if (!deleted.ok()) return Failed(deleted.status());
      if (deleted->status != 404) ++flows_removed;
    }
    Result<Reply> deleted = Send(Method::kDelete, path, nullptr, true);
    if (!deleted.ok()) return Failed(deleted.status());
    if (deleted->status != 404) ++projects_removed;
  }

  Result<std::map<std::string, ExistingVariable>> variables = ListOurVariables();
  if (!variables.ok()) return Failed(variables.status());
  for (const auto& [name, have] : *variables) {
    if (Status status = DeleteVariable(have.id); !status.ok()) return Failed(status);
  }

  sync::Outcome outcome;
  outcome.kind = sync::OutcomeKind::kApplied;
  if (projects_removed == 0 && flows_removed == 0 && variables->empty()) {
    outcome.message = "nothing left in Langflow for " + name_;
  } else {
    outcome.message = "removed project " + name_ + ", " + std::to_string(flows_removed) +
                      (flows_removed == 1 ? " flow, " : " flows, ") +
                      std::to_string(variables->size()) +
                      (variables->size() == 1 ? " variable" : " variables");
  }
  return outcome;
}

class LangflowTarget final : public sync::Target {
 public:
  LangflowTarget(LangflowOptions options, const outbound::Client& client)
      : options_(std::move(options)), client_(client) {}

  std::string_view Name() const override { return "langflow"; }

  sync::Outcome Apply(const sync::DesiredState& desired) override {
    if (options_.base_url.empty()) {
      sync::Outcome outcome;
      outcome.kind = sync::OutcomeKind::kNotConfigured;
      outcome.message = "Langflow is not configured on this server (no URL)";
      return outcome;
    }
    try {
      Run run(options_, client_, desired);
      return desired.active ? run.Provision() : run.Remove();
    } catch (const std::exception& e) {
      // Boost.JSON throws only on allocation failure here; never let it cross the interface.
      sync::Outcome outcome;
      outcome.kind = sync::OutcomeKind::kRetry;
      outcome.message = std::string("Langflow sync failed inside capconf: ") + e.what();
      return outcome;
    }
  }

 private:
  const LangflowOptions options_;
  const outbound::Client& client_;
};

}  // namespace

std::unique_ptr<sync::Target> MakeLangflowTarget(LangflowOptions options,
                                                 const outbound::Client& client) {
  return std::make_unique<LangflowTarget>(std::move(options), client);
}

std::string ResourceName(std::string_view subscription_id) {
  return "capconf-" + std::string(subscription_id);
}

Result<std::string> VariableName(std::string_view subscription_id, std::string_view json_pointer) {
  CAPCONF_ASSIGN_OR_RETURN(std::string parts, PointerParts(json_pointer));
  std::string out = "CAPCONF_";
  AppendEncoded(out, subscription_id);
  out += parts;
  return out;
}

Result<std::string> TemplateVariableName(std::string_view json_pointer) {
  CAPCONF_ASSIGN_OR_RETURN(std::string parts, PointerParts(json_pointer));
  return "CAPCONF" + parts;
}

std::string VariablePrefix(std::string_view subscription_id) {
  std::string out = "CAPCONF_";
  AppendEncoded(out, subscription_id);
  out += "__";
  return out;
}

}  // namespace capconf::langflow
