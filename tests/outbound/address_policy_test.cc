#include "capconf/outbound/address_policy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <string>
#include <string_view>

#include "capconf/outbound/url_guard.h"

namespace capconf::outbound {
namespace {

struct RefusedCase {
  std::string_view address;
  std::string_view reason;  // a part of the expected reason
};

// Every refused range, at its first and last address where that matters, plus well-known
// members (the metadata address, the documentation examples).
constexpr RefusedCase kRefused[] = {
    {"0.0.0.0", "this network"},
    {"0.255.255.255", "this network"},
    {"10.0.0.1", "a private address"},
    {"10.255.255.255", "a private address"},
    {"100.64.0.1", "CGNAT"},
    {"100.127.255.255", "CGNAT"},
    {"100.100.100.200", "CGNAT"},  // Alibaba Cloud's metadata address
    {"127.0.0.1", "a loopback address"},
    {"127.255.255.254", "a loopback address"},
    {"169.254.169.254", "the cloud metadata address"},
    {"169.254.0.1", "a link-local address"},
    {"169.254.170.2", "a link-local address"},  // AWS ECS task metadata
    {"172.16.0.1", "a private address"},
    {"172.31.255.255", "a private address"},
    {"192.0.0.8", "IETF protocol assignment"},
    {"192.0.2.1", "a documentation address"},
    {"192.88.99.1", "6to4 relay"},
    {"192.168.0.1", "a private address"},
    {"192.168.255.255", "a private address"},
    {"198.18.0.1", "a benchmarking address"},
    {"198.19.255.255", "a benchmarking address"},
    {"198.51.100.7", "a documentation address"},
    {"203.0.113.9", "a documentation address"},
    {"224.0.0.1", "a multicast address"},
    {"239.255.255.250", "a multicast address"},
    {"240.0.0.1", "a reserved address"},
    {"255.255.255.254", "a reserved address"},
    {"255.255.255.255", "the broadcast address"},
    {"::", "the unspecified address"},
    {"::1", "a loopback address"},
    {"::ffff:127.0.0.1", "an IPv4-mapped address"},
    {"::ffff:10.0.0.1", "an IPv4-mapped address"},
    {"::ffff:8.8.8.8", "an IPv4-mapped address"},  // all of them: the simplest rule is the safe one
    {"::ffff:0:8.8.8.8", "an IPv4-translated address"},
    {"::127.0.0.1", "an IPv4-compatible address"},
    {"::8.8.8.8", "an IPv4-compatible address"},
    {"64:ff9b::7f00:1", "a NAT64 address of 127.0.0.1, a loopback address"},
    {"64:ff9b::10.0.0.1", "a NAT64 address of 10.0.0.1, a private address"},
    {"64:ff9b::169.254.169.254", "the cloud metadata address"},
    {"64:ff9b:1::1", "a local-use NAT64 address"},
    {"2002:a00:1::1", "a 6to4 address of 10.0.0.1, a private address"},
    {"2002:7f00:1::", "a 6to4 address of 127.0.0.1"},
    {"100::1", "a discard-only address"},
    {"100::ffff:ffff:ffff:ffff", "a discard-only address"},
    {"2001::1", "IETF protocol assignment"},  // Teredo
    {"2001:1ff:ffff::1", "IETF protocol assignment"},
    {"2001:db8::1", "a documentation address"},
    {"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "a documentation address"},
    {"3fff::1", "a documentation address"},
    {"fc00::1", "a unique local (private) address"},
    {"fdff:ffff::1", "a unique local (private) address"},
    {"fd00:ec2::254", "the cloud metadata address"},
    {"fe80::1", "a link-local address"},
    {"febf:ffff::1", "a link-local address"},
    {"fec0::1", "a site-local address"},
    {"ff02::1", "a multicast address"},
    {"ff0e::1", "a multicast address"},
    {"::2", "an IPv4-compatible address"},
    {"4000::1", "not a global unicast address"},
    {"5f00::1", "not a global unicast address"},
    {"1::1", "not a global unicast address"},
};

constexpr std::string_view kAllowed[] = {
    "8.8.8.8",
    "1.1.1.1",
    "9.9.9.9",
    "93.184.216.34",
    "11.0.0.1",        // just past 10/8
    "100.63.255.255",  // just before 100.64/10
    "100.128.0.0",     // just after it
    "126.255.255.255",
    "128.0.0.1",
    "169.253.255.255",
    "172.15.255.255",  // around 172.16/12
    "172.32.0.0",
    "192.0.1.1",
    "192.167.255.255",
    "192.169.0.0",
    "198.17.255.255",
    "198.20.0.0",
    "223.255.255.255",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "2001:200::1",  // just past 2001::/23
    "2a00:1450:4001:80b::200e",
    "2002:808:808::1",   // 6to4 of 8.8.8.8
    "64:ff9b::8.8.8.8",  // NAT64 of 8.8.8.8
    "64:ff9b::101:101",  // NAT64 of 1.1.1.1
    "3fff:1000::1",      // just past 3fff::/20
    "2001:db9::1",       // just past 2001:db8::/32
};

TEST(AddressPolicyTest, RefusesEverySpecialRange) {
  for (const RefusedCase& c : kRefused) {
    std::optional<IpAddress> address = IpAddress::Parse(c.address);
    ASSERT_TRUE(address) << c.address;
    const AddressVerdict verdict = ClassifyAddress(*address, AddressPolicy{});
    EXPECT_FALSE(verdict.allowed) << c.address;
    EXPECT_NE(verdict.reason.find(c.reason), std::string::npos)
        << c.address << ": " << verdict.reason;
  }
}

TEST(AddressPolicyTest, AllowsGlobalUnicast) {
  for (std::string_view text : kAllowed) {
    std::optional<IpAddress> address = IpAddress::Parse(text);
    ASSERT_TRUE(address) << text;
    const AddressVerdict verdict = ClassifyAddress(*address, AddressPolicy{});
    EXPECT_TRUE(verdict.allowed) << text << ": " << verdict.reason;
    EXPECT_TRUE(CheckAddress(*address, AddressPolicy{}).ok()) << text;
  }
}

TEST(AddressPolicyTest, AllowLoopbackLetsOnlyLoopbackThrough) {
  const AddressPolicy policy{.allow_loopback = true};
  for (std::string_view text : {"127.0.0.1", "127.0.0.2", "127.255.255.254", "::1"}) {
    EXPECT_TRUE(ClassifyAddress(*IpAddress::Parse(text), policy).allowed) << text;
  }
  // Loopback spelled another way, and every other refused range, stay refused.
  for (std::string_view text :
       {"::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::", "0.0.0.0", "::"}) {
    EXPECT_FALSE(ClassifyAddress(*IpAddress::Parse(text), policy).allowed) << text;
  }
  for (const RefusedCase& c : kRefused) {
    if (c.address.starts_with("127.") || c.address == "::1") continue;
    EXPECT_FALSE(ClassifyAddress(*IpAddress::Parse(c.address), policy).allowed) << c.address;
  }
}

TEST(AddressPolicyTest, OperatorEndpointsMayBeAnywhere) {
  // The operator's own Langflow at 10.0.0.5 is fine; a buyer's URL there is not.
  const AddressPolicy policy{.operator_endpoint = true};
  for (const RefusedCase& c : kRefused) {
    EXPECT_TRUE(ClassifyAddress(*IpAddress::Parse(c.address), policy).allowed) << c.address;
  }
  EXPECT_TRUE(CheckUrl("http://metadata.internal.example:7860/", policy).ok());
  EXPECT_TRUE(CheckUrl("http://langflow:7860/api/v1/", policy).ok());
  EXPECT_FALSE(CheckUrl("http://metadata.google.internal/", AddressPolicy{}).ok());
  EXPECT_TRUE(CheckUrl("http://metadata.google.internal/", policy).ok());
}

TEST(AddressPolicyTest, CheckAddressSaysWhyInPlainWords) {
  const Status status = CheckAddress(*IpAddress::Parse("10.0.0.1"), AddressPolicy{});
  EXPECT_EQ(status.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(status.message(), "refused: 10.0.0.1 is a private address");
  EXPECT_EQ(CheckAddress(*IpAddress::Parse("169.254.169.254"), AddressPolicy{}).message(),
            "refused: 169.254.169.254 is the cloud metadata address");
  EXPECT_EQ(CheckAddress(*IpAddress::Parse("::ffff:127.0.0.1"), AddressPolicy{}).message(),
            "refused: ::ffff:127.0.0.1 is an IPv4-mapped address");
}

TEST(IpAddressTest, ParseTakesOnlyCanonicalForms) {
  EXPECT_EQ(IpAddress::Parse("127.0.0.1")->family(), IpAddress::Family::kV4);
  EXPECT_EQ(IpAddress::Parse("::1")->family(), IpAddress::Family::kV6);
  EXPECT_EQ(IpAddress::Parse("::FFFF:7F00:1")->ToString(), "::ffff:127.0.0.1");
  // The legacy numeric forms that inet_aton and URL parsers accept are not addresses here.
  for (std::string_view text : {"2130706433", "0x7f.1", "0x7f000001", "017700000001", "127.1",
                                "0177.0.0.1", "127.0.0.01", "127.0.0.1.", "1.2.3.4.5", "256.0.0.1",
                                "[::1]", "fe80::1%eth0", "", " 127.0.0.1", "::g", "localhost"}) {
    EXPECT_FALSE(IpAddress::Parse(text)) << text;
  }
}

TEST(IpAddressTest, FromSockaddrReadsBothFamilies) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(80);
  inet_pton(AF_INET, "10.1.2.3", &in.sin_addr);
  std::optional<IpAddress> v4 =
      IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&in), sizeof(in));
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->ToString(), "10.1.2.3");

  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "::ffff:127.0.0.1", &in6.sin6_addr);
  std::optional<IpAddress> v6 =
      IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&in6), sizeof(in6));
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->family(), IpAddress::Family::kV6);
  EXPECT_FALSE(ClassifyAddress(*v6, AddressPolicy{.allow_loopback = true}).allowed);

  // Too short for its family, or another family: not an address.
  EXPECT_FALSE(IpAddress::FromSockaddr(reinterpret_cast<const sockaddr*>(&in6), sizeof(in)));
  sockaddr unix_like{};
  unix_like.sa_family = AF_UNIX;
  EXPECT_FALSE(IpAddress::FromSockaddr(&unix_like, sizeof(unix_like)));
  EXPECT_FALSE(IpAddress::FromSockaddr(nullptr, 0));
}

TEST(HostNameTest, RefusesMetadataNamesInAnyCase) {
  for (std::string_view host : {"metadata.google.internal", "METADATA.GOOGLE.INTERNAL.",
                                "metadata.goog", "metadata", "instance-data"}) {
    const Status status = CheckHostName(host);
    EXPECT_EQ(status.code(), StatusCode::kPermissionDenied) << host;
    EXPECT_NE(status.message().find("cloud metadata host"), std::string::npos) << host;
  }
  for (std::string_view host : {"example.com", "metadata.example.com", "notion.so", "localhost"}) {
    EXPECT_TRUE(CheckHostName(host).ok()) << host;
  }
}

}  // namespace
}  // namespace capconf::outbound
