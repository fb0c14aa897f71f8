#pragma once
// Private to the ragflow module: the calls the target makes to Ragflow's HTTP API, with every
// failure already turned into what the sync pipeline needs (kind, words, Retry-After). The
// shapes relied on are listed at the top of capconf/ragflow/ragflow.h.
//
// Thread-safe: an Api holds only its options and a borrowed client.

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "capconf/outbound/client.h"
#include "capconf/ragflow/ragflow.h"
#include "capconf/sync/target.h"

namespace capconf::ragflow::internal {

// Why a step failed, as the Outcome will say it.
struct Failure {
  sync::OutcomeKind kind = sync::OutcomeKind::kPermanent;
  std::string message;
  std::optional<long long> retry_after_seconds;
};

// A value or the Failure that explains why there is none.
template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : data_(std::move(value)) {}            // NOLINT: implicit by design
  Expected(Failure failure) : data_(std::move(failure)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(data_); }
  T& value() { return std::get<T>(data_); }
  const T& value() const { return std::get<T>(data_); }
  const Failure& failure() const { return std::get<Failure>(data_); }

 private:
  std::variant<T, Failure> data_;
};

struct Done {};

struct Dataset {
  std::string id;
  std::string name;
  std::optional<long long> chunk_token_num;
};

struct Document {
  std::string id;
  std::string name;
  std::string run;  // UNSTART, RUNNING, CANCEL, DONE, FAIL ("0".."4" mapped to these)
  double progress = 0;
  std::string progress_message;  // the last line of progress_msg
  long long size = 0;
};

// What Ragflow answered to one call whose transport and HTTP status were fine.
struct Answer {
  long long code = 0;
  std::string message;
  boost::json::value data;
};

class Api {
 public:
  Api(const RagflowOptions& options, const outbound::Client& client);

  // nullopt when no dataset has that name.
  Expected<std::optional<Dataset>> FindDataset(std::string_view name) const;
  // kAlreadyExists-like answers ("... already exists") come back as a Failure whose message
  // contains "already exists"; the caller looks the dataset up again.
  Expected<Dataset> CreateDataset(std::string_view name, long long chunk_token_num) const;
  Expected<Done> SetChunkTokenNum(std::string_view dataset_id, long long chunk_token_num) const;
  // Deletes exactly this dataset: {"ids": [dataset_id]}. An empty id is refused (asserted;
  // kPermanent in release builds, nothing sent). A dataset that is gone already is not an
  // error. One id per call: Ragflow refuses the whole list when one of them is unknown.
  Expected<Done> DeleteDataset(std::string_view dataset_id) const;

  // Every document of the dataset, all pages.
  Expected<std::vector<Document>> ListDocuments(std::string_view dataset_id) const;
  // Uploads one document; Ragflow's record of it (its name may differ: "name(1).ext").
  Expected<Document> UploadDocument(std::string_view dataset_id, std::string_view name,
                                    std::string_view content_type, std::string_view content) const;
  // Deletes exactly these documents; `ids` must not be empty (as DeleteDatasets).
  Expected<Done> DeleteDocuments(std::string_view dataset_id,
                                 const std::vector<std::string>& ids) const;
  // Starts parsing; `ids` must not be empty.
  Expected<Done> StartParsing(std::string_view dataset_id,
                              const std::vector<std::string>& ids) const;

 private:
  // One call: transport, HTTP status and the JSON envelope checked; a non-zero code comes back
  // as an Answer for the caller to judge.
  Expected<Answer> Exchange(outbound::Method method, std::string_view path, std::string_view query,
                            std::string body, std::string_view content_type) const;
  // As Exchange, and a non-zero code is a Failure.
  Expected<boost::json::value> Call(outbound::Method method, std::string_view path,
                                    std::string_view query, std::string body,
                                    std::string_view content_type) const;

  std::string base_url_;
  std::string authorization_;
  const outbound::Client& client_;
};

// The Failure for a non-zero Ragflow code (see ragflow.h for which codes are transient).
Failure CodeFailure(outbound::Method method, std::string_view path, const Answer& answer);

}  // namespace capconf::ragflow::internal
