#include "validate_command.h"

#include <boost/json/serialize.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

#include "capconf/json/parse.h"
#include "capconf/json/serialize.h"
#include "capconf/schema/schema.h"
#include "catalog_selection.h"
#include "file_util.h"

namespace capconf::cli {
namespace {
namespace json = boost::json;

constexpr std::string_view kUsage =
    "usage: capconf validate --schema SCHEMA.json [--default-dialect draft7|2019-09|2020-12] "
    "[--formats assert|annotate] [--remote URI_PREFIX=DIR]... [--output text|json] "
    "[--max-depth N] INSTANCE...\n"
    "       capconf validate --template TEMPLATE [--capabilities a,b,...] [--catalog DIR] "
    "[--output text|json] [--max-depth N] CONFIG...";

struct Options {
  std::string schema_path;
  std::string template_id;
  std::optional<std::string> capabilities;
  std::string catalog_dir;
  schema::CompileOptions compile;
  std::vector<std::pair<std::string, std::string>> remotes;  // prefix, directory
  bool json_output = false;
  std::size_t max_depth = 64;
  std::vector<std::string> instances;
};

struct UsageError {
  std::string message;
};

std::optional<UsageError> ParseArgs(const std::vector<std::string>& args, Options& o) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string_view flag) -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      (void)flag;
      return args[++i];
    };
    if (a == "--schema") {
      auto v = value(a);
      if (!v) return UsageError{"--schema needs a file"};
      o.schema_path = *v;
    } else if (a == "--template") {
      auto v = value(a);
      if (!v) return UsageError{"--template needs a template id"};
      o.template_id = *v;
    } else if (a == "--capabilities") {
      auto v = value(a);
      if (!v) return UsageError{"--capabilities needs a comma-separated list of ids"};
      o.capabilities = *v;
    } else if (a == "--catalog") {
      auto v = value(a);
      if (!v) return UsageError{"--catalog needs a directory"};
      o.catalog_dir = *v;
    } else if (a == "--default-dialect") {
      auto v = value(a);
      auto d = v ? schema::ParseDialect(*v) : std::nullopt;
      if (!d) return UsageError{"--default-dialect takes draft7, 2019-09 or 2020-12"};
      o.compile.default_dialect = *d;
    } else if (a == "--formats") {
      auto v = value(a);
      if (v && *v == "assert") {
        o.compile.formats = schema::FormatMode::kAssert;
      } else if (v && *v == "annotate") {
        o.compile.formats = schema::FormatMode::kAnnotate;
      } else {
        return UsageError{"--formats takes assert or annotate"};
      }
    } else if (a == "--remote") {
      auto v = value(a);
      auto eq = v ? v->find('=') : std::string::npos;
      if (!v || eq == std::string::npos || eq == 0)
        return UsageError{"--remote takes URI_PREFIX=DIR"};
      o.remotes.emplace_back(v->substr(0, eq), v->substr(eq + 1));
    } else if (a == "--output") {
      auto v = value(a);
      if (v && *v == "json") {
        o.json_output = true;
      } else if (v && *v == "text") {
        o.json_output = false;
      } else {
        return UsageError{"--output takes text or json"};
      }
    } else if (a == "--max-depth") {
      auto v = value(a);
      char* end = nullptr;
      long n = v ? std::strtol(v->c_str(), &end, 10) : 0;
      if (!v || *end != '\0' || n < 1 || n > 10000)
        return UsageError{"--max-depth takes a whole number from 1 to 10000"};
      o.max_depth = static_cast<std::size_t>(n);
    } else if (a == "-" || !a.starts_with("--")) {
      o.instances.push_back(a);
    } else {
      return UsageError{"unknown option " + a};
    }
  }
  if (o.schema_path.empty() == o.template_id.empty()) {
    return UsageError{"give either --schema or --template"};
  }
  if (o.template_id.empty() && (o.capabilities || !o.catalog_dir.empty())) {
    return UsageError{"--capabilities and --catalog go with --template"};
  }
  if (o.instances.empty()) return UsageError{"name at least one INSTANCE file, or - for stdin"};
  return std::nullopt;
}

// Maps `--remote` prefixes to files: URI_PREFIX + rest -> DIR/rest.
schema::Resolver MakeRemoteResolver(std::vector<std::pair<std::string, std::string>> remotes) {
  return [remotes = std::move(remotes)](std::string_view uri) -> std::optional<json::value> {
    for (const auto& [prefix, dir] : remotes) {
      if (!uri.starts_with(prefix)) continue;
      std::string_view rest = uri.substr(prefix.size());
      if (rest.find("..") != std::string_view::npos) return std::nullopt;
      auto text = ReadFile((std::filesystem::path(dir) / std::string(rest)).string());
      if (!text.ok()) continue;
      auto doc = capconf::json::Parse(*text);
      if (doc.ok()) return std::move(doc).value();
    }
    return std::nullopt;
  };
}

// Writes results in batches: the bulk path validates hundreds of thousands of lines.
class Output {
 public:
  explicit Output(std::FILE* f) : f_(f) { buffer_.reserve(1 << 16); }
  ~Output() { Flush(); }
  std::string& buffer() { return buffer_; }
  void MaybeFlush() {
    if (buffer_.size() >= (1 << 16)) Flush();
  }
  void Flush() {
    if (!buffer_.empty()) std::fwrite(buffer_.data(), 1, buffer_.size(), f_);
    buffer_.clear();
  }

 private:
  std::FILE* f_;
  std::string buffer_;
};

void AppendLabel(std::string& out, bool json_output, const std::string* file, std::size_t line) {
  if (json_output) {
    if (file) {
      out += "{\"instance\":";
      out += capconf::json::Serialize(json::string_view(*file));
    } else {
      out += "{\"line\":";
      out += std::to_string(line);
    }
  } else {
    out += file ? *file : "line " + std::to_string(line);
  }
}

void AppendResult(std::string& out, bool json_output, const std::string* file, std::size_t line,
                  const std::vector<schema::ValidationError>& errors) {
  AppendLabel(out, json_output, file, line);
  if (json_output) {
    if (errors.empty()) {
      out += ",\"valid\":true,\"errors\":[]}\n";
      return;
    }
    json::array list;
    list.reserve(errors.size());
    for (const auto& e : errors) list.push_back(e.ToJson());
    out += ",\"valid\":false,\"errors\":";
    out += capconf::json::Serialize(list);
    out += "}\n";
    return;
  }
  if (errors.empty()) {
    out += ": valid\n";
    return;
  }
  out += ": invalid\n";
  for (const auto& e : errors) {
    out += "  ";
    if (e.instance_path.empty()) {
      out += "(root)";
    } else {
      out += e.instance_path;
    }
    out += ": ";
    out += e.message;
    out += " [";
    out += e.schema_path;
    out += "]\n";
  }
}

void AppendUnreadable(std::string& out, bool json_output, const std::string* file, std::size_t line,
                      const std::string& reason) {
  AppendLabel(out, json_output, file, line);
  if (json_output) {
    out += ",\"error\":";
    out += capconf::json::Serialize(json::string_view(reason));
    out += "}\n";
  } else {
    out += ": unreadable: " + reason + "\n";
  }
}

}  // namespace

int RunValidate(const std::vector<std::string>& args, std::FILE* in, std::FILE* out,
                std::FILE* err) {
  Options o;
  if (auto usage = ParseArgs(args, o)) {
    std::fprintf(err, "capconf validate: %s\n%.*s\n", usage->message.c_str(),
                 static_cast<int>(kUsage.size()), kUsage.data());
    return 2;
  }
  std::shared_ptr<const schema::Schema> compiled_schema;
  std::shared_ptr<const catalog::Bundle> bundle;
  if (!o.template_id.empty()) {
    auto selected = LoadTemplateSelection(o.catalog_dir, o.template_id, o.capabilities);
    if (!selected.ok()) {
      std::fprintf(err, "capconf validate: %s\n", selected.status().message().c_str());
      return 2;
    }
    bundle = selected->bundle;
    compiled_schema = bundle->compiled;
  } else {
    auto schema_text = ReadFile(o.schema_path);
    if (!schema_text.ok()) {
      std::fprintf(err, "capconf validate: cannot read schema %s\n",
                   schema_text.status().message().c_str());
      return 2;
    }
    auto schema_doc = capconf::json::Parse(*schema_text, {.max_depth = 256});
    if (!schema_doc.ok()) {
      std::fprintf(err, "capconf validate: %s: %s\n", o.schema_path.c_str(),
                   schema_doc.status().message().c_str());
      return 2;
    }
    if (!o.remotes.empty()) o.compile.resolver = MakeRemoteResolver(o.remotes);
    auto compiled = schema::Schema::Compile(*schema_doc, o.compile);
    if (!compiled.ok()) {
      std::fprintf(err, "capconf validate: %s: %s\n", o.schema_path.c_str(),
                   compiled.status().message().c_str());
      return 2;
    }
    compiled_schema = *compiled;
  }
  const schema::Schema& schema = *compiled_schema;

  capconf::json::Parser parser({.max_depth = o.max_depth});
  Output output(out);
  bool any_invalid = false;
  bool any_unreadable = false;
  auto check = [&](const std::string* file, std::size_t line, std::string_view text) {
    auto instance = parser.Parse(text);
    if (!instance.ok()) {
      any_unreadable = true;
      AppendUnreadable(output.buffer(), o.json_output, file, line, instance.status().message());
      return;
    }
    // The fail-fast pass is much cheaper; errors are built only for the invalid ones.
    static const std::vector<schema::ValidationError> kNone;
    if (schema.IsValid(*instance)) {
      AppendResult(output.buffer(), o.json_output, file, line, kNone);
    } else {
      any_invalid = true;
      schema::ValidationResult result = schema.Validate(*instance);
      AppendResult(output.buffer(), o.json_output, file, line, result.errors());
    }
    output.MaybeFlush();
  };

  for (const std::string& name : o.instances) {
    if (name != "-") {
      auto text = ReadFile(name);
      if (!text.ok()) {
        any_unreadable = true;
        AppendUnreadable(output.buffer(), o.json_output, &name, 0,
                         "cannot read: " + text.status().message());
        output.Flush();
        std::fprintf(err, "capconf validate: cannot read instance %s\n",
                     text.status().message().c_str());
        continue;
      }
      check(&name, 0, *text);
      continue;
    }
    std::string pending;
    std::size_t line_no = 0;
    std::vector<char> chunk(1 << 16);
    auto consume_line = [&](std::string_view line) {
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t") == std::string_view::npos) return;  // blank
      check(nullptr, line_no, line);
    };
    std::size_t n;
    while ((n = std::fread(chunk.data(), 1, chunk.size(), in)) > 0) {
      std::string_view data(chunk.data(), n);
      std::size_t start = 0;
      for (std::size_t nl; (nl = data.find('\n', start)) != std::string_view::npos;
           start = nl + 1) {
        if (pending.empty()) {
          consume_line(data.substr(start, nl - start));
        } else {
          pending.append(data.substr(start, nl - start));
          consume_line(pending);
          pending.clear();
        }
      }
      pending.append(data.substr(start));
    }
    if (!pending.empty()) consume_line(pending);
  }
  output.Flush();
  if (any_unreadable) return 2;
  return any_invalid ? 1 : 0;
}

}  // namespace capconf::cli
