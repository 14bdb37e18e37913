-- wrk script for soak.sh: a steady mix of cache hits, misses over a large id
-- range (so the bounded local cache keeps evicting) and pass-through pages.
--   SOAK_HIT_SHARE  (0.6)  one-to-one alice|bob ids 1..SOAK_HOT_IDS, with message_time: hits once warm
--   SOAK_MISS_SHARE (0.3)  any id of the emulator's five conversations (~500k ids), half with
--                          message_time (batched), half without (single GET)
--   the rest               chatroom pages (pass-through, never cached)
--   SOAK_DELAY_MS   (0)    pause per connection before each request: paces the load
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "status.lua")
local status_init = init
local conversations = {  -- emulator blocks 0..4 (ids b*100000+1 .. b*100000+99999)
  "alice%7C1%7Cbob", "alice%7C2%7C1001", "alice%7C3%7C2001", "carol%7C1%7Cdave", "bob%7C2%7C1002",
}
local hit_share = tonumber(os.getenv("SOAK_HIT_SHARE") or "0.6")
local miss_share = tonumber(os.getenv("SOAK_MISS_SHARE") or "0.3")
local hot = tonumber(os.getenv("SOAK_HOT_IDS") or "1000")
local pause = tonumber(os.getenv("SOAK_DELAY_MS") or "0")

function init(args)
  status_init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

local function message(block, id, with_time)
  local path = "/im/v2/conversations/" .. conversations[block + 1] .. "/messages/" .. id
  if with_time then path = path .. "?message_time=" .. (1700000000000 + id * 1000) end
  return wrk.format("GET", path)
end

function request()
  local r = math.random()
  if r < hit_share then
    return message(0, math.random(1, hot), true)
  elseif r < hit_share + miss_share then
    local block = math.random(0, 4)
    return message(block, block * 100000 + math.random(1, 99999), math.random() < 0.5)
  end
  return wrk.format("GET", "/im/v2/chatrooms/" .. math.random(1, 100) .. "/messages?sender_id=yx" ..
                    math.random(1, 10) .. "&limit=" .. math.random(1, 20))
end

if pause > 0 then
  function delay() return pause end
end
