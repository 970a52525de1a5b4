-- POST the same JSON body with a new Idempotency-Key on every request (each one a new payment).
-- Environment: WRK_BODY (the JSON body), WRK_TOKEN (a bearer token, optional).
local counter = 0
local tag = ""

function setup(thread)
  thread:set("thread_tag", tostring(math.random(1, 1e9)) .. "-" .. tostring(os.time()))
end

function init(args)
  tag = thread_tag or tostring(math.random(1, 1e9))
  wrk.method = "POST"
  wrk.body = os.getenv("WRK_BODY")
  wrk.headers["Content-Type"] = "application/json"
  local token = os.getenv("WRK_TOKEN")
  if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
end

function request()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = "bench-" .. tag .. "-" .. counter
  return wrk.format()
end
