-- Shared by the scenario scripts of bench/http/run.sh (wrk 4.x, LuaJIT).
--
-- A scenario script sets `scenario = {method = ..., expect = <status>, body_file = <env var
-- naming a file, or nil>, if_match = <value or nil>, paths_file = <env var naming a file, or
-- nil>}` and then runs this file. The target URL (path included) comes from wrk's command line,
-- unless paths_file names a file of paths (one a line): then each of the CAPCONF_BENCH_THREADS
-- wrk threads cycles over its own share of them (path i goes to thread i mod threads), so that
-- two threads never work on the same path. The bearer token comes from CAPCONF_BENCH_TOKEN.
--
-- Every response's status is checked against scenario.expect (the response callback); done()
-- prints the totals of every thread as one machine-readable line for run.sh:
--   capconf-bench: expect=STATUS requests=N duration_us=N rps=R p50_us=N p90_us=N p99_us=N max_us=N
--                  late=N max_late_us=N unexpected=N unexpected_by_status=S:N,... socket_errors=N (connect/read/write/timeout)
-- and a human-readable warning when any status was not the expected one.
--
-- Paced runs: with CAPCONF_BENCH_RATE=R in the environment the threads together send R requests
-- a second instead of as many as the server answers (wrk's delay() hook). Each thread keeps a
-- fixed schedule of R / threads slots a second; a connection that comes free takes the next
-- slot and waits for it. wrk measures a request's latency from the moment it is written, so a
-- server that falls behind the schedule would hide part of its latency (coordinated omission):
-- the result line therefore also says how many slots were taken late and by how much at most
-- (late=N max_late_us=N). A paced run's figures stand only when those are near zero.

local token = os.getenv("CAPCONF_BENCH_TOKEN")
if token == nil or token == "" then
  error("CAPCONF_BENCH_TOKEN is not set (the bearer token)")
end

wrk.method = scenario.method
wrk.headers["Authorization"] = "Bearer " .. token
if scenario.if_match then wrk.headers["If-Match"] = scenario.if_match end
if scenario.body_file then
  local path = os.getenv(scenario.body_file)
  if path == nil or path == "" then error(scenario.body_file .. " is not set (the request body's file)") end
  local f = assert(io.open(path, "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/json"
end

-- This thread's share of the paths (see above); set in init().
local my_paths, next_path = nil, 0

function init(args)
  if not scenario.paths_file then return end
  local file_name = os.getenv(scenario.paths_file)
  if file_name == nil or file_name == "" then error(scenario.paths_file .. " is not set (the paths' file)") end
  local threads_total = tonumber(os.getenv("CAPCONF_BENCH_THREADS") or "")
  if threads_total == nil then error("CAPCONF_BENCH_THREADS is not set (the number of wrk threads)") end
  my_paths = {}
  local i = 0
  for line in io.lines(file_name) do
    if line ~= "" then
      if i % threads_total == thread_index then table.insert(my_paths, line) end
      i = i + 1
    end
  end
  if #my_paths == 0 then error("no paths for wrk thread " .. thread_index .. " in " .. file_name) end
end

function request()
  if my_paths == nil then return wrk.format() end
  next_path = next_path % #my_paths + 1
  return wrk.format(nil, my_paths[next_path])
end

-- The pacing (see above): this thread's next slot on the monotonic clock, in microseconds.
local rate = tonumber(os.getenv("CAPCONF_BENCH_RATE") or "")
late, max_late_us = 0, 0
if rate then
  if rate <= 0 then error("CAPCONF_BENCH_RATE must be > 0") end
  local ffi = require("ffi")
  ffi.cdef [[
    struct capconf_bench_timespec { long tv_sec; long tv_nsec; };
    int clock_gettime(int clock_id, struct capconf_bench_timespec* now);
  ]]
  local now_ts = ffi.new("struct capconf_bench_timespec")
  local CLOCK_MONOTONIC = 1
  local function now_us()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, now_ts)
    return tonumber(now_ts.tv_sec) * 1e6 + tonumber(now_ts.tv_nsec) / 1e3
  end
  local threads_total = tonumber(os.getenv("CAPCONF_BENCH_THREADS") or "")
  if threads_total == nil then error("CAPCONF_BENCH_THREADS is not set (the number of wrk threads)") end
  local interval_us = 1e6 * threads_total / rate
  local next_slot_us = nil
  -- wrk calls delay() before each request and waits the answer, in milliseconds (its timers
  -- have that resolution, so a request may leave up to 1 ms before its slot; the schedule itself
  -- does not drift, because the slots are fixed).
  function delay()
    local now = now_us()
    if next_slot_us == nil then next_slot_us = now end
    local slot = next_slot_us
    next_slot_us = next_slot_us + interval_us
    local wait_us = slot - now
    if wait_us < -1000 then
      late = late + 1
      if -wait_us > max_late_us then max_late_us = -wait_us end
    end
    return wait_us > 0 and wait_us / 1000 or 0
  end
end

-- Per-thread counters (each wrk thread runs its own copy of this script).
unexpected = 0
by_status = {}

function response(status, headers, body)
  if status ~= scenario.expect then
    unexpected = unexpected + 1
    local key = tostring(status)
    by_status[key] = (by_status[key] or 0) + 1
  end
end

-- setup() and done() run in wrk's main script environment, not in the threads'.
local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local total, merged, late_total, max_late = 0, {}, 0, 0
  for _, thread in ipairs(threads) do
    total = total + (thread:get("unexpected") or 0)
    late_total = late_total + (thread:get("late") or 0)
    max_late = math.max(max_late, thread:get("max_late_us") or 0)
    for status, n in pairs(thread:get("by_status") or {}) do
      merged[status] = (merged[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(merged) do table.insert(parts, status .. ":" .. n) end
  table.sort(parts)
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  local rps = summary.duration > 0 and summary.requests / (summary.duration / 1e6) or 0
  io.write(string.format(
    "capconf-bench: expect=%d requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
    "late=%d max_late_us=%d unexpected=%d unexpected_by_status=%s " ..
    "socket_errors=%d (connect %d, read %d, write %d, timeout %d)\n",
    scenario.expect, summary.requests, summary.duration, rps, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, late_total, max_late, total, #parts > 0 and table.concat(parts, ",") or "-",
    socket_errors, e.connect, e.read, e.write, e.timeout))
  if total > 0 then
    io.write(string.format("UNEXPECTED STATUSES: %d of %d responses were not %d (%s)\n",
                           total, summary.requests, scenario.expect, table.concat(parts, ", ")))
  end
end
