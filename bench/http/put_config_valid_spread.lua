-- PUT .../config with the valid configuration and If-Match: *, spread over many subscriptions of
-- the same buyer (one a connection; the paths in the file named by CAPCONF_BENCH_SPREAD_PATHS):
-- many tenants saving at once, as in production, rather than everyone saving one configuration.
-- Every answer must be 200.
scenario = {method = "PUT", expect = 200, body_file = "CAPCONF_BENCH_VALID_BODY", if_match = "*",
            paths_file = "CAPCONF_BENCH_SPREAD_PATHS"}
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
