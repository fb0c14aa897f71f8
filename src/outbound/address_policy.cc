#include "capconf/outbound/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

namespace capconf::outbound {
namespace {

struct V4Range {
  std::uint32_t prefix;
  int length;
  std::string_view reason;
};

// IANA's IPv4 special-purpose registry (RFC 6890 and successors) plus multicast. Ordered so a
// narrower range with a more telling reason comes before the range that contains it.
constexpr V4Range kV4Refused[] = {
    {0x00000000, 8, "a \"this network\" address"},
    {0x0A000000, 8, "a private address"},
    {0x64400000, 10, "a shared (CGNAT) address"},
    {0x7F000000, 8, "a loopback address"},
    {0xA9FEA9FE, 32, "the cloud metadata address"},
    {0xA9FE0000, 16, "a link-local address"},
    {0xAC100000, 12, "a private address"},
    {0xC0000000, 24, "an IETF protocol assignment"},
    {0xC0000200, 24, "a documentation address"},
    {0xC0586300, 24, "a 6to4 relay anycast address"},
    {0xC0A80000, 16, "a private address"},
    {0xC6120000, 15, "a benchmarking address"},
    {0xC6336400, 24, "a documentation address"},
    {0xCB007100, 24, "a documentation address"},
    {0xE0000000, 4, "a multicast address"},
    {0xFFFFFFFF, 32, "the broadcast address"},
    {0xF0000000, 4, "a reserved address"},
};

bool InV4Range(std::uint32_t address, const V4Range& range) {
  const std::uint32_t mask = range.length == 0 ? 0 : ~std::uint32_t{0} << (32 - range.length);
  return (address & mask) == range.prefix;
}

std::uint32_t V4Value(std::span<const std::uint8_t> b) {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

AddressVerdict ClassifyV4(std::uint32_t address, const AddressPolicy& policy) {
  for (const V4Range& range : kV4Refused) {
    if (!InV4Range(address, range)) continue;
    if (policy.allow_loopback && range.prefix == 0x7F000000) return {true, ""};
    return {false, std::string(range.reason)};
  }
  return {true, ""};
}

struct V6Range {
  std::array<std::uint8_t, 16> prefix;
  int length;
  std::string_view reason;
};

bool InV6Range(std::span<const std::uint8_t> address, const std::array<std::uint8_t, 16>& prefix,
               int length) {
  const int whole = length / 8;
  if (!std::equal(prefix.begin(), prefix.begin() + whole, address.begin())) return false;
  const int rest = length % 8;
  if (rest == 0) return true;
  const std::uint8_t mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (address[whole] & mask) == (prefix[whole] & mask);
}

constexpr std::array<std::uint8_t, 16> kLoopbackV6 = {0, 0, 0, 0, 0, 0, 0, 0,
                                                      0, 0, 0, 0, 0, 0, 0, 1};
constexpr std::array<std::uint8_t, 16> kNat64 = {0x00, 0x64, 0xff, 0x9b};
constexpr std::array<std::uint8_t, 16> k6to4 = {0x20, 0x02};

// IANA's IPv6 special-purpose registry, and the ranges outside global unicast that need a
// clearer reason than the catch-all. NAT64 and 6to4 are not here: they are judged by the IPv4
// address they carry.
const V6Range kV6Refused[] = {
    {{}, 128, "the unspecified address"},
    {kLoopbackV6, 128, "a loopback address"},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96, "an IPv4-mapped address"},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0}, 96, "an IPv4-translated address"},
    {{}, 96, "an IPv4-compatible address"},
    {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, "a local-use NAT64 address"},
    {{0x01, 0x00}, 64, "a discard-only address"},
    {{0x20, 0x01}, 23, "an IETF protocol assignment (Teredo, ORCHID, ...)"},
    {{0x20, 0x01, 0x0d, 0xb8}, 32, "a documentation address"},
    {{0x3f, 0xff}, 20, "a documentation address"},
    // AWS's IPv6 instance metadata endpoint, fd00:ec2::254, inside the ULA range below.
    {{0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54},
     128,
     "the cloud metadata address"},
    {{0xfc, 0x00}, 7, "a unique local (private) address"},
    {{0xfe, 0x80}, 10, "a link-local address"},
    {{0xfe, 0xc0}, 10, "a site-local address"},
    {{0xff, 0x00}, 8, "a multicast address"},
};

// An embedded IPv4 address decides; loopback is never let through this way, so allow_loopback
// stays limited to 127/8 and ::1 as documented.
AddressVerdict ClassifyEmbedded(std::uint32_t v4, std::string_view kind) {
  AddressVerdict inner = ClassifyV4(v4, AddressPolicy{});
  if (inner.allowed) return inner;
  const std::array<std::uint8_t, 4> bytes = {
      static_cast<std::uint8_t>(v4 >> 24), static_cast<std::uint8_t>(v4 >> 16),
      static_cast<std::uint8_t>(v4 >> 8), static_cast<std::uint8_t>(v4)};
  return {false,
          std::string(kind) + " of " + IpAddress::V4(bytes).ToString() + ", " + inner.reason};
}

AddressVerdict ClassifyV6(std::span<const std::uint8_t> address, const AddressPolicy& policy) {
  if (InV6Range(address, kNat64, 96)) {
    return ClassifyEmbedded(V4Value(address.subspan(12, 4)), "a NAT64 address");
  }
  if (InV6Range(address, k6to4, 16)) {
    return ClassifyEmbedded(V4Value(address.subspan(2, 4)), "a 6to4 address");
  }
  for (const V6Range& range : kV6Refused) {
    if (!InV6Range(address, range.prefix, range.length)) continue;
    if (policy.allow_loopback && range.length == 128 && range.prefix == kLoopbackV6) {
      return {true, ""};
    }
    return {false, std::string(range.reason)};
  }
  // Everything public lives in 2000::/3; the rest is unassigned or special.
  if ((address[0] & 0xE0) != 0x20) return {false, "not a global unicast address"};
  return {true, ""};
}

// Names that cloud providers answer with the metadata service. Lower case, no trailing dot.
constexpr std::string_view kMetadataHosts[] = {
    "metadata.google.internal",   "metadata.goog",      "metadata", "instance-data",
    "instance-data.ec2.internal", "metadata.azure.com",
};

}  // namespace

IpAddress IpAddress::V4(const std::array<std::uint8_t, 4>& bytes) {
  std::array<std::uint8_t, 16> all{};
  std::copy(bytes.begin(), bytes.end(), all.begin());
  return IpAddress(Family::kV4, all);
}

IpAddress IpAddress::V6(const std::array<std::uint8_t, 16>& bytes) {
  return IpAddress(Family::kV6, bytes);
}

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  // inet_pton needs a NUL-terminated string; no address text is longer than this.
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buffer[INET6_ADDRSTRLEN] = {};
  std::memcpy(buffer, text.data(), text.size());
  // glibc's inet_pton (unlike inet_aton) takes only four decimal parts without leading zeros,
  // which is the strictness wanted here.
  std::array<std::uint8_t, 16> bytes{};
  if (text.find(':') == std::string_view::npos) {
    if (inet_pton(AF_INET, buffer, bytes.data()) != 1) return std::nullopt;
    return IpAddress(Family::kV4, bytes);
  }
  if (inet_pton(AF_INET6, buffer, bytes.data()) != 1) return std::nullopt;
  return IpAddress(Family::kV6, bytes);
}

std::optional<IpAddress> IpAddress::FromSockaddr(const sockaddr* address, std::size_t length) {
  if (address == nullptr || length < sizeof(sa_family_t)) return std::nullopt;
  // Copied rather than cast: the caller's storage need not be aligned for the larger types.
  if (address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
    sockaddr_in in{};
    std::memcpy(&in, address, sizeof(in));
    std::array<std::uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), &in.sin_addr, 4);
    return IpAddress(Family::kV4, bytes);
  }
  if (address->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, address, sizeof(in6));
    std::array<std::uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), &in6.sin6_addr, 16);
    return IpAddress(Family::kV6, bytes);
  }
  return std::nullopt;
}

std::span<const std::uint8_t> IpAddress::bytes() const {
  return std::span<const std::uint8_t>(bytes_.data(), family_ == Family::kV4 ? 4 : 16);
}

std::string IpAddress::ToString() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  const int af = family_ == Family::kV4 ? AF_INET : AF_INET6;
  if (inet_ntop(af, bytes_.data(), buffer, sizeof(buffer)) == nullptr) return "?";
  return buffer;
}

AddressVerdict ClassifyAddress(const IpAddress& address, const AddressPolicy& policy) {
  if (policy.operator_endpoint) return {true, ""};
  if (address.family() == IpAddress::Family::kV4)
    return ClassifyV4(V4Value(address.bytes()), policy);
  return ClassifyV6(address.bytes(), policy);
}

Status CheckAddress(const IpAddress& address, const AddressPolicy& policy) {
  AddressVerdict verdict = ClassifyAddress(address, policy);
  if (verdict.allowed) return Status::Ok();
  return Status(StatusCode::kPermissionDenied,
                "refused: " + address.ToString() + " is " + verdict.reason);
}

Status CheckHostName(std::string_view host) {
  std::string name(host);
  while (!name.empty() && name.back() == '.') name.pop_back();
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  for (std::string_view metadata : kMetadataHosts) {
    if (name == metadata) {
      return Status(StatusCode::kPermissionDenied,
                    "refused: " + std::string(host) + " is a cloud metadata host");
    }
  }
  return Status::Ok();
}

}  // namespace capconf::outbound
