-- wrk script: single-message lookups (with message_time) of recent messages
-- in a few hot conversations, ids drawn from a Zipf distribution, so many
-- clients want the same few messages at the same time (issue 4). Answers
-- are counted by HTTP status and body code (status.lua, same directory).
-- ZIPF_NO_TIME=1: no message_time, as the vendor SDKs' QueryMessage sends
-- (SPEC §11.5).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "status.lua")
local status_init = init
local conversations = {
  { path = "alice%7C1%7Cbob",   first = 1 },
  { path = "alice%7C2%7C1001",  first = 100001 },
  { path = "alice%7C3%7C2001",  first = 200001 },
  { path = "carol%7C1%7Cdave",  first = 300001 },
}
local ids = tonumber(os.getenv("ZIPF_IDS") or "5000")   -- recent messages per conversation
local s = tonumber(os.getenv("ZIPF_S") or "1.1")
local with_time = os.getenv("ZIPF_NO_TIME") ~= "1"
local cdf = {}

local function build_cdf(n)
  local total, acc = 0, 0
  for k = 1, n do total = total + 1 / (k ^ s) end
  for k = 1, n do acc = acc + 1 / (k ^ s) / total; cdf[k] = acc end
end

local function draw()
  local r, lo, hi = math.random(), 1, #cdf
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < r then lo = mid + 1 else hi = mid end
  end
  return lo
end

function init(args)
  status_init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
  build_cdf(ids)
end

function request()
  local conv = conversations[math.min(#conversations, draw() % #conversations + 1)]
  local id = conv.first + draw() - 1
  local path = "/im/v2/conversations/" .. conv.path .. "/messages/" .. id
  if with_time then path = path .. "?message_time=" .. (1700000000000 + id * 1000) end
  return wrk.format("GET", path)
end
