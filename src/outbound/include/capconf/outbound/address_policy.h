#pragma once
// Which IP addresses an outbound request to a buyer-supplied URL may connect to.
//
// Only globally reachable unicast addresses pass. Refused: loopback, private (RFC 1918, ULA),
// shared CGNAT, link-local (with the cloud metadata address 169.254.169.254), "this network",
// documentation, benchmarking, multicast, reserved and broadcast ranges; in IPv6 also the
// unspecified address, IPv4-mapped, -translated and -compatible addresses, discard-only, IETF
// protocol assignments (Teredo, ORCHID), site-local and anything outside 2000::/3. Addresses that
// embed an IPv4 address and route to it (NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by the
// embedded address. The policy is about where a packet would go, so it is applied to the address
// the socket is about to connect to (see url_guard.h), not only to what a URL spells.
//
// Thread-safe: pure functions.

#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "capconf/common/status.h"

namespace capconf::outbound {

// An IPv4 or IPv6 address (no port, no zone), bytes in network order.
class IpAddress {
 public:
  enum class Family { kV4, kV6 };

  static IpAddress V4(const std::array<std::uint8_t, 4>& bytes);
  static IpAddress V6(const std::array<std::uint8_t, 16>& bytes);

  // Strict text forms only: dotted-quad decimal with four parts and no leading zeros
  // ("127.0.0.1", not "127.1", "0x7f.0.0.1" or "2130706433"), or RFC 4291 IPv6 text without
  // brackets or zone ("::1", "::ffff:10.0.0.1"). nullopt for anything else.
  static std::optional<IpAddress> Parse(std::string_view text);

  // The address of an AF_INET or AF_INET6 socket address of `length` bytes; nullopt for other
  // families or a length too short for the family.
  static std::optional<IpAddress> FromSockaddr(const sockaddr* address, std::size_t length);

  Family family() const { return family_; }
  // 4 bytes for IPv4, 16 for IPv6.
  std::span<const std::uint8_t> bytes() const;
  // "10.0.0.1", "::ffff:127.0.0.1" (inet_ntop's canonical form).
  std::string ToString() const;

 private:
  IpAddress(Family family, const std::array<std::uint8_t, 16>& bytes)
      : family_(family), bytes_(bytes) {}

  Family family_;
  std::array<std::uint8_t, 16> bytes_;  // IPv4 uses the first 4
};

struct AddressPolicy {
  // Test-only: lets 127.0.0.0/8 and ::1 through (and nothing else, not even an IPv4-mapped or
  // NAT64 loopback), so tests can point the guard at fakes listening on loopback. Never set in
  // production wiring.
  bool allow_loopback = false;
  // For endpoints the operator configured (the Langflow and Ragflow URLs in the server's
  // configuration), never for a URL a buyer supplied: every address and host name is allowed,
  // because the operator chose it and such services usually live on a private network.
  bool operator_endpoint = false;
};

struct AddressVerdict {
  bool allowed = false;
  // Why it is refused, in words that follow "<address> is ": "a private address",
  // "the cloud metadata address". Empty when allowed.
  std::string reason;
};

AddressVerdict ClassifyAddress(const IpAddress& address, const AddressPolicy& policy);

// Ok if `address` may be connected to; PermissionDenied "refused: 10.0.0.1 is a private address"
// otherwise.
Status CheckAddress(const IpAddress& address, const AddressPolicy& policy);

// Ok unless `host` (a DNS name, any case, trailing dot or not) is a well-known cloud metadata
// name such as metadata.google.internal: PermissionDenied "refused: ... is a cloud metadata
// host". Such names resolve to refused addresses anyway; refusing them by name says why earlier.
Status CheckHostName(std::string_view host);

}  // namespace capconf::outbound
