#pragma once
// libcurl's URL parser (CURLU) as the outbound guard and the crawler share it: one owner type,
// one way to read a part, one length limit, so both read URLs exactly alike.

#include <curl/curl.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace capconf::outbound {

// Longer URLs are refused (the guard) or ignored (links the crawler finds).
inline constexpr std::size_t kMaxUrlBytes = 8192;

struct CurlUrlDeleter {
  void operator()(CURLU* handle) const { curl_url_cleanup(handle); }
};
using CurlUrlPtr = std::unique_ptr<CURLU, CurlUrlDeleter>;

// The part of a parsed URL, or nullopt when it has none.
inline std::optional<std::string> GetUrlPart(CURLU* handle, CURLUPart part,
                                             unsigned int flags = 0) {
  char* value = nullptr;
  if (curl_url_get(handle, part, &value, flags) != CURLUE_OK || value == nullptr) {
    return std::nullopt;
  }
  std::string out(value);
  curl_free(value);
  return out;
}

}  // namespace capconf::outbound
