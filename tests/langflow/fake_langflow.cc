#include "fake_langflow.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/system/error_code.hpp>
#include <cstdio>
#include <deque>
#include <thread>
#include <utility>

namespace capconf::testing {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

constexpr std::string_view kUserId = "00000000-0000-4000-8000-0000000000aa";
constexpr std::string_view kUpdatedAt = "2025-01-01T00:00:00+00:00";

struct Fault {
  enum class Kind { kStatus, kStatusAfterApplying, kHang, kGarble };
  Kind kind = Kind::kStatus;
  int remaining = 0;
  int status = 500;
  std::optional<int> retry_after_seconds;
  std::string match;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

Reply Json(int status, const value& body, Headers headers = {}) {
  headers.emplace_back("Content-Type", "application/json");
  return MakeReply(status, boost::json::serialize(body), headers);
}

Reply Detail(int status, std::string_view detail, Headers headers = {}) {
  return Json(status, value{{"detail", detail}}, std::move(headers));
}

Reply NoContent() { return MakeReply(204); }

// A 422 the way FastAPI words a body it cannot read.
Reply Unprocessable(std::string_view message) {
  return Json(
      422,
      value{{"detail",
             array{value{{"type", "value_error"}, {"loc", array{"body"}}, {"msg", message}}}}});
}

std::optional<std::string> StringField(const object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().get_string());
}

bool HasField(const object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && !it->value().is_null();
}

}  // namespace

struct FakeLangflow::State {
  explicit State(std::string key) : api_key(std::move(key)) {
    default_project = NewId();
    projects.push_back({default_project, std::string(kDefaultProjectName),
                        "Manage your own projects. Download and upload projects."});
  }

  Reply Handle(const ReceivedRequest& request);
  Reply Route(const ReceivedRequest& request, const std::string& path);

  Reply Projects(const std::string& method, const object* body);
  Reply Project(const std::string& method, const std::string& id);
  Reply Flows(const std::string& method, const object* body);
  Reply FlowItem(const std::string& method, const std::string& id, const object* body);
  Reply Variables(const std::string& method, const object* body);
  Reply VariableItem(const std::string& method, const std::string& id, const object* body);

  // All below with `mutex` held.
  std::string NewId() {
    char id[40];
    std::snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012llx",
                  static_cast<unsigned long long>(++next_id));
    return id;
  }
  FakeProject* FindProject(std::string_view id) {
    for (FakeProject& p : projects) {
      if (p.id == id) return &p;
    }
    return nullptr;
  }
  FakeFlow* FindFlow(std::string_view id) {
    for (FakeFlow& f : flows) {
      if (f.id == id) return &f;
    }
    return nullptr;
  }
  // Langflow's create: a taken name gets " (n)", n one more than the highest already used.
  template <typename Items>
  static std::string UniqueName(const Items& items, const std::string& name) {
    bool taken = false;
    int highest = 0;
    for (const auto& item : items) {
      if (item.name == name) taken = true;
      const std::string prefix = name + " (";
      if (item.name.size() > prefix.size() + 1 &&
          item.name.compare(0, prefix.size(), prefix) == 0 && item.name.back() == ')') {
        const std::string digits =
            item.name.substr(prefix.size(), item.name.size() - prefix.size() - 1);
        if (!digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos &&
            digits.size() < 9) {
          highest = std::max(highest, std::stoi(digits));
        }
      }
    }
    if (!taken) return name;
    return name + " (" + std::to_string(highest + 1) + ")";
  }
  value ProjectJson(const FakeProject& p) const {
    return {{"name", p.name}, {"description", p.description}, {"id", p.id}, {"parent_id", nullptr}};
  }
  value FlowJson(const FakeFlow& f) const {
    value endpoint = f.endpoint_name.empty() ? value(nullptr) : value(f.endpoint_name);
    return {{"name", f.name},
            {"description", f.description},
            {"icon", nullptr},
            {"icon_bg_color", nullptr},
            {"gradient", nullptr},
            {"data", f.data},
            {"is_component", false},
            {"updated_at", kUpdatedAt},
            {"webhook", false},
            {"endpoint_name", endpoint},
            {"tags", array()},
            {"locked", false},
            {"id", f.id},
            {"user_id", kUserId},
            {"folder_id", f.folder_id}};
  }
  value VariableJson(const FakeVariable& v) const {
    array fields;
    for (const std::string& field : v.default_fields) fields.emplace_back(field);
    // Langflow never reads a Credential back.
    value shown = v.type == "Credential" ? value(nullptr) : value(v.value);
    return {{"id", v.id},
            {"name", v.name},
            {"type", v.type},
            {"value", shown},
            {"default_fields", fields}};
  }
  // Langflow's FlowBase validation of `data`; "" when acceptable.
  static std::string CheckFlowData(const value& data) {
    if (data.is_null()) return "";
    const object* o = data.if_object();
    if (o == nullptr) return "Flow must be a valid JSON";
    if (o->empty()) return "";
    if (!o->contains("nodes")) return "Flow must have nodes";
    if (!o->contains("edges")) return "Flow must have edges";
    return "";
  }
  std::string UniqueEndpoint(const std::string& endpoint, std::string_view except_id) const {
    if (endpoint.empty()) return endpoint;
    auto taken = [&](const std::string& candidate) {
      for (const FakeFlow& f : flows) {
        if (f.id != except_id && f.endpoint_name == candidate) return true;
      }
      return false;
    };
    if (!taken(endpoint)) return endpoint;
    for (int n = 1;; ++n) {
      const std::string candidate = endpoint + "-" + std::to_string(n);
      if (!taken(candidate)) return candidate;
    }
  }

  const std::string api_key;
  mutable std::mutex mutex;
  unsigned long long next_id = 0;
  std::string default_project;
  std::vector<FakeProject> projects;
  std::vector<FakeFlow> flows;
  std::vector<FakeVariable> variables;
  std::deque<Fault> faults;
  std::chrono::milliseconds latency{0};
  std::map<std::string, int> counts;
  int writes = 0;
};

Reply FakeLangflow::State::Handle(const ReceivedRequest& request) {
  const std::size_t query = request.target.find('?');
  const std::string path = request.target.substr(0, query);
  const std::string key = request.method + " " + path;
  std::optional<Fault> fault;
  std::chrono::milliseconds wait{0};
  {
    std::lock_guard lock(mutex);
    ++counts[key];
    if (request.method != "GET") ++writes;
    wait = latency;
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (key.compare(0, it->match.size(), it->match) != 0) continue;
      fault = *it;
      if (--it->remaining <= 0) faults.erase(it);
      break;
    }
  }
  if (wait.count() > 0) std::this_thread::sleep_for(wait);
  if (fault) {
    switch (fault->kind) {
      case Fault::Kind::kHang:
        return Reply{"", true};
      case Fault::Kind::kGarble:
        return MakeReply(200, "<html>Bad gateway, but cheerful</html>",
                         {{"Content-Type", "text/html"}});
      case Fault::Kind::kStatus: {
        Headers headers;
        if (fault->retry_after_seconds) {
          headers.emplace_back("Retry-After", std::to_string(*fault->retry_after_seconds));
        }
        return Detail(fault->status, "injected failure", std::move(headers));
      }
      case Fault::Kind::kStatusAfterApplying:
        static_cast<void>(Route(request, path));
        return Detail(fault->status, "injected failure after applying");
    }
  }
  return Route(request, path);
}

Reply FakeLangflow::State::Route(const ReceivedRequest& request, const std::string& path) {
  if (request.Header("x-api-key") != api_key) {
    return Detail(401, "Invalid or missing API key");
  }
  // FastAPI redirects a collection path without its slash (and an item path with one).
  for (std::string_view collection : {"/api/v1/projects", "/api/v1/flows", "/api/v1/variables"}) {
    if (path == collection) {
      std::string location = std::string(collection) + "/";
      const std::size_t query = request.target.find('?');
      if (query != std::string::npos) location += request.target.substr(query);
      return MakeReply(307, "", {{"Location", location}});
    }
  }

  std::optional<value> parsed;
  const object* body = nullptr;
  if (request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    boost::system::error_code ec;
    parsed = boost::json::parse(request.body, ec);
    if (ec || !parsed->is_object()) return Unprocessable("JSON object expected");
    body = &parsed->get_object();
  }

  static constexpr std::pair<std::string_view, int> kRoutes[] = {
      {"/api/v1/projects/", 0}, {"/api/v1/flows/", 1}, {"/api/v1/variables/", 2}};
  for (const auto& [prefix, kind] : kRoutes) {
    if (path.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = path.substr(prefix.size());
    if (!rest.empty() && rest.find('/') == rest.size() - 1) {
      return MakeReply(307, "", {{"Location", path.substr(0, path.size() - 1)}});
    }
    if (rest.find('/') != std::string::npos) return Detail(404, "Not Found");
    std::lock_guard lock(mutex);
    switch (kind) {
      case 0:
        return rest.empty() ? Projects(request.method, body) : Project(request.method, rest);
      case 1:
        return rest.empty() ? Flows(request.method, body) : FlowItem(request.method, rest, body);
      default:
        return rest.empty() ? Variables(request.method, body)
                            : VariableItem(request.method, rest, body);
    }
  }
  return Detail(404, "Not Found");
}

Reply FakeLangflow::State::Projects(const std::string& method, const object* body) {
  if (method == "GET") {
    array list;
    for (const FakeProject& p : projects) list.push_back(ProjectJson(p));
    return Json(200, list);
  }
  if (method != "POST") return Detail(405, "Method Not Allowed");
  const std::optional<std::string> name = StringField(*body, "name");
  if (!name) return Unprocessable("name: Field required");
  FakeProject project{NewId(), UniqueName(projects, *name),
                      StringField(*body, "description").value_or("")};
  // flows_list and components_list move the named flows into the new project.
  for (std::string_view list : {"flows_list", "components_list"}) {
    auto it = body->find(list);
    if (it == body->end() || !it->value().is_array()) continue;
    for (const value& id : it->value().get_array()) {
      if (!id.is_string()) continue;
      if (FakeFlow* flow = FindFlow(id.get_string())) flow->folder_id = project.id;
    }
  }
  projects.push_back(project);
  return Json(201, ProjectJson(project));
}

Reply FakeLangflow::State::Project(const std::string& method, const std::string& id) {
  FakeProject* project = FindProject(id);
  if (method == "GET") {
    if (project == nullptr) return Detail(404, "Project not found");
    value out = ProjectJson(*project);
    array list;
    for (const FakeFlow& f : flows) {
      if (f.folder_id == id) list.push_back(FlowJson(f));
    }
    out.get_object()["flows"] = std::move(list);
    return Json(200, out);
  }
  if (method == "DELETE") {
    if (project == nullptr) return Detail(404, "Project not found");
    std::erase_if(flows, [&](const FakeFlow& f) { return f.folder_id == id; });
    std::erase_if(projects, [&](const FakeProject& p) { return p.id == id; });
    return NoContent();
  }
  return Detail(405, "Method Not Allowed");
}

Reply FakeLangflow::State::Flows(const std::string& method, const object* body) {
  if (method == "GET") {
    array list;
    for (const FakeFlow& f : flows) list.push_back(FlowJson(f));
    return Json(200, list);
  }
  if (method != "POST") return Detail(405, "Method Not Allowed");
  const std::optional<std::string> name = StringField(*body, "name");
  if (!name) return Unprocessable("name: Field required");
  auto data = body->find("data");
  FakeFlow flow;
  flow.data = data == body->end() ? value() : data->value();
  if (std::string problem = CheckFlowData(flow.data); !problem.empty()) {
    return Unprocessable(problem);
  }
  flow.id = NewId();
  flow.name = UniqueName(flows, *name);
  flow.description = StringField(*body, "description").value_or("");
  flow.endpoint_name = UniqueEndpoint(StringField(*body, "endpoint_name").value_or(""), "");
  // Langflow falls back to the default project for a missing or unknown folder_id.
  const std::optional<std::string> folder = StringField(*body, "folder_id");
  flow.folder_id = folder && FindProject(*folder) != nullptr ? *folder : default_project;
  flows.push_back(flow);
  return Json(201, FlowJson(flow));
}

Reply FakeLangflow::State::FlowItem(const std::string& method, const std::string& id,
                                    const object* body) {
  FakeFlow* flow = FindFlow(id);
  if (method == "GET") {
    if (flow == nullptr) return Detail(404, "Flow not found");
    return Json(200, FlowJson(*flow));
  }
  if (method == "DELETE") {
    if (flow == nullptr) return Detail(404, "Flow not found");
    std::erase_if(flows, [&](const FakeFlow& f) { return f.id == id; });
    return Json(200, value{{"message", "Flow deleted successfully"}});
  }
  if (method != "PUT" && method != "PATCH") return Detail(405, "Method Not Allowed");
  if (flow == nullptr && method == "PATCH") return Detail(404, "Flow not found");
  auto data = body->find("data");
  if (data != body->end()) {
    if (std::string problem = CheckFlowData(data->value()); !problem.empty()) {
      return Unprocessable(problem);
    }
  }
  const std::optional<std::string> name = StringField(*body, "name");
  const std::optional<std::string> folder = StringField(*body, "folder_id");
  if (folder && FindProject(*folder) == nullptr) return Detail(400, "Invalid folder_id");
  // flows.py maps a unique-constraint violation to 400 in update_flow (PATCH), 409 in upsert_flow.
  const int conflict = method == "PATCH" ? 400 : 409;
  if (name) {
    for (const FakeFlow& f : flows) {
      if (f.id != id && f.name == *name) return Detail(conflict, "Name must be unique");
    }
  }
  const std::optional<std::string> endpoint = StringField(*body, "endpoint_name");
  if (endpoint) {
    for (const FakeFlow& f : flows) {
      if (f.id != id && f.endpoint_name == *endpoint) {
        return Detail(conflict, "Endpoint name must be unique");
      }
    }
  }
  if (flow == nullptr) {  // PUT of an unknown id creates the flow with that id
    if (!name) return Unprocessable("name: Field required");
    FakeFlow created;
    created.id = id;
    created.name = *name;
    created.description = StringField(*body, "description").value_or("");
    created.data = data == body->end() ? value() : data->value();
    created.folder_id = folder ? *folder : default_project;
    created.endpoint_name = endpoint.value_or("");
    flows.push_back(created);
    return Json(201, FlowJson(created));
  }
  // Fields left out (or null) keep their value, as Langflow's exclude_none update does.
  if (name) flow->name = *name;
  if (HasField(*body, "description")) {
    flow->description = StringField(*body, "description").value_or("");
  }
  if (data != body->end() && !data->value().is_null()) flow->data = data->value();
  if (folder) flow->folder_id = *folder;
  if (endpoint) flow->endpoint_name = *endpoint;
  return Json(200, FlowJson(*flow));
}

Reply FakeLangflow::State::Variables(const std::string& method, const object* body) {
  if (method == "GET") {
    array list;
    for (const FakeVariable& v : variables) {
      // Langflow hides its internal variables ("__name__").
      if (v.name.size() >= 4 && v.name.compare(0, 2, "__") == 0 &&
          v.name.compare(v.name.size() - 2, 2, "__") == 0) {
        continue;
      }
      list.push_back(VariableJson(v));
    }
    return Json(200, list);
  }
  if (method != "POST") return Detail(405, "Method Not Allowed");
  const std::string name = StringField(*body, "name").value_or("");
  const std::string text = StringField(*body, "value").value_or("");
  if (name.empty() && text.empty()) return Detail(400, "Variable name and value cannot be empty");
  if (name.empty()) return Detail(400, "Variable name cannot be empty");
  if (text.empty()) return Detail(400, "Variable value cannot be empty");
  for (const FakeVariable& v : variables) {
    if (v.name == name) return Detail(400, "Variable name already exists");
  }
  FakeVariable variable{NewId(), name, StringField(*body, "type").value_or("Credential"), text, {}};
  auto fields = body->find("default_fields");
  if (fields != body->end() && fields->value().is_array()) {
    for (const value& field : fields->value().get_array()) {
      if (field.is_string()) variable.default_fields.emplace_back(field.get_string());
    }
  }
  variables.push_back(variable);
  return Json(201, VariableJson(variable));
}

Reply FakeLangflow::State::VariableItem(const std::string& method, const std::string& id,
                                        const object* body) {
  auto it = std::find_if(variables.begin(), variables.end(),
                         [&](const FakeVariable& v) { return v.id == id; });
  if (method == "DELETE") {
    // Langflow's router turns every failure of a delete, a missing variable included, into 500.
    if (it == variables.end()) return Detail(500, "Variable not found");
    variables.erase(it);
    return NoContent();
  }
  if (method != "PATCH") return Detail(405, "Method Not Allowed");
  // VariableUpdate requires the id in the body too (the path's is the one used).
  if (!StringField(*body, "id")) return Unprocessable("id: Field required");
  if (it == variables.end()) return Detail(404, "Variable not found");
  const std::optional<std::string> name = StringField(*body, "name");
  if (name) {
    for (const FakeVariable& v : variables) {
      if (v.id != id && v.name == *name) return Detail(400, "Variable name already exists");
    }
  }
  // Fields left out (or null) keep their value; the id, and so the variable, stays.
  if (name) it->name = *name;
  if (std::optional<std::string> text = StringField(*body, "value")) it->value = *text;
  if (std::optional<std::string> type = StringField(*body, "type")) it->type = *type;
  auto fields = body->find("default_fields");
  if (fields != body->end() && fields->value().is_array()) {
    it->default_fields.clear();
    for (const value& field : fields->value().get_array()) {
      if (field.is_string()) it->default_fields.emplace_back(field.get_string());
    }
  }
  return Json(200, VariableJson(*it));
}

// ---- FakeLangflow ----

FakeLangflow::FakeLangflow(std::string api_key, int port)
    : state_(std::make_shared<State>(std::move(api_key))) {
  std::shared_ptr<State> state = state_;
  server_ = std::make_unique<TestHttpServer>(
      [state](const ReceivedRequest& request) { return state->Handle(request); }, port);
  server_->set_recording(false);  // State keeps counts; the bodies would only grow
  port_ = server_->port();
}

FakeLangflow::~FakeLangflow() {
  std::lock_guard lock(server_mutex_);
  server_.reset();
}

std::string FakeLangflow::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FakeLangflow::FailNext(int count, int status, std::optional<int> retry_after_seconds,
                            std::string match) {
  std::lock_guard lock(state_->mutex);
  state_->faults.push_back(
      {Fault::Kind::kStatus, count, status, retry_after_seconds, std::move(match)});
}

void FakeLangflow::FailNextAfterApplying(int count, int status, std::string match) {
  std::lock_guard lock(state_->mutex);
  state_->faults.push_back(
      {Fault::Kind::kStatusAfterApplying, count, status, std::nullopt, std::move(match)});
}

void FakeLangflow::HangNext(int count, std::string match) {
  std::lock_guard lock(state_->mutex);
  state_->faults.push_back({Fault::Kind::kHang, count, 0, std::nullopt, std::move(match)});
}

void FakeLangflow::GarbleNext(int count, std::string match) {
  std::lock_guard lock(state_->mutex);
  state_->faults.push_back({Fault::Kind::kGarble, count, 200, std::nullopt, std::move(match)});
}

void FakeLangflow::ClearFaults() {
  std::lock_guard lock(state_->mutex);
  state_->faults.clear();
}

void FakeLangflow::SetLatency(std::chrono::milliseconds latency) {
  std::lock_guard lock(state_->mutex);
  state_->latency = latency;
}

void FakeLangflow::GoDown() {
  std::lock_guard lock(server_mutex_);
  if (!server_) return;
  server_.reset();
  down_ = std::make_unique<PortReservation>(port_);
}

void FakeLangflow::ComeBack() {
  std::lock_guard lock(server_mutex_);
  if (server_) return;
  down_.reset();
  std::shared_ptr<State> state = state_;
  server_ = std::make_unique<TestHttpServer>(
      [state](const ReceivedRequest& request) { return state->Handle(request); }, port_);
  server_->set_recording(false);
}

void FakeLangflow::AddTemplateFlow(std::string id, std::string name, value data) {
  std::lock_guard lock(state_->mutex);
  if (FakeFlow* flow = state_->FindFlow(id)) {
    flow->name = std::move(name);
    flow->data = std::move(data);
    return;
  }
  FakeFlow flow;
  flow.id = std::move(id);
  flow.name = std::move(name);
  flow.data = std::move(data);
  flow.folder_id = state_->default_project;
  state_->flows.push_back(std::move(flow));
}

std::string FakeLangflow::AddVariable(std::string name, std::string type, std::string value) {
  std::lock_guard lock(state_->mutex);
  FakeVariable variable{state_->NewId(), std::move(name), std::move(type), std::move(value), {}};
  state_->variables.push_back(variable);
  return variable.id;
}

std::string FakeLangflow::default_project_id() const {
  std::lock_guard lock(state_->mutex);
  return state_->default_project;
}

std::vector<FakeProject> FakeLangflow::projects() const {
  std::lock_guard lock(state_->mutex);
  return state_->projects;
}

std::vector<FakeFlow> FakeLangflow::flows() const {
  std::lock_guard lock(state_->mutex);
  return state_->flows;
}

std::vector<FakeVariable> FakeLangflow::variables() const {
  std::lock_guard lock(state_->mutex);
  return state_->variables;
}

std::optional<FakeVariable> FakeLangflow::variable(std::string_view name) const {
  std::lock_guard lock(state_->mutex);
  for (const FakeVariable& v : state_->variables) {
    if (v.name == name) return v;
  }
  return std::nullopt;
}

std::map<std::string, int> FakeLangflow::request_counts() const {
  std::lock_guard lock(state_->mutex);
  return state_->counts;
}

int FakeLangflow::requests(std::string_view method_and_path) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->counts.find(std::string(method_and_path));
  return it == state_->counts.end() ? 0 : it->second;
}

int FakeLangflow::writes() const {
  std::lock_guard lock(state_->mutex);
  return state_->writes;
}

void FakeLangflow::ResetCounts() {
  std::lock_guard lock(state_->mutex);
  state_->counts.clear();
  state_->writes = 0;
}

}  // namespace capconf::testing
