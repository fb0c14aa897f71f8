#include "catalog_files.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <sstream>

#include "capconf/json/parse.h"
#include "capconf/json/pointer.h"

namespace capconf::testutil {
namespace bj = boost::json;

std::string SourcePath(const std::string& relative) {
  return std::string(CAPCONF_SOURCE_DIR) + "/" + relative;
}

bj::value ReadJson(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot open " << path;
    return nullptr;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = capconf::json::Parse(text.str());
  if (!parsed.ok()) {
    ADD_FAILURE() << path << ": " << parsed.status().message();
    return nullptr;
  }
  return std::move(*parsed);
}

bool ApplyEdit(std::vector<catalog::CatalogFile>& files, const bj::object& edit,
               std::string& error) {
  std::string file(edit.at("file").as_string());
  auto it = std::find_if(files.begin(), files.end(),
                         [&](const catalog::CatalogFile& f) { return f.path == file; });
  if (const bj::value* text = edit.if_contains("text")) {
    if (it == files.end()) {
      files.push_back({file, std::string(text->as_string())});
    } else {
      it->text = text->as_string();
    }
    return true;
  }
  if (it == files.end()) {
    error = "no file " + file;
    return false;
  }
  if (edit.contains("delete_file")) {
    files.erase(it);
    return true;
  }
  auto doc = capconf::json::Parse(it->text);
  if (!doc.ok()) {
    error = file + " does not parse";
    return false;
  }
  auto tokens = capconf::json::ParsePointer(edit.at("pointer").as_string());
  if (!tokens.ok() || tokens->empty()) {
    error = "bad pointer";
    return false;
  }
  bj::value* parent = &*doc;
  for (std::size_t i = 0; i + 1 < tokens->size(); ++i) {
    const std::string& t = (*tokens)[i];
    if (parent->is_object()) {
      parent = parent->get_object().if_contains(t);
    } else if (parent->is_array()) {
      std::size_t index = std::stoul(t);
      parent = index < parent->get_array().size() ? &parent->get_array()[index] : nullptr;
    } else {
      parent = nullptr;
    }
    if (parent == nullptr) {
      error = "no value at " + std::string(edit.at("pointer").as_string());
      return false;
    }
  }
  const std::string& last = tokens->back();
  if (edit.contains("remove")) {
    if (parent->is_object()) {
      if (parent->get_object().erase(last) == 0) {
        error = "nothing to remove at " + std::string(edit.at("pointer").as_string());
        return false;
      }
    } else {
      auto& a = parent->as_array();
      a.erase(a.begin() + static_cast<std::ptrdiff_t>(std::stoul(last)));
    }
  } else {
    const bj::value& value = edit.at("set");
    if (parent->is_object()) {
      parent->get_object()[last] = value;
    } else {
      auto& a = parent->as_array();
      std::size_t index = std::stoul(last);
      if (index < a.size()) {
        a[index] = value;
      } else {
        a.push_back(value);
      }
    }
  }
  it->text = bj::serialize(*doc);
  return true;
}

std::vector<catalog::CatalogFile> EditedCatalog(const bj::array& edits, std::string& error) {
  std::vector<catalog::CatalogFile> files = catalog::Catalog::EmbeddedFiles();
  for (const bj::value& e : edits) {
    if (!ApplyEdit(files, e.as_object(), error)) return files;
  }
  return files;
}

}  // namespace capconf::testutil
