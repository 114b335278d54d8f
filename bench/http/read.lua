-- wrk script: GET /v1/leads/{id} for random ids among LEADS. Token from env TOKEN.
local leads = tonumber(os.getenv("LEADS") or "1000")
local token = os.getenv("TOKEN")
local thread_id = 0
-- DELAY_MS (env): each connection waits a random time of this mean (exponential, so arrivals
-- are Poisson-like) before each request, so that the load is offered at about connections x
-- 1000 / DELAY_MS requests a second instead of as fast as the server answers: the latency at a
-- given load, not at saturation.
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
if delay_ms > 0 then
  function delay()
    return math.floor(-delay_ms * math.log(1 - math.random()) + 0.5)
  end
end

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
