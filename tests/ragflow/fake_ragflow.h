#pragma once
// An in-memory Ragflow for tests, end-to-end runs and benchmarks: the routes of Ragflow's HTTP
// API that capconf uses, with the documented shapes (see the top of
// src/ragflow/include/capconf/ragflow/ragflow.h), served over loopback by TestHttpServer.
//
// Like the real thing:
//   - every call needs `Authorization: Bearer <api key>`; without it the answer is HTTP 200
//     with code 109;
//   - failures are HTTP 200 with a non-zero `code` and a `message`;
//   - looking a dataset up by a name that matches nothing is code 108 "... lacks permission
//     for dataset '<name>'"; dataset names are unique, case-insensitively;
//   - DELETE /api/v1/datasets with `ids` null, missing or empty deletes EVERY dataset, and
//     DELETE .../documents with `ids` null, missing or empty deletes every document of the
//     dataset (older Ragflow; DeletedEverything() records that it happened);
//   - an upload whose filename is taken is renamed "name(1).ext";
//   - parse start moves documents to RUNNING; they become DONE (or FAIL, for names given to
//     FailParseOf) after a configurable number of document-list calls on their dataset, or
//     after a configurable time.
// Failure modes, each for the next N requests (optionally only those of one route, optionally
// after letting some through): an HTTP status with Retry-After, HTTP 200 with an error code, no
// answer at all, the request applied but its answer lost; latency; down and back up on the same
// port (connection refused in between).
//
// Routes are named "METHOD pattern" with ids replaced by {id}: "GET /api/v1/datasets",
// "POST /api/v1/datasets/{id}/documents", "DELETE /api/v1/datasets/{id}/documents", ...
//
// Thread-safe: requests are served on many threads at once; every accessor may be called
// meanwhile. State is guarded by one mutex, held only while a request is applied.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "test_http_server.h"

namespace capconf::testing {

class FakeRagflow {
 public:
  struct DatasetInfo {
    std::string id;
    std::string name;
    std::string chunk_method;
    std::optional<long long> chunk_token_num;  // as stored in parser_config
  };
  struct DocumentInfo {
    std::string id;
    std::string name;
    std::size_t size = 0;
    std::string run;  // UNSTART, RUNNING, CANCEL, DONE, FAIL
    double progress = 0;
    std::string content_type;  // the part's Content-Type
    std::string content;
    int parse_starts = 0;  // how many times parsing was started
  };
  struct LoggedRequest {
    std::string method;
    std::string target;  // path and query
    std::string route;   // "METHOD pattern"
    std::string body;    // JSON bodies only ("" for multipart)
    std::string authorization;
  };

  // Listens on 127.0.0.1:`port` (0: any free port).
  explicit FakeRagflow(std::string api_key = "ragflow-test-key", int port = 0);
  ~FakeRagflow();
  FakeRagflow(const FakeRagflow&) = delete;
  FakeRagflow& operator=(const FakeRagflow&) = delete;

  // "http://127.0.0.1:<port>"
  std::string Url() const;
  int port() const { return port_; }
  const std::string& api_key() const { return api_key_; }

  // ---- Failure modes. `route` empty: any request; else only requests of that route.
  // `after`: that many matching requests are let through first.
  void FailNext(int count, int status, std::optional<int> retry_after_seconds = std::nullopt,
                std::string route = "", int after = 0);
  void FailNextWithCode(int count, int ragflow_code, std::string message, std::string route = "",
                        int after = 0);
  // No answer until the client gives up.
  void HangNext(int count, std::string route = "", int after = 0);
  // The request takes effect, then the answer is lost (HTTP 502): a crash between Ragflow doing
  // the work and the caller hearing about it.
  void LoseReplyNext(int count, std::string route = "", int after = 0);
  void SetLatency(std::chrono::milliseconds latency);
  // Stops listening (connections refused) / listens again on the same port, state intact.
  void GoDown();
  void ComeBack();

  // ---- Parsing.
  // A document whose parsing started becomes DONE on the `calls`-th list of its dataset's
  // documents after that (default 1: the next list shows it DONE). 0 = DONE at once.
  void SetParseListCalls(int calls);
  // When set, a document also becomes DONE once this much time has passed since its start.
  void SetParseDuration(std::optional<std::chrono::milliseconds> duration);
  // Parsing of documents of this name ends in FAIL with `message` as its progress_msg.
  void FailParseOf(std::string document_name, std::string message = "parse error");
  // The most documents one list page holds, whatever page_size asks (0 = no limit).
  void SetMaxPageSize(int max);

  // ---- Seeding.
  std::string AddDataset(std::string name, long long chunk_token_num = 128);
  std::string AddDocument(const std::string& dataset_id, std::string name, std::string content,
                          std::string run = "DONE");

  // ---- Inspection.
  std::vector<DatasetInfo> Datasets() const;
  std::optional<DatasetInfo> DatasetByName(std::string_view name) const;
  // In upload order; empty for an unknown dataset.
  std::vector<DocumentInfo> Documents(std::string_view dataset_id) const;
  std::vector<std::string> DocumentNames(std::string_view dataset_id) const;
  // Requests received (failed and hung ones included) of one route, and by route.
  int RequestCount(std::string_view route) const;
  std::map<std::string, int> RequestCounts() const;
  int TotalRequests() const;
  // Requests other than GET.
  int WriteRequests() const;
  std::vector<LoggedRequest> Log() const;
  // Whether a delete with ids null, missing or empty ever arrived (and so deleted everything).
  bool DeletedEverything() const;
  void set_log_requests(bool on);

 private:
  struct Dataset {
    DatasetInfo info;
    std::string parser_config_json;  // the stored parser_config (other keys kept as sent)
    std::int64_t created = 0;
    std::vector<std::string> document_order;
  };
  struct Document {
    DocumentInfo info;
    std::string dataset_id;
    std::int64_t created = 0;
    int list_calls_left = 0;
    std::chrono::steady_clock::time_point started;
    std::string progress_msg;
  };
  enum class FailKind { kStatus, kCode, kHang, kLoseReply };
  struct FailRule {
    FailKind kind;
    std::string route;
    int after = 0;
    int count = 0;
    int status = 0;
    std::optional<int> retry_after;
    int code = 0;
    std::string message;
  };

  Reply Handle(const ReceivedRequest& request);
  // With mutex_ held. The JSON answer (HTTP 200) of the request, applied to the state.
  std::string Apply(const std::string& method, const std::string& path,
                    const std::map<std::string, std::string>& query,
                    const ReceivedRequest& request);
  std::string CreateDataset(const ReceivedRequest& request);
  std::string ListDatasets(const std::map<std::string, std::string>& query);
  std::string UpdateDataset(const std::string& id, const ReceivedRequest& request);
  std::string DeleteDatasets(const ReceivedRequest& request);
  std::string UploadDocuments(const std::string& dataset_id, const ReceivedRequest& request);
  std::string ListDocuments(const std::string& dataset_id,
                            const std::map<std::string, std::string>& query);
  std::string DeleteDocuments(const std::string& dataset_id, const ReceivedRequest& request);
  std::string StartParsing(const std::string& dataset_id, const ReceivedRequest& request);
  void AdvanceParsing(Dataset& dataset, bool list_call);
  void RemoveDocument(const std::string& id);
  std::string NewId();
  std::string UniqueDocumentName(const Dataset& dataset, const std::string& name) const;
  void AddRule(FailRule rule);

  const std::string api_key_;
  int port_ = 0;
  std::unique_ptr<TestHttpServer> server_;
  std::unique_ptr<PortReservation> down_;  // while down: the port kept from other processes
  std::mutex server_mutex_;                // guards server_ (GoDown/ComeBack)

  mutable std::mutex mutex_;
  std::map<std::string, Dataset> datasets_;    // by id
  std::map<std::string, Document> documents_;  // by id
  std::vector<FailRule> rules_;
  std::chrono::milliseconds latency_{0};
  int parse_list_calls_ = 1;
  std::optional<std::chrono::milliseconds> parse_duration_;
  std::map<std::string, std::string> fail_parse_;  // document name → message
  int max_page_size_ = 0;
  std::map<std::string, int> counts_;
  int total_ = 0;
  int writes_ = 0;
  bool log_requests_ = true;
  std::vector<LoggedRequest> log_;
  bool deleted_everything_ = false;
  std::uint64_t next_id_ = 1;
  std::int64_t clock_ = 0;  // creation order
};

// Parses a multipart/form-data body (for the fake and for tests of the builder). Each part's
// form field name, filename (as written, %22 %0D %0A decoded), Content-Type and bytes; nullopt
// when the body is not well formed for `content_type`'s boundary.
struct MultipartPart {
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;
  std::string content;
};
std::optional<std::vector<MultipartPart>> ParseMultipart(std::string_view content_type,
                                                         std::string_view body);

}  // namespace capconf::testing
