-- wrk script: POST /v1/events with EVENTS events per request (env), each with a unique
-- event_id, spread over LEADS lead ids. Token from env TOKEN. Event ids start with RUN (env,
-- default "w"): a second run against the same store needs another RUN, or its events are
-- duplicates of the first run's.
local events = tonumber(os.getenv("EVENTS") or "1")
local leads = tonumber(os.getenv("LEADS") or "100000")
local token = os.getenv("TOKEN")
local run = os.getenv("RUN") or "w"
local counter = 0
-- DELAY_MS (env): an offered rate rather than saturation (bench/http/pace.lua).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "pace.lua")
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function init(args)
  math.randomseed(tid * 7919)
end

local urls = {"/pricing", "/docs/getting-started", "/", "/blog/scoring", "/product"}

function request()
  local parts = {}
  for i = 1, events do
    counter = counter + 1
    parts[i] = string.format(
      '{"event_id":"%s%d-%d","lead_id":"L%07d","type":"page_view","ts":"2026-11-%02dT10:00:00Z","url":"%s"}',
      run, tid, counter, math.random(1, leads), math.random(1, 20), urls[math.random(1, #urls)])
  end
  local body = table.concat(parts, "\n")
  return wrk.format("POST", "/v1/events",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/x-ndjson"}, body)
end

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("HTTP " .. status .. ": " .. body .. "\n")
  end
end
