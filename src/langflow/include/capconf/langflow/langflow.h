#pragma once
// The Langflow sync target (issue 6): what one subscription looks like in Langflow, made and kept
// so by Apply, and removed once the subscription is cancelled.
//
// For subscription S (see spec-notes.md, "Langflow": Langflow has no workspace variables):
//   - a project named "capconf-S" (Langflow's projects were called folders before 1.2);
//   - in it, a copy of the template's flow (DesiredState::langflow_flow_id) named "capconf-S";
//   - one Langflow variable per configuration leaf (type Generic) and per secret (type
//     Credential), named by VariableName below so that subscriptions never collide: Langflow
//     variables belong to the API key's user and names are unique per user, not per project.
//
// What of Langflow's REST API this relies on. Sources: docs.langflow.org "Projects endpoints"
// (/api-projects), "Flow management endpoints" (/api-flows), "Global variables"
// (/configuration-global-variables), and where the docs say nothing, the routers in
// langflow-ai/langflow src/backend/base/langflow/api/v1/{projects,flows,variable}.py:
//   every call   header `x-api-key: <key>`; 401 or 403 when the key is refused
//   GET    /api/v1/projects/        200 [{"id","name","description","parent_id"}]
//   POST   /api/v1/projects/        {"name","description","components_list":[],"flows_list":[]}
//                                   201 {"id","name",...}. A name the user already has is not an
//                                   error: Langflow renames the new one "name (1)". So we always
//                                   look before we create.
//   GET    /api/v1/projects/{id}    200 {"id","name",...,"flows":[flow]} (without page/size)
//   DELETE /api/v1/projects/{id}    204; 404 when gone (recent versions delete its flows too)
//   GET    /api/v1/flows/{id}       200 flow {"id","name","description","data","folder_id",...};
//                                   404 when missing (422 when the id is not a UUID)
//   POST   /api/v1/flows/           {"name","description","data","folder_id"} 201 flow; `data`,
//                                   when not empty, must hold "nodes" and "edges"; a taken name is
//                                   renamed "name (1)" like projects
//   PATCH  /api/v1/flows/{id}       {"name","description","data","folder_id"} 200 flow, updated in
//                                   place (fields left out or null keep their value); 404 when
//                                   missing; 400 for a name another flow of the user has
//   DELETE /api/v1/flows/{id}       200 {"message": ...}; 404 when gone
//   GET    /api/v1/variables/       200 [{"id","name","type","value","default_fields"}]; `value`
//                                   is null for Credential variables (never read back)
//   POST   /api/v1/variables/       {"name","value","type","default_fields"} 201; 400 for an empty
//                                   name or value, and for a name the user already has
//   PATCH  /api/v1/variables/{id}   {"id","name","value","type","default_fields"} (`id` required)
//                                   200 the variable, same id (`value` null for a Credential);
//                                   404 when missing. Versions from before `type` was part of the
//                                   update body ignore it and keep the old type.
//   DELETE /api/v1/variables/{id}   204
// A changed variable is updated in place by PATCH, so it is never missing, not even for a flow
// running during the update, and a failed PATCH leaves the old value in place. One deleted in
// Langflow since it was listed (404) is created again. Only when Langflow answers a PATCH with the
// old type (see above) is the variable replaced, DELETE then POST: the one case where it is
// missing for a moment (until the next Apply, should capconf crash in between).
//
// Variables, per leaf of DesiredState::config (objects are walked, everything else is a leaf):
//   strings as they are; numbers, booleans and null as JSON text ("0.7", "true", "null");
//   arrays as the JSON text of the whole array: one variable, not one per item, because flows
//   read a list whole and item-numbered names would shift when an item is removed. Each secret
//   (JSON pointer → plain text) is a Credential variable; a secret and a config leaf at the same
//   pointer make one variable, the Credential. An empty string is no variable at all (Langflow
//   refuses empty values), so a leaf emptied by the buyer deletes its variable. default_fields is
//   always [] so that Langflow never applies a tenant's value to fields of other flows on its own.
// Generic variables are rewritten when their value differs; Credential variables on every Apply
// (their value cannot be read back to compare).
//
// The flow copy: its `data` is the template flow's, except that template fields that take a
// global variable ({"load_from_db": true, "value": "CAPCONF__BRANDING__COLORS__PRIMARY"}, a name
// from TemplateVariableName) are pointed at the subscription's own variable. Its description
// records the template flow and a digest of its data; the copy is rewritten (PATCH, same id) only
// when neither that record nor the data itself matches the template any more, so edits made in
// Langflow to a copy survive until the template changes. A template that names no flow any more
// has its old copy deleted.
//
// Order: variables, then the project, then the flow copy (so a copy never runs without its
// variables); a cancellation removes the copy and project first, then the variables. Every step
// lists before it writes, so any prefix of a run followed by a whole run converges.
//
// Outcome: kApplied with a summary ("project capconf-S, flow copied, 7 variables (2
// credentials)") and resources {"langflow_project": id, "langflow_flow": id}. kNotConfigured
// without a base URL. kRetry for network errors, timeouts, 408, 429 and 5xx (with Retry-After);
// kPermanent for a refused key, a missing template flow, other 4xx and answers that are not the
// documented JSON. Messages name the method and path (and Langflow's `detail`, except on the
// variable routes, where it could echo a value), never the key or a variable's value.
//
// Thread-safety: the target keeps no mutable state; Apply may run on many threads at once (for
// different subscriptions). Ownership: the target borrows `client`, which must outlive it.

#include <memory>
#include <string>
#include <string_view>

#include "capconf/common/status.h"
#include "capconf/outbound/client.h"
#include "capconf/sync/target.h"

namespace capconf::langflow {

struct LangflowOptions {
  // "http://langflow:7860" (a trailing slash is ignored); empty: Langflow is not configured.
  std::string base_url;
  // Sent as `x-api-key`; empty sends none (a Langflow with AUTO_LOGIN needs none).
  std::string api_key;
};

std::unique_ptr<sync::Target> MakeLangflowTarget(LangflowOptions options,
                                                 const outbound::Client& client);

// "capconf-<subscription_id>": the name of the subscription's project and of its flow copy.
std::string ResourceName(std::string_view subscription_id);

// The name of the variable holding the config leaf or secret at `json_pointer`:
//   "CAPCONF_" + Enc(subscription_id) + for each reference token t: "__" + Enc(t)
// where Enc upper-cases a-z, keeps 0-9, keeps a '_' that stands between two characters of
// [a-z0-9], and writes any other byte b as '_' followed by two lower-case letters
// ('a' + b / 16, 'a' + b % 16). So "01hx9k" and "/rag/chunk_size" give
// "CAPCONF_01HX9K__RAG__CHUNK_SIZE". The scheme is injective for all ids and pointers: inside an
// encoded part a '_' is followed by [A-Z0-9] (a kept '_') or by two lower-case letters (an
// escape), never by '_', so "__" only ever separates parts. For the ids capconf makes (lower-case
// base32) and snake_case keys no escape occurs and names are [A-Z0-9_] only, as
// X-LANGFLOW-GLOBAL-VAR-<NAME> headers need. InvalidArgument for a malformed pointer and for ""
// (the whole document is never one variable).
Result<std::string> VariableName(std::string_view subscription_id, std::string_view json_pointer);

// How a template flow names a variable for whichever subscription copies it: "CAPCONF" and the
// pointer's parts as VariableName writes them ("/rag/chunk_size" → "CAPCONF__RAG__CHUNK_SIZE").
// Never the name of a real variable (Enc never starts with '_' followed by [A-Z0-9_]).
Result<std::string> TemplateVariableName(std::string_view json_pointer);

// "CAPCONF_" + Enc(subscription_id) + "__": every variable of the subscription starts with it,
// and no variable of another subscription does (Enc never contains "__" nor ends with '_').
std::string VariablePrefix(std::string_view subscription_id);

}  // namespace capconf::langflow
