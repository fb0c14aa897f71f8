#pragma once
// An in-memory Langflow for the Langflow target's tests, for end-to-end runs of `capconf serve`
// and for the benchmark. It speaks the REST routes the target uses, with the shapes and status
// codes of Langflow's documentation and routers (see capconf/langflow/langflow.h for the list):
//
//   GET/POST /api/v1/projects/    GET/DELETE /api/v1/projects/{id}
//   GET/POST /api/v1/flows/       GET/PUT/PATCH/DELETE /api/v1/flows/{id}
//   GET/POST /api/v1/variables/   PATCH/DELETE /api/v1/variables/{id}
//
// as one user whose key is `api_key` (401 for a missing or wrong x-api-key). Like Langflow, a
// project or flow name the user already has is renamed "name (1)" on create, a variable name the
// user already has is a 400, an empty variable value is a 400, Credential values are never
// read back, flow data must hold "nodes" and "edges", and deleting a project deletes its flows.
// PATCH updates in place (same id; fields left out or null keep their value) and answers 200 with
// the updated object, 404 for an unknown id, 400 for a name another flow or variable of the user
// has (PUT of a flow: 409), and 422 for a variable update without "id" in its body.
// A collection path without its trailing slash is redirected (307), as FastAPI does. A project
// named "My Projects" exists from the start (Langflow's default project); template flows live
// there.
//
// Faults on command, for the next requests whose "METHOD /path" starts with `match` (any request
// when empty), each fault consumed in the order given: an HTTP error status (with Retry-After),
// an error status after the request was carried out (the answer is lost, the change is made), no
// answer at all (the client times out), a 200 that is not JSON; plus latency for every request,
// and going down (connection refused) and coming back on the same port with the same state.
//
// Thread-safe: requests are served concurrently (one thread per connection) and every accessor
// may be called meanwhile; state and counters are guarded by one mutex.

#include <boost/json/value.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "test_http_server.h"

namespace capconf::testing {

struct FakeProject {
  std::string id;
  std::string name;
  std::string description;
};

struct FakeFlow {
  std::string id;
  std::string name;
  std::string description;
  std::string folder_id;  // the project
  boost::json::value data;
  std::string endpoint_name;  // "" when none
};

struct FakeVariable {
  std::string id;
  std::string name;
  std::string type;  // "Generic" or "Credential"
  std::string value;
  std::vector<std::string> default_fields;
};

class FakeLangflow {
 public:
  static constexpr std::string_view kDefaultProjectName = "My Projects";

  // Listens on 127.0.0.1:`port` (0: any free port).
  explicit FakeLangflow(std::string api_key, int port = 0);
  ~FakeLangflow();
  FakeLangflow(const FakeLangflow&) = delete;
  FakeLangflow& operator=(const FakeLangflow&) = delete;

  // "http://127.0.0.1:<port>", what LangflowOptions::base_url takes.
  std::string base_url() const;
  int port() const { return port_; }

  // ---- faults ----
  // The next `count` matching requests get `status` (and Retry-After when given), unanswered
  // by the routes: nothing changes.
  void FailNext(int count, int status, std::optional<int> retry_after_seconds = std::nullopt,
                std::string match = "");
  // The next `count` matching requests are carried out, then answered with `status`.
  void FailNextAfterApplying(int count, int status, std::string match = "");
  // The next `count` matching requests get no answer until the client hangs up.
  void HangNext(int count, std::string match = "");
  // The next `count` matching requests get a 200 whose body is not JSON.
  void GarbleNext(int count, std::string match = "");
  void ClearFaults();
  // Every request waits this long before it is answered.
  void SetLatency(std::chrono::milliseconds latency);
  // Stops listening (connections are refused) / listens again on the same port. State is kept.
  void GoDown();
  void ComeBack();

  // ---- state ----
  // Adds a flow to the default project under the given id (any string, so catalog ids like
  // "customer-support-v1" work), or replaces the name and data of the flow with that id.
  void AddTemplateFlow(std::string id, std::string name, boost::json::value data);
  // Adds a variable as if made in Langflow's settings (another tenant's, the user's own).
  std::string AddVariable(std::string name, std::string type, std::string value);
  std::string default_project_id() const;
  std::vector<FakeProject> projects() const;
  std::vector<FakeFlow> flows() const;
  std::vector<FakeVariable> variables() const;
  std::optional<FakeVariable> variable(std::string_view name) const;

  // ---- requests ----
  // Requests received (faulted ones included) by "METHOD /path" (no query).
  std::map<std::string, int> request_counts() const;
  int requests(std::string_view method_and_path) const;
  // Requests received with a method other than GET.
  int writes() const;
  void ResetCounts();

 private:
  struct State;

  std::shared_ptr<State> state_;
  int port_ = 0;
  mutable std::mutex server_mutex_;  // guards server_ (GoDown/ComeBack)
  std::unique_ptr<TestHttpServer> server_;
  std::unique_ptr<PortReservation> down_;  // while down: the port kept from other processes
};

}  // namespace capconf::testing
