#pragma once
// Helpers shared by the access module's sources; not part of its contract.

#include <string>
#include <string_view>

namespace capconf::access::internal {

// Initialises libsodium (once) or aborts the process: for functions that cannot return a Status.
void EnsureSodium();

// Overwrites the bytes of `s` with zeros (in a way the compiler keeps), then clears it.
void Wipe(std::string& s);

// 1 to 64 characters of [A-Za-z0-9._-]: safe to store beside a ciphertext and to write into
// server-keys.json without escaping.
bool IsValidKeyId(std::string_view id);

}  // namespace capconf::access::internal
