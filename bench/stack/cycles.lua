-- POST -> PATCH (If-Match) -> DELETE cycles of one todo, for wrk. Each connection needs its own
-- thread (wrk -t N -c N): a thread's Lua state holds the cycle its one connection is in.
--   wrk -t10 -c10 -d10s --timeout 10s -s bench/stack/cycles.lua http://127.0.0.1:3000
-- Prints one line: CYCLES {"cycles":..,"errors":..,"seconds":..,"requests":..,"socketErrors":..}
-- A cycle counts when all three answers are right (201, 200, 204); any other answer, or a body
-- without an id, is an error and the thread starts a new cycle with a POST.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

local step, id, etag, n = "post", nil, nil, 0
cycles, errors = 0, 0

local json = { ["Content-Type"] = "application/json" }

function request()
  if step == "post" then
    n = n + 1
    return wrk.format("POST", "/api/todos", json, string.format('{"title":"cycle %d-%d"}', tid, n))
  elseif step == "patch" then
    -- If-Match when the API hands out ETags (an older revision may not).
    return wrk.format("PATCH", "/api/todos/" .. id, { ["Content-Type"] = "application/json", ["If-Match"] = etag }, '{"completed":true}')
  end
  return wrk.format("DELETE", "/api/todos/" .. id, {}, nil)
end

local function header(headers, name)
  for k, v in pairs(headers) do
    if string.lower(k) == name then return v end
  end
  return nil
end

function response(status, headers, body)
  if step == "post" then
    id = status == 201 and body and string.match(body, '"id":%s*(%d+)') or nil
    etag = header(headers, "etag")
    if id then step = "patch" else errors = errors + 1 end
  elseif step == "patch" then
    if status == 200 then step = "delete" else errors = errors + 1; step = "post" end
  else
    if status == 204 then cycles = cycles + 1 else errors = errors + 1 end
    step = "post"
  end
end

function done(summary, latency, requests)
  local c, e = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("cycles")
    e = e + t:get("errors")
  end
  local s = summary.errors
  io.write(string.format('CYCLES {"cycles":%d,"errors":%d,"seconds":%.3f,"requests":%d,"socketErrors":%d}\n',
    c, e, summary.duration / 1e6, summary.requests, s.connect + s.read + s.write + s.timeout))
end
