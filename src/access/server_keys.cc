#include "capconf/access/server_keys.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/value.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <system_error>
#include <utility>

#include "capconf/json/parse.h"
#include "internal.h"

namespace capconf::access {
namespace {

constexpr std::size_t kMaxServerKeysBytes = 64 * 1024;
constexpr int kBase64 = sodium_base64_VARIANT_ORIGINAL;

// Closes a file descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now, for writers that must see close's error.
  int Close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

std::string ErrnoText(int error) { return std::strerror(error); }

Status FileError(const std::filesystem::path& path, std::string_view what, int error) {
  return FailedPreconditionError("cannot " + std::string(what) + " " + path.string() + ": " +
                                 ErrnoText(error));
}

std::string EncodeKey(const KeyMaterial& key) {
  char b64[sodium_base64_ENCODED_LEN(KeyMaterial::kSize, kBase64)];
  sodium_bin2base64(b64, sizeof b64, key.data(), KeyMaterial::kSize, kBase64);
  std::string out(b64);
  sodium_memzero(b64, sizeof b64);
  return out;
}

Result<KeyMaterial> DecodeKey(std::string_view b64, std::string_view what) {
  unsigned char bin[2 * KeyMaterial::kSize];
  std::size_t bin_size = 0;
  const char* end = nullptr;
  const int rc =
      sodium_base642bin(bin, sizeof bin, b64.data(), b64.size(), nullptr, &bin_size, &end, kBase64);
  Result<KeyMaterial> key = InvalidArgumentError(std::string(what) + " must be the base64 of " +
                                                 std::to_string(KeyMaterial::kSize) + " bytes");
  if (rc == 0 && end == b64.data() + b64.size()) {
    auto material =
        KeyMaterial::FromBytes(std::string_view(reinterpret_cast<const char*>(bin), bin_size));
    if (material.ok()) key = std::move(material);
  }
  sodium_memzero(bin, sizeof bin);
  return key;
}

const boost::json::string* GetString(const boost::json::object& object, std::string_view name) {
  const boost::json::value* value = object.if_contains(name);
  return value == nullptr ? nullptr : value->if_string();
}

Result<EncryptionKey> ParseEncryptionKey(const boost::json::value& value, std::size_t index) {
  const std::string where = "encryption_keys[" + std::to_string(index) + "]";
  const boost::json::object* object = value.if_object();
  if (object == nullptr) return InvalidArgumentError(where + " must be an object {id, key}");
  for (const auto& member : *object) {
    if (member.key() != "id" && member.key() != "key") {
      return InvalidArgumentError(where + " has an unknown member \"" + std::string(member.key()) +
                                  "\"");
    }
  }
  const boost::json::string* id = GetString(*object, "id");
  if (id == nullptr || !internal::IsValidKeyId(*id)) {
    return InvalidArgumentError(where + ".id must be 1 to 64 characters of [A-Za-z0-9._-]");
  }
  const boost::json::string* key = GetString(*object, "key");
  if (key == nullptr) return InvalidArgumentError(where + ".key must be a string");
  CAPCONF_ASSIGN_OR_RETURN(KeyMaterial material, DecodeKey(*key, where + ".key"));
  return EncryptionKey{std::string(*id), std::move(material)};
}

Result<ServerKeys> ParseObject(const boost::json::object& object) {
  for (const auto& member : object) {
    const std::string_view name = member.key();
    if (name != "version" && name != "hashing_key" && name != "encryption_keys" &&
        name != "current_encryption_key") {
      return InvalidArgumentError("unknown member \"" + std::string(name) + "\"");
    }
  }
  const boost::json::value* version = object.if_contains("version");
  if (version == nullptr || !version->is_int64() || version->as_int64() != 1) {
    return InvalidArgumentError("\"version\" must be 1");
  }
  const boost::json::string* hashing = GetString(object, "hashing_key");
  if (hashing == nullptr) return InvalidArgumentError("hashing_key must be a string");
  CAPCONF_ASSIGN_OR_RETURN(KeyMaterial hashing_key, DecodeKey(*hashing, "hashing_key"));

  const boost::json::value* list = object.if_contains("encryption_keys");
  if (list == nullptr || !list->is_array() || list->as_array().empty()) {
    return InvalidArgumentError("encryption_keys must be a non-empty array");
  }
  std::vector<EncryptionKey> keys;
  for (std::size_t i = 0; i < list->as_array().size(); ++i) {
    CAPCONF_ASSIGN_OR_RETURN(EncryptionKey key, ParseEncryptionKey(list->as_array()[i], i));
    for (const EncryptionKey& other : keys) {
      if (other.id == key.id) {
        return InvalidArgumentError("encryption key id \"" + key.id + "\" appears twice");
      }
    }
    keys.push_back(std::move(key));
  }
  const boost::json::string* current = GetString(object, "current_encryption_key");
  if (current == nullptr) return InvalidArgumentError("current_encryption_key must be a string");
  const bool known = std::any_of(keys.begin(), keys.end(),
                                 [&](const EncryptionKey& key) { return key.id == *current; });
  if (!known) {
    return InvalidArgumentError("current_encryption_key names no key of encryption_keys");
  }
  return ServerKeys{std::move(hashing_key),
                    std::move(keys),
                    std::string(*current),
                    ServerKeys::Source::kFile,
                    {}};
}

void WipeStrings(boost::json::value& value) {
  if (boost::json::string* s = value.if_string()) {
    sodium_memzero(s->data(), s->size());
  } else if (boost::json::array* array = value.if_array()) {
    for (boost::json::value& item : *array) WipeStrings(item);
  } else if (boost::json::object* object = value.if_object()) {
    for (auto& member : *object) WipeStrings(member.value());
  }
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return Status(StatusCode::kFailedPrecondition, ErrnoText(errno));
    }
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return Status::Ok();
}

// Reads keys from an open file, after checking that only its owner may access it.
Result<ServerKeys> ReadKeysFile(int fd, const std::filesystem::path& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return FileError(path, "inspect", errno);
  if (!S_ISREG(st.st_mode)) {
    return FailedPreconditionError(path.string() + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return FailedPreconditionError(
        path.string() + " is readable or writable by group or others (mode " + mode +
        "), and it holds the server's secret keys: run `chmod 600 " + path.string() +
        "` (and consider the keys leaked if others could read them)");
  }
  if (st.st_size > static_cast<off_t>(kMaxServerKeysBytes)) {
    return Status(StatusCode::kDataLoss, path.string() + " is too large to hold server keys");
  }
  std::string text(kMaxServerKeysBytes + 1, '\0');
  std::size_t size = 0;
  while (size < text.size()) {
    const ssize_t got = ::read(fd, text.data() + size, text.size() - size);
    if (got < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      internal::Wipe(text);
      return FileError(path, "read", error);
    }
    if (got == 0) break;
    size += static_cast<std::size_t>(got);
  }
  Result<ServerKeys> keys = ParseServerKeys(std::string_view(text.data(), size));
  internal::Wipe(text);
  if (!keys.ok()) {
    return Status(StatusCode::kDataLoss, path.string() + ": " + keys.status().message());
  }
  keys->source = ServerKeys::Source::kFile;
  keys->path = path;
  return keys;
}

// Creates the file with fresh keys, or reads the one a concurrent caller created first.
Result<ServerKeys> CreateKeysFile(const std::filesystem::path& directory,
                                  const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) {
    return FailedPreconditionError("cannot create directory " + directory.string() + ": " +
                                   ec.message());
  }
  ServerKeys keys = GenerateServerKeys();
  std::string text = SerializeServerKeys(keys);
  const std::filesystem::path temporary =
      directory / ("." + std::string(kServerKeysFileName) + "." + RandomId() + ".tmp");

  // O_EXCL: never write through a file (or symbolic link) that someone else put there.
  Fd out(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (out.get() < 0) {
    internal::Wipe(text);
    return FileError(temporary, "create", errno);
  }
  Status written = WriteAll(out.get(), text);
  internal::Wipe(text);
  int error = 0;
  // The mode is set explicitly: the process umask must not decide who may read the keys.
  if (written.ok() && ::fchmod(out.get(), 0600) != 0) error = errno;
  if (written.ok() && error == 0 && ::fsync(out.get()) != 0) error = errno;
  if (out.Close() != 0 && written.ok() && error == 0) error = errno;
  if (!written.ok() || error != 0) {
    ::unlink(temporary.c_str());
    return FailedPreconditionError("cannot write " + temporary.string() + ": " +
                                   (written.ok() ? ErrnoText(error) : written.message()));
  }

  // link(2), unlike rename(2), fails when the target exists: of two servers starting at once,
  // exactly one publishes its keys and the other reads them.
  const int linked = ::link(temporary.c_str(), path.c_str());
  const int link_error = errno;
  ::unlink(temporary.c_str());
  if (linked != 0) {
    if (link_error != EEXIST) return FileError(path, "create", link_error);
    Fd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (in.get() < 0) return FileError(path, "open", errno);
    return ReadKeysFile(in.get(), path);
  }
  // Make the new directory entry durable too, so a crash cannot lose keys already in use.
  Fd dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());

  keys.source = ServerKeys::Source::kCreatedFile;
  keys.path = path;
  return keys;
}

}  // namespace

Result<ServerKeys> ParseServerKeys(std::string_view json) {
  json::ParseLimits limits;
  limits.max_bytes = kMaxServerKeysBytes;
  limits.max_depth = 3;
  Result<boost::json::value> parsed = json::Parse(json, limits);
  if (!parsed.ok()) {
    return InvalidArgumentError("server keys are not valid JSON: " + parsed.status().message());
  }
  const boost::json::object* object = parsed->if_object();
  if (object == nullptr) return InvalidArgumentError("server keys must be a JSON object");
  Result<ServerKeys> keys = ParseObject(*object);
  // The parsed document holds the keys in base64; wipe them before its memory is freed.
  WipeStrings(*parsed);
  if (!keys.ok()) return InvalidArgumentError("server keys: " + keys.status().message());
  return keys;
}

std::string SerializeServerKeys(const ServerKeys& keys) {
  // Written by hand for a stable, readable layout: ids are [A-Za-z0-9._-] and base64 needs no
  // escaping, so no value needs a JSON escape.
  std::string out = "{\n  \"version\": 1,\n  \"hashing_key\": \"";
  std::string encoded = EncodeKey(keys.hashing_key);
  out += encoded;
  internal::Wipe(encoded);
  out += "\",\n  \"encryption_keys\": [";
  for (std::size_t i = 0; i < keys.encryption_keys.size(); ++i) {
    const EncryptionKey& key = keys.encryption_keys[i];
    out += i == 0 ? "\n" : ",\n";
    out += "    {\"id\": \"" + key.id + "\", \"key\": \"";
    encoded = EncodeKey(key.key);
    out += encoded;
    internal::Wipe(encoded);
    out += "\"}";
  }
  out += "\n  ],\n  \"current_encryption_key\": \"" + keys.current_encryption_key_id + "\"\n}\n";
  return out;
}

ServerKeys GenerateServerKeys() {
  std::string id = RandomId();
  std::vector<EncryptionKey> keys;
  keys.push_back(EncryptionKey{id, KeyMaterial::Generate()});
  return ServerKeys{
      KeyMaterial::Generate(), std::move(keys), std::move(id), ServerKeys::Source::kFile, {}};
}

Result<Keyring> MakeKeyring(const ServerKeys& keys) {
  std::vector<SecretBox> boxes;
  for (const EncryptionKey& key : keys.encryption_keys) {
    CAPCONF_ASSIGN_OR_RETURN(SecretBox box, SecretBox::FromKey(key.key, key.id));
    boxes.push_back(std::move(box));
  }
  return Keyring::Create(std::move(boxes), keys.current_encryption_key_id);
}

Result<ServerKeys> LoadOrCreateServerKeys(const std::filesystem::path& directory) {
  CAPCONF_RETURN_IF_ERROR(Initialize());
  if (const char* environment = std::getenv(kServerKeysEnvironmentVariable)) {
    if (*environment == '\0') {
      return InvalidArgumentError(std::string(kServerKeysEnvironmentVariable) +
                                  " is set but empty: give it the keys, or unset it to use " +
                                  (directory / kServerKeysFileName).string());
    }
    Result<ServerKeys> keys = ParseServerKeys(environment);
    if (!keys.ok()) {
      return InvalidArgumentError(std::string(kServerKeysEnvironmentVariable) + ": " +
                                  keys.status().message());
    }
    keys->source = ServerKeys::Source::kEnvironment;
    return keys;
  }

  const std::filesystem::path path = directory / kServerKeysFileName;
  Fd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() >= 0) return ReadKeysFile(in.get(), path);
  if (errno != ENOENT) return FileError(path, "open", errno);
  return CreateKeysFile(directory, path);
}

}  // namespace capconf::access
