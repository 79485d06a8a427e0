-- One bench scenario for wrk (run by bench/run_bench.py).
--
-- The requests come from the file named by $BENCH_REQUESTS, one per line, fields
-- separated by tabs:  METHOD  PATH  HEADERS  BODY  where HEADERS is
-- "Name: value" pairs separated by "|". Each connection's thread takes the lines
-- in turn, so 50 lines with 50 users' cookies are 50 users polling.
--
-- With $BENCH_TRACK_VERSION set, each thread sticks to its own line (its own
-- section) and puts the section's current version in place of {version} in the
-- body, as the drafting page's editor does: the line's fifth field to start
-- with, one more after each successful save (the answer may be compressed, so
-- it is counted rather than read).
--
-- done() prints one line, "BENCH_JSON {...}", with the counts and the latency
-- percentiles in microseconds.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local function split(text, separator)
  local parts = {}
  local start = 1
  while true do
    local i, j = string.find(text, separator, start, true)
    if not i then
      table.insert(parts, string.sub(text, start))
      return parts
    end
    table.insert(parts, string.sub(text, start, i - 1))
    start = j + 1
  end
end

local requests = {}
local track = os.getenv("BENCH_TRACK_VERSION") ~= nil
local version = nil

function init(args)
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    if line ~= "" then
      local fields = split(line, "\t")
      local headers = {}
      if fields[3] and fields[3] ~= "" then
        for _, pair in ipairs(split(fields[3], "|")) do
          local name, value = string.match(pair, "^([^:]+):%s*(.*)$")
          headers[name] = value
        end
      end
      table.insert(requests, {
        method = fields[1],
        path = fields[2],
        headers = headers,
        body = fields[4] ~= "" and fields[4] or nil,
        version = fields[5],
      })
    end
  end
  counter = id
  if track then
    version = requests[(id % #requests) + 1].version
  end
end

function request()
  local index = track and (id % #requests) + 1 or (counter % #requests) + 1
  counter = counter + 1
  local r = requests[index]
  local body = r.body
  if track and body then
    body = string.gsub(body, "{version}", version)
  end
  return wrk.format(r.method, r.path, r.headers, body)
end

-- Statuses seen, per thread (read back in done()); wrk itself only counts >= 400.
not_modified = 0
other = 0

if track or os.getenv("BENCH_COUNT_STATUS") then
  function response(status, headers, body)
    if status == 304 then
      not_modified = not_modified + 1
    else
      other = other + 1
    end
    if track and status == 200 then
      -- A save bumps the section's version by one; only this thread saves it.
      version = tostring(tonumber(version) + 1)
    end
  end
end

function done(summary, latency, requests)
  local seen_304, seen_other = 0, 0
  for _, thread in ipairs(threads) do
    seen_304 = seen_304 + (thread:get("not_modified") or 0)
    seen_other = seen_other + (thread:get("other") or 0)
  end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"p50": %d, "p90": %d, "p95": %d, "p99": %d, "mean": %.1f, "max": %d, ' ..
    '"not_modified": %d, "other_status": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.mean, latency.max, seen_304, seen_other))
end
