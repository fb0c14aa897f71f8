#pragma once
// multipart/form-data bodies (RFC 7578) for uploads to Ragflow, built by hand because the
// outbound Client sends a headers-and-body Request.
//
// The boundary is derived from a hash of the parts and checked not to occur anywhere in them
// (a longer one is tried until none does), so the same input always gives the same bytes and
// no content can end a part early. Filenames are escaped as browsers do (the HTML standard's
// form encoding): '"' as %22, CR as %0D and LF as %0A; everything else, UTF-8 included, is sent
// as is inside the quotes. Pure functions; thread-safe.

#include <string>
#include <string_view>
#include <vector>

namespace capconf::ragflow {

struct MultipartFile {
  std::string field_name;    // "file" for Ragflow
  std::string filename;      // becomes the document's name
  std::string content_type;  // "application/octet-stream" when empty
  std::string_view content;  // borrowed; must outlive the call
};

struct MultipartBody {
  std::string content_type;  // "multipart/form-data; boundary=..."
  std::string boundary;
  std::string body;
};

MultipartBody BuildMultipartFormData(const std::vector<MultipartFile>& files);

// The filename as it is written between the quotes of Content-Disposition.
std::string EscapeMultipartFilename(std::string_view filename);

}  // namespace capconf::ragflow
