#include "migrations.h"

#include <algorithm>
#include <charconv>

#include "embedded_migrations.h"

namespace capconf::store::internal {

Result<std::vector<Migration>> MigrationsFor(std::string_view backend) {
  std::vector<Migration> out;
  const std::string prefix = std::string(backend) + "/";
  for (const EmbeddedFile& file : EmbeddedMigrationFiles()) {
    if (!file.path.starts_with(prefix)) continue;
    std::string_view name = file.path.substr(prefix.size());
    if (name.find('/') != std::string_view::npos || !name.ends_with(".sql")) {
      return InternalError("unexpected migration file " + std::string(file.path));
    }
    name.remove_suffix(4);
    const std::size_t underscore = name.find('_');
    int version = 0;
    const char* end =
        name.data() + (underscore == std::string_view::npos ? name.size() : underscore);
    const auto [ptr, ec] = std::from_chars(name.data(), end, version);
    if (ec != std::errc() || ptr != end || version <= 0) {
      return InternalError("migration file " + std::string(file.path) +
                           " does not start with its number (NNNN_name.sql)");
    }
    out.push_back(Migration{version, std::string(name), file.text});
  }
  std::sort(out.begin(), out.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i].version != static_cast<int>(i) + 1) {
      return InternalError("the " + std::string(backend) + " migrations are not numbered 1.." +
                           std::to_string(out.size()) + " without gaps");
    }
  }
  return out;
}

}  // namespace capconf::store::internal
