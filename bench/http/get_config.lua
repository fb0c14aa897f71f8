-- GET /api/v1/subscriptions/{id}/config with a bearer token; every answer must be 200.
scenario = {method = "GET", expect = 200}
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
