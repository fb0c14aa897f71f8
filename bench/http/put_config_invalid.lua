-- PUT /api/v1/subscriptions/{id}/config with an invalid configuration (the file named by
-- CAPCONF_BENCH_INVALID_BODY) and If-Match: *; every answer must be 422 with the errors.
scenario = {method = "PUT", expect = 422, body_file = "CAPCONF_BENCH_INVALID_BODY", if_match = "*"}
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
