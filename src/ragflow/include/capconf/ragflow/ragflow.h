#pragma once
// The Ragflow sync target (issue 6): keeps one Ragflow dataset per subscription whose `rag`
// capability is on, holding one document per uploaded file and per crawled web page that the
// subscription's knowledge-base sources name, and reports how far Ragflow has parsed them.
//
// ---------------------------------------------------------------------------------------------
// What of Ragflow's HTTP API this relies on. Source: Ragflow's HTTP API reference
// (infiniflow/ragflow docs/references/http_api_reference.md, "DATASET MANAGEMENT" and "FILE
// MANAGEMENT WITHIN DATASET") and, where the reference is vague, its handlers
// (api/apps/sdk/dataset.py, api/apps/sdk/doc.py) and api/constants.py. Every call carries
// `Authorization: Bearer <api key>`; every answer is `{"code": 0, "data": ...}` or
// `{"code": <non-zero>, "message": "..."}`, usually with HTTP 200.
//   GET    /api/v1/datasets?name=<name>&page=1&page_size=30
//            data: [{id, name, chunk_method, parser_config: {chunk_token_num, ...}, ...}].
//            A name that matches nothing is an error, not an empty list: code 102 "You don't
//            own the dataset <name>" (older) or code 108 "User '…' lacks permission for
//            dataset '<name>'" (newer). Both are read as "not found" (only with the name in the
//            message). Names are unique per tenant and case-insensitive, max 128 characters.
//   POST   /api/v1/datasets  {name, chunk_method, parser_config: {chunk_token_num}}
//            data: the dataset, with its id. A taken name: code 101 "... already exists".
//   PUT    /api/v1/datasets/{id}  {parser_config: {chunk_token_num}}  (merged into the stored
//            parser_config by the server).
//   DELETE /api/v1/datasets  {ids: [...]}. DANGER: ids null or missing deletes EVERY dataset
//            of the tenant (and an empty list does too in the handler, whatever the reference
//            says). Unknown ids: code 108 "... lacks permission for datasets ...".
//   POST   /api/v1/datasets/{id}/documents  multipart/form-data, field `file`; the part's
//            filename becomes the document's name (a taken name is renamed "name(1).ext");
//            names are at most 255 bytes and the extension decides whether the type is
//            accepted. data: [{id, name, run: "UNSTART", size, ...}].
//   GET    /api/v1/datasets/{id}/documents?page=&page_size=&orderby=create_time&desc=false
//            data: {docs: [{id, name, size, run, progress, progress_msg, ...}], total}; `run`
//            is UNSTART, RUNNING, CANCEL, DONE or FAIL (some versions send "0".."4").
//   DELETE /api/v1/datasets/{id}/documents  {ids: [...]}. DANGER: without ids, every document
//            of the dataset goes. Ids that are gone already: code 102 "Documents not found:
//            [...]" after the others were deleted, read here as success.
//   POST   /api/v1/datasets/{id}/chunks  {document_ids: [...]}: starts parsing.
// So this target never sends a delete whose id list could be null, missing or empty: the one
// function that sends each delete refuses an empty list (an assert, and a kPermanent outcome
// in release builds) before anything is sent.
//
// Ragflow codes: 100 (exception), 105 (connection), 106 (running) and >= 500 are transient
// (kRetry); 109 (authentication), 401 and 403 are "Ragflow refused the API key" (kPermanent);
// every other non-zero code is kPermanent with Ragflow's message.
// HTTP: transport failures (Status kUnavailable, kDeadlineExceeded), 5xx, 408 and 429 are
// kRetry with Retry-After; 401/403 "Ragflow refused the API key"; other statuses kPermanent.
// Messages name the method and path, never the API key or a secret (both are also scrubbed
// from anything Ragflow echoes back).
// ---------------------------------------------------------------------------------------------
//
// Names (deterministic, so every step can be repeated after a crash without duplicates):
//   dataset   "capconf-<subscription_id>"
//   file      "f-<file key>-<filename>": the file key is the file id when it is 1-64 of
//             [A-Za-z0-9_], else "h" + 16 hex of its SHA-256. The filename (the stored file's,
//             else the source's, else "file") loses outer white space, has control characters,
//             quotes, slashes, backslashes, ill-formed UTF-8 and characters outside the Basic
//             Multilingual Plane replaced by '_', and is shortened (keeping its extension, never
//             inside a character) so that the name stays within 200 bytes. Files are
//             content-addressed (a file id never changes content), so a file's document is any
//             document named "f-<file key>-…": it is uploaded once, and extra copies (a renamed
//             duplicate) are deleted.
//   web page  "u-<12 hex of SHA-256(source url)>-<12 hex of SHA-256(page url)>-<12 hex of
//             SHA-256(body)>.<ext>", ext from the page's content type (html for text/html and
//             XHTML, pdf, txt, md, csv, json); other types are skipped and reported. The content
//             hash in the name makes a changed page a new document: the new one is uploaded
//             before the old one ("u-<src>-<page>-" with another hash) is deleted.
//   Documents whose names have either shape are this target's; it never touches others (for
//   example ones added by hand in Ragflow's UI).
//
// Crawling: a URL source is crawled (crawl::Crawler) when Apply needs its pages. While a
// revision is being worked on (kInProgress, kRetry) the page names found are remembered in
// this process, and a later Apply for the same revision reuses them as long as all those
// documents are in the dataset, so a page that changes on every fetch (a date, a nonce) does
// not restart parsing on each poll. After kApplied, or for a new revision, sources are crawled
// again: that is how a refresh picks up changed pages. A crawl that fails keeps the source's
// existing documents; kUnavailable/kDeadlineExceeded make the outcome kRetry (after the rest
// was done), other failures are reported in the message.
//
// Chunking: the dataset is created with chunk_method "naive" and parser_config.chunk_token_num
// = rag.chunk_size (default 512, always sent: Ragflow's code and docs disagree on the default)
// and updated when rag.chunk_size changes. Ragflow copies the parser config into each document
// when it is uploaded, so documents already parsed keep their chunk size. rag.chunk_overlap is
// NOT sent: the dataset API documents no chunk-overlap field (the chunker's internal
// `overlapped_percent` is a percentage used by ingestion pipelines, not a token count, and not
// part of the documented parser_config), so the setting has no effect on Ragflow in this
// version. rag.sync_frequency is the sync pipeline's business (when to call
// Apply), not this target's.
//
// Parsing: documents in state UNSTART are started; CANCEL and FAIL are not restarted (that
// would loop): a failed document is named in the message of an otherwise kApplied outcome
// ("1 document failed to parse: …"), so one bad document never blocks the others or keeps the
// subscription in progress. While any of the documents is UNSTART or RUNNING the outcome is
// kInProgress, with progress "3 of 5 documents parsed". A single upload that Ragflow refuses
// with a non-transient code (an unsupported type, say) is reported the same way, and tried
// again on the next call. Ragflow refusing to start parsing because a document is being
// processed already or was deleted meanwhile (code 102) is kRetry: the next call sees why.
//
// Notion and Confluence sources are not synced in this version (the schema has no field for
// the buyer's token); they are counted in the message. A file source whose file is not in
// DesiredState::files is reported; its existing document, if any, is kept.
//
// rag off or subscription cancelled: the dataset (found by name) is deleted by its id; a
// dataset that is gone already is fine. kApplied with no resources.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "capconf/crawl/crawler.h"
#include "capconf/outbound/client.h"
#include "capconf/sync/target.h"

namespace capconf::ragflow {

struct RagflowOptions {
  // "http://ragflow:9380" (a trailing '/' is ignored); empty = Ragflow is not configured on
  // this server, and Apply answers kNotConfigured.
  std::string base_url;
  std::string api_key;
};

// The target. `client` (in production a GuardedClient for an operator endpoint) and `crawler`
// are borrowed and must outlive it. Thread-safe: Apply may run on several threads at once for
// different subscriptions; it never throws.
std::unique_ptr<sync::Target> MakeRagflowTarget(RagflowOptions options,
                                                const outbound::Client& client,
                                                const crawl::Crawler& crawler);

// The names described above, for tests and for tools that look at Ragflow.
std::string DatasetName(std::string_view subscription_id);
std::string FileDocumentName(std::string_view file_id, std::string_view filename);
// The prefix every document of that file has: "f-<file key>-".
std::string FileDocumentPrefix(std::string_view file_id);
// nullopt when the content type is not one Ragflow is given (see above).
std::optional<std::string> PageDocumentName(std::string_view source_url, std::string_view page_url,
                                            std::string_view content_type, std::string_view body);
// "u-<source hash>-": the prefix of every page document of that source.
std::string PageDocumentSourcePrefix(std::string_view source_url);

}  // namespace capconf::ragflow
