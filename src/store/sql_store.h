#pragma once
// Private: the Store and Transaction of store.h, written once in SQL over a driver (sql.h).
// The SQLite and PostgreSQL stores differ only in their connection factory and migrations.

#include <memory>
#include <string>
#include <vector>

#include "capconf/store/store.h"
#include "migrations.h"
#include "sql.h"

namespace capconf::store::internal {

// Takes a connection from `pool` to check that the database can be reached, then returns the
// store. kUnavailable if it cannot. With `writers`, read-write transactions (and migrations) take
// their connection from it and read-only ones from `pool`; without, both share `pool`. With
// `group_commit`, concurrent WriteBatched calls share transactions (see group_commit.h).
Result<std::unique_ptr<Store>> MakeSqlStore(std::string backend,
                                            std::shared_ptr<ConnectionPool> pool,
                                            std::shared_ptr<ConnectionPool> writers = nullptr,
                                            bool group_commit = false);

}  // namespace capconf::store::internal
