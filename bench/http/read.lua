-- wrk script: GET /v1/leads/{id} for random ids among LEADS. Token from env TOKEN.
local leads = tonumber(os.getenv("LEADS") or "1000")
local token = os.getenv("TOKEN")
local thread_id = 0
-- DELAY_MS (env): an offered rate rather than saturation (bench/http/pace.lua).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "pace.lua")

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function init(args)
  math.randomseed(tid * 104729)
end

function request()
  return wrk.format("GET", string.format("/v1/leads/L%07d", math.random(1, leads)),
    {["Authorization"] = "Bearer " .. token})
end
