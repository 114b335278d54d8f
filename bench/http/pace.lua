-- Loaded by the wrk scripts beside it. DELAY_MS (env): each connection waits a random time of
-- this mean (exponential, so arrivals are Poisson-like) before each request, so that the load
-- is offered at about connections x 1000 / DELAY_MS requests a second instead of as fast as the
-- server answers: the latency at a given load, not at saturation.
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
if delay_ms > 0 then
  function delay()
    return math.floor(-delay_ms * math.log(1 - math.random()) + 0.5)
  end
end
