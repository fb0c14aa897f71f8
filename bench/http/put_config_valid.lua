-- PUT /api/v1/subscriptions/{id}/config with a valid configuration ({"config": ...} from the
-- file named by CAPCONF_BENCH_VALID_BODY) and If-Match: * (whatever revision is current, RFC
-- 9110); every answer must be 200 (each one stores a new revision).
scenario = {method = "PUT", expect = 200, body_file = "CAPCONF_BENCH_VALID_BODY", if_match = "*"}
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
